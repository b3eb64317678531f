import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../server/auth/login-throttle.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Fix-b, finding 7: the in-memory throttles cleared their whole table when it reached its
 * bound, so whoever sprayed new keys (usernames, addresses) reset everybody's limits. They
 * now forget only the least recently used entry for each new one.
 */
describe('throttles under a spray of keys', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub({ env: { EMBED_SESSION_RATE_PER_MINUTE: '2' } });
  });
  afterAll(() => hub.stop());

  const exchange = (address: string) =>
    fetch(`${hub.server.url}/api/v1/embed/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ link: 'x' }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  it('POST /embed/session: spraying 10,000 addresses does not give a throttled address its budget back', async () => {
    const victim = '10.99.0.1';
    expect(await exchange(victim)).not.toBe(429);
    expect(await exchange(victim)).not.toBe(429);
    expect(await exchange(victim)).toBe(429);
    const total = 10_050;
    const batch = 100;
    for (let i = 0; i < total; i += batch) {
      await Promise.all(Array.from({ length: batch }, (_, j) => exchange(`fd00::${(i + j).toString(16)}`)));
      // The throttled address keeps trying, and keeps being refused.
      if (i % 1000 === 0) expect(await exchange(victim)).toBe(429);
    }
    expect(await exchange(victim)).toBe(429);
  }, 120_000);

  it('sign-in: spraying more usernames than the table holds resets no live count', () => {
    const throttle = new LoginThrottle(3, 1_000_000, 15 * 60_000);
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      const a = throttle.attempt('karen', '10.0.0.1', now);
      expect(a.ok).toBe(true);
      if (a.ok) a.failed();
    }
    expect(throttle.attempt('karen', '10.0.0.2', now).ok).toBe(false);
    for (let i = 0; i <= 100_000; i++) {
      const a = throttle.attempt(`spray-${i}`, `10.1.${i >> 8}.${i & 255}`, now);
      if (a.ok) a.failed();
      // The guessed account is tried now and then, and stays refused.
      if (i % 10_000 === 0) expect(throttle.attempt('karen', '10.0.0.3', now).ok).toBe(false);
    }
    expect(throttle.attempt('karen', '10.0.0.4', now).ok).toBe(false);
  });
});
