import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redactPath } from '../observability/redact-path.ts';

/**
 * One structured line per request with a request id. Logs the path without its query
 * string: queries may hold search terms (names, CPR numbers) or tokens, and neither may
 * reach a log. A CPR number put in the path itself is redacted too (redactPath).
 */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const reqId = randomUUID();
    res.locals.reqId = reqId;
    res.setHeader('X-Request-Id', reqId);
    const started = performance.now();
    // Read now: inside a mounted router req.path is the part below its mount.
    const path = redactPath(req.path);
    res.on('finish', () => {
      log.info(
        {
          reqId,
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    });
    next();
  };
}
