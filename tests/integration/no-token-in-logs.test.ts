import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { collabProtocols } from '../../shared/protocol.ts';
import { firstPlanOf, hubSandbox, loginAt } from '../fixtures/server-process.ts';
import { runCli } from '../fixtures/cli.ts';

/**
 * The app sends its /collab token in the Sec-WebSocket-Protocol header; outside y-websocket
 * clients may still put it in the /collab query (embed links carry theirs after '#', which no
 * browser sends). No log line holds a token, from that query, that header or an Authorization
 * header: the request log writes the path without its query, and pino redacts token and
 * authorization fields.
 */
describe('tokens in logs', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  it('never appear, whether sent in a query string, an Authorization header, the /collab query or a Socket.IO handshake', async () => {
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    const hub = await sandbox.spawn(undefined, { LOG_LEVEL: 'trace', MAX_CONNECTIONS_PER_USER: '1' });
    const token = await loginAt(hub.url, 'hanne');
    const planId = await firstPlanOf(hub.url, token, 'Carl Jensen');
    const forged = 'forged-token-7c1d9e';
    const key = /chk_\S+/.exec(
      (await runCli(['api-key', 'create', '--system', 'log-lab'], { DATABASE_URL: `sqlite:${sandbox.dbFile}` })).stdout,
    )![0];
    const badKey = 'chk_0123456789abcdef_forgedsecretforgedsecretforgedsecretforged12';

    // REST: the token in a query string and in the header, good and bad.
    for (const t of [token, forged]) {
      await (
        await fetch(`${hub.url}/api/v1/patients?token=${t}&access_token=${t}`, {
          headers: { authorization: `Bearer ${t}` },
        })
      ).arrayBuffer();
      await (
        await fetch(`${hub.url}/api/v1/no-such-route?token=${t}`, { headers: { authorization: `Bearer ${t}` } })
      ).arrayBuffer();
    }
    for (const k of [key, badKey]) {
      await (
        await fetch(`${hub.url}/api/v1/results?key=${k}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${k}`, 'content-type': 'application/fhir+json' },
          body: '{"resourceType":"Observation"}',
        })
      ).arrayBuffer();
    }

    // /collab: a join, a forged token, a bad path, one over the per-user limit (1).
    const open = (path: string, protocols: string[] = []) =>
      new Promise<{ ws: WebSocket; code: number | null }>((resolve) => {
        const ws = new WebSocket(`${hub.wsUrl}${path}`, protocols);
        cleanup.push(() => ws.terminate());
        ws.on('error', () => {});
        ws.once('message', () => resolve({ ws, code: null }));
        ws.once('close', (code) => resolve({ ws, code }));
      });
    expect((await open(`/collab/${planId}?token=${token}`)).code).toBeNull();
    expect((await open(`/collab/${planId}?token=${token}`)).code).toBe(4429);
    expect((await open(`/collab/${planId}?token=${forged}`)).code).toBe(4401);
    // The app's way: the token in the Sec-WebSocket-Protocol header (one over the limit, one forged).
    expect((await open(`/collab/${planId}`, collabProtocols(token))).code).toBe(4429);
    expect((await open(`/collab/${planId}`, collabProtocols(forged))).code).toBe(4401);
    expect((await open(`/collab/not-a-plan?token=${token}`)).code).toBe(4400);
    expect((await open(`/collab/%E0%A4%A?token=${token}`)).code).toBe(4400);

    // Socket.IO: a good and a forged handshake.
    for (const t of [token, forged]) {
      const s = io(hub.url, { auth: { token: t }, transports: ['websocket'], reconnection: false });
      await new Promise<void>((resolve) => {
        s.once('connect', () => resolve());
        s.once('connect_error', () => resolve());
      });
      s.close();
    }

    hub.child.kill('SIGTERM');
    await hub.exited;
    const out = hub.output();
    const requests = out.split('\n').filter((l) => l.includes('"msg":"request"'));
    expect(requests.some((l) => l.includes('"path":"/api/v1/patients"'))).toBe(true);
    for (const line of requests) expect(line).not.toContain('?');
    // The secret part of `chk_<16 hex>_<secret>`: base64url, so it may itself hold an underscore.
    for (const secret of [token, forged, key, badKey, key.slice('chk_'.length + 17), token.split('.')[2]!])
      expect(out, 'a token in the log').not.toContain(secret);
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  }, 60_000);
});
