import type { NextFunction, Request, Response } from 'express';
import { BoundedLru } from '../limits/bounded-lru.ts';
import { TokenBucket } from '../limits/token-bucket.ts';
import { HttpError } from './errors.ts';

/**
 * Addresses kept at most; past it the least recently used is forgotten (a bounded LRU): a
 * flood from many addresses pushes out the oldest idle ones and never resets the others.
 */
const MAX_ADDRESSES = 10_000;

/**
 * Requests per client address for an endpoint anyone may call without signing in (POST
 * /embed/session): `perMinute` a minute, bursts of as many. Over it: 429 with `Retry-After`
 * and the usual error body. One node's view, like the sign-in throttle; behind a proxy the
 * address is the one `trust proxy` allows (README, Load balancer).
 */
export function addressRateLimit(opts: { perMinute: number; what: string; onThrottled: () => void }) {
  const buckets = new BoundedLru<TokenBucket>(MAX_ADDRESSES);
  const rate = opts.perMinute / 60;
  return (req: Request, res: Response, next: NextFunction): void => {
    const address = req.ip ?? 'unknown';
    const now = performance.now();
    let bucket = buckets.get(address);
    if (!bucket) {
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
        undefined,
        { reason: 'rate.too-many', params: { seconds } },
      ),
    );
  };
}
