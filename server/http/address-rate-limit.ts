import type { NextFunction, Request, Response } from 'express';
import { TokenBucket } from '../limits/token-bucket.ts';
import { HttpError } from './errors.ts';

/** Addresses kept at most; past it, those whose bucket is full again (idle) are forgotten. */
const MAX_ADDRESSES = 10_000;

/**
 * Requests per client address for an endpoint anyone may call without signing in (POST
 * /embed/session): `perMinute` a minute, bursts of as many. Over it: 429 with `Retry-After`
 * and the usual error body. One node's view, like the sign-in throttle; behind a proxy the
 * address is the one `trust proxy` allows (README, Load balancer).
 */
export function addressRateLimit(opts: { perMinute: number; what: string; onThrottled: () => void }) {
  const buckets = new Map<string, TokenBucket>();
  const rate = opts.perMinute / 60;
  return (req: Request, res: Response, next: NextFunction): void => {
    const address = req.ip ?? 'unknown';
    const now = performance.now();
    let bucket = buckets.get(address);
    if (!bucket) {
      if (buckets.size >= MAX_ADDRESSES) {
        for (const [a, b] of buckets) if (b.isFull(now)) buckets.delete(a);
        // Still full (a flood from many addresses): the oldest goes; the table stays bounded.
        if (buckets.size >= MAX_ADDRESSES) buckets.delete(buckets.keys().next().value as string);
      }
      bucket = new TokenBucket(rate, opts.perMinute, now);
      buckets.set(address, bucket);
    }
    if (bucket.take(now)) {
      next();
      return;
    }
    opts.onThrottled();
    const seconds = Math.max(1, Math.ceil(bucket.waitMs(now) / 1000));
    res.setHeader('Retry-After', String(seconds));
    next(
      new HttpError(
        429,
        'rate_limited',
        `too many ${opts.what} from this address: at most ${opts.perMinute} a minute; retry after ${seconds} s`,
      ),
    );
  };
}
