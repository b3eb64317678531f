import { describe, expect, it } from 'vitest';
import { fullJitterDelay, RECONNECT } from '../../client/src/collab/reconnect.ts';
import { seededRandom } from '../../shared/seeded-random.ts';

describe('reconnect backoff with full jitter (issue 6)', () => {
  it('waits between 0 and min(cap, base·2ⁿ)', () => {
    expect(fullJitterDelay(0, () => 0)).toBe(0);
    expect(fullJitterDelay(0, () => 0.999999)).toBe(RECONNECT.baseMs - 1);
    expect(fullJitterDelay(3, () => 0.999999)).toBe(RECONNECT.baseMs * 8 - 1);
    expect(fullJitterDelay(40, () => 0.999999)).toBe(RECONNECT.capMs - 1);
    const random = seededRandom(1);
    for (let attempt = 0; attempt < 30; attempt++) {
      for (let i = 0; i < 50; i++) {
        const delay = fullJitterDelay(attempt, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(RECONNECT.capMs, RECONNECT.baseMs * 2 ** attempt));
      }
    }
  });

  it('spreads a hundred tablets that lost the server at the same moment', () => {
    // Each tablet retries until the server is back (after 20 s), then connects once.
    const random = seededRandom(42);
    const SERVER_BACK_MS = 20_000;
    const arrivals: number[] = [];
    let attemptsBeforeBack = 0;
    for (let tablet = 0; tablet < 100; tablet++) {
      let t = 0;
      for (let attempt = 0; ; attempt++) {
        t += fullJitterDelay(attempt, random);
        if (t >= SERVER_BACK_MS) break;
        attemptsBeforeBack++;
      }
      arrivals.push(t);
    }
    // Connections once the server is back, per second: without jitter all hundred would come
    // in the same few milliseconds.
    const perSecond = new Map<number, number>();
    for (const t of arrivals) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    const busiest = Math.max(...perSecond.values());
    const spreadMs = Math.max(...arrivals) - Math.min(...arrivals);
    console.info(
      `100 tablets: ${attemptsBeforeBack} attempts while the server was down, reconnects spread over ${spreadMs} ms, at most ${busiest} in one second`,
    );
    expect(busiest).toBeLessThan(40);
    expect(spreadMs).toBeGreaterThan(5_000);
    // And they did not hammer the dead server: on average under ten tries each in 20 s.
    expect(attemptsBeforeBack / 100).toBeLessThan(10);
  });
});
