import type { NextFunction, Request, Response } from 'express';
import type { AccessControl, Principal } from '../auth/access.ts';
import { forbidden, unauthorized } from './errors.ts';

/** Reads `Authorization: Bearer <token>` and puts the principal on res.locals, or answers 401. */
export function requireAuth(access: AccessControl) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const result = await access.authenticate(match?.[1]);
    if (!result.ok)
      throw unauthorized(result.reason === 'missing' ? 'sign in first' : `the session token is ${result.reason}`);
    // An embedded GP session reaches its one plan and nothing else (and who it is: /me).
    const embed = result.principal.embed;
    if (
      embed &&
      !(
        req.method === 'GET' &&
        (req.originalUrl.split('?')[0]?.startsWith(`/api/v1/plans/${embed.planId}`) || req.originalUrl === '/api/v1/me')
      )
    ) {
      throw forbidden('an embedded session reaches its one plan only');
    }
    res.locals.principal = result.principal;
    next();
  };
}

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw unauthorized();
  return p;
}
