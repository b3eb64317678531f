import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHub, tempDir, type TestHub } from '../fixtures/server.ts';

/**
 * Security headers on every HTTP answer (helmet): pages, static files, the API and its errors,
 * FHIR errors, health and metrics, and Engine.IO's own answers (Socket.IO polling), which do
 * not pass through Express. CORS is closed: no origin is ever allowed.
 */
const EVIL = 'https://evil.example';

function expectSecurityHeaders(res: Response, what: string, opts: { framable?: boolean } = {}): void {
  const h = res.headers;
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toMatch(opts.framable ? /frame-ancestors https:\/\/practice\.example/ : /frame-ancestors 'none'/);
  if (opts.framable) expect(h.get('x-frame-options'), what).toBeNull();
  else expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(h.get('cross-origin-resource-policy'), what).toBe('same-origin');
  expect(h.get('strict-transport-security'), what).toMatch(/max-age=\d+/);
  expect(h.get('x-powered-by'), what).toBeNull();
  expect(h.get('access-control-allow-origin'), what).toBeNull();
  expect(h.get('access-control-allow-credentials'), what).toBeNull();
}

describe('HTTP headers', () => {
  let hub: TestHub;
  let token: string;
  const dist = tempDir('carehub-dist-');

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>CareHub</title><script type="module" src="/assets/app.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
    hub = await startHub({ env: { CLIENT_DIST: dist, EMBED_ALLOWED_ORIGINS: 'https://practice.example' } });
    token = await hub.token('hanne');
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('are on every answer: pages, static files, API answers and errors, FHIR errors, health, metrics, Socket.IO polling', async () => {
    const url = hub.server.url;
    const auth = { authorization: `Bearer ${token}` };
    const cases: [string, Promise<Response>, number][] = [
      ['the app page', fetch(`${url}/`), 200],
      ['a client route (the app page)', fetch(`${url}/plans/123`), 200],
      ['a static file', fetch(`${url}/assets/app.js`), 200],
      ['a missing static file', fetch(`${url}/assets/missing.js`), 200],
      ['an API answer', fetch(`${url}/api/v1/me`, { headers: auth }), 200],
      ['an API 401', fetch(`${url}/api/v1/patients`), 401],
      ['an API 404', fetch(`${url}/api/v1/no-such-route`, { headers: auth }), 404],
      [
        'an API 400 (bad JSON)',
        fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{',
        }),
        400,
      ],
      [
        'an API 413',
        fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'x'.repeat(300_000) }),
        }),
        413,
      ],
      ['a 404 outside the API', fetch(`${url}/nothing-here`, { method: 'POST' }), 404],
      [
        'a FHIR 401 (OperationOutcome)',
        fetch(`${url}/api/v1/results`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json' },
          body: '{}',
        }),
        401,
      ],
      ['/healthz', fetch(`${url}/healthz`), 200],
      ['/readyz', fetch(`${url}/readyz`), 200],
      ['/metrics', fetch(`${url}/metrics`), 200],
      ['Socket.IO polling handshake', fetch(`${url}/socket.io/?EIO=4&transport=polling`), 200],
      ['Socket.IO error (unknown session)', fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=nope`), 400],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      await res.arrayBuffer();
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
    }
    // The embed page alone may be framed, and only by the configured practice systems.
    const embed = await fetch(`${url}/embed`);
    expect(embed.status).toBe(200);
    expectSecurityHeaders(embed, '/embed', { framable: true });
  });

  it('keep CORS closed: no preflight or request from another origin is allowed, on the API or Socket.IO', async () => {
    const url = hub.server.url;
    const preflight = (path: string) =>
      fetch(`${url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: EVIL,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    for (const path of [
      '/api/v1/patients',
      '/api/v1/auth/login',
      '/api/v1/results',
      '/socket.io/?EIO=4&transport=polling',
    ]) {
      const res = await preflight(path);
      await res.arrayBuffer();
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(res.headers.get('access-control-allow-methods'), path).toBeNull();
      expect(res.headers.get('access-control-allow-headers'), path).toBeNull();
    }
    const cross = [
      fetch(`${url}/api/v1/me`, { headers: { origin: EVIL, authorization: `Bearer ${token}` } }),
      fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { origin: EVIL, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'hanne', password: 'demo' }),
      }),
      fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: EVIL } }),
    ];
    for (const pending of cross) {
      const res = await pending;
      await res.arrayBuffer();
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
