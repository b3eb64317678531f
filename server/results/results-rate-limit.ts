import type { NextFunction, Request, Response } from 'express';
import { TokenBucket } from '../limits/token-bucket.ts';
import { sendOperationOutcome } from '../fhir/operation-outcome.ts';

/**
 * Result submissions per API key: `rate` a second with bursts of `burst` (RESULTS_RATE_PER_SECOND,
 * RESULTS_RATE_BURST). Over it: 429, `Retry-After` in whole seconds and an OperationOutcome
 * (throttled), so a lab system's queue backs off instead of filling the hub's log. One node's
 * view, like the login throttle. Runs after the key is verified (res.locals.keyId), so
 * unknown keys cannot fill the table, and before the body is read.
 */
export function resultsRateLimit(opts: { rate: number; burst: number; onThrottled?: () => void }) {
  const buckets = new Map<string, TokenBucket>();
  return (_req: Request, res: Response, next: NextFunction): void => {
    const keyId = res.locals.keyId as string;
    const now = performance.now();
    let bucket = buckets.get(keyId);
    if (!bucket) {
      bucket = new TokenBucket(opts.rate, opts.burst, now);
      buckets.set(keyId, bucket);
    }
    if (bucket.take(now)) {
      next();
      return;
    }
    opts.onThrottled?.();
    const seconds = Math.max(1, Math.ceil(bucket.waitMs(now) / 1000));
    res.setHeader('Retry-After', String(seconds));
    sendOperationOutcome(
      res,
      429,
      'throttled',
      `too many submissions for this API key: at most ${opts.rate} a second (bursts of ${opts.burst}); retry after ${seconds} s`,
    );
  };
}
