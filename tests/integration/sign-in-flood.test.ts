import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../fixtures/collab-client.ts';
import { auditRows } from '../fixtures/credentials.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Unauthenticated sign-in endpoints that refuse (a garbage callback, a password sign-in where
 * it is off) are limited per address, and their audit rows coalesced per address and window:
 * nobody grows the audit log without bound for free (issue 19 follow-up, finding 7).
 */
let hub: TestHub;

beforeAll(async () => {
  hub = await startHub({ env: { SIGN_IN_RATE_PER_MINUTE: '5', PASSWORD_LOGIN: 'off' } });
});
afterAll(async () => hub?.stop());

const garbage = () => Math.random().toString(36).slice(2);
const endpoints: [string, string, () => Promise<Response>][] = [
  [
    'GET /api/v1/auth/oidc/callback',
    'login',
    () => fetch(`${hub.server.url}/api/v1/auth/oidc/callback?state=${garbage()}&code=x`, { redirect: 'manual' }),
  ],
  [
    'GET /smart/callback',
    'smart.launch',
    () => fetch(`${hub.server.url}/smart/callback?state=${garbage()}&code=x`, { redirect: 'manual' }),
  ],
  [
    'POST /api/v1/auth/login (password sign-in off)',
    'login',
    () =>
      fetch(`${hub.server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: garbage(), password: 'x' }),
      }),
  ],
];

describe('unauthenticated refusals', () => {
  for (const [what, action, send] of endpoints) {
    it(`${what}: rate-limited, and a bounded number of audit rows`, async () => {
      const before = auditRows(hub, action).length;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await send();
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
      const written = () => auditRows(hub, action).length - before;
      // The first refusal is recorded; the rest of the window only counted (into the next one).
      await eventually(() => written() >= 1, 5000, `the first ${action} refusal audited`);
      expect(written()).toBe(1);
    });
  }
});
