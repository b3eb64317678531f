import type { Request } from 'express';
import type { Config } from '../config.ts';

/**
 * The hub's address as browsers and identity providers see it: PUBLIC_URL when set (behind a
 * proxy that rewrites the Host, and for redirect URIs registered once), else this request's
 * scheme and host (`trust proxy` decides whose X-Forwarded-Proto counts).
 */
export function publicBase(req: Request, config: Pick<Config, 'publicUrl'>): string {
  return config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** A page that a practice system may frame: CSP frame-ancestors names its origin only (`null`: nobody). */
export function allowFraming(
  res: {
    getHeader(name: string): unknown;
    setHeader(name: string, value: string): unknown;
    removeHeader(name: string): unknown;
  },
  origins: readonly string[] | null,
): void {
  const ancestors = origins && origins.length > 0 ? origins.join(' ') : "'none'";
  const csp = String(res.getHeader('Content-Security-Policy') ?? '');
  res.setHeader('Content-Security-Policy', csp.replace("frame-ancestors 'none'", `frame-ancestors ${ancestors}`));
  if (origins && origins.length > 0) res.removeHeader('X-Frame-Options');
}
