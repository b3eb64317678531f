import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { CloseCode } from '../../shared/protocol.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { auditCount, auditRows, json, linkOf, openSession, signed } from '../fixtures/credentials.ts';
import { parsePrometheus } from '../fixtures/prometheus.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Issue 14, findings 13 (part) and 14: the app's /collab token travels in the WebSocket
 * subprotocol header, never in the URL; and unauthenticated garbage sent to POST /embed/session
 * neither fills the permanent audit log nor goes unthrottled.
 */
describe('/collab token in the Sec-WebSocket-Protocol header', () => {
  let hub: TestHub;
  let carl: string;
  beforeAll(async () => {
    hub = await startHub();
    carl = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  const open = (protocols: string[], query = '') =>
    new Promise<{ ws: WebSocket; code: number | null; reason: string; protocolHeader: string | undefined }>(
      (resolve) => {
        let protocolHeader: string | undefined;
        const ws = new WebSocket(`${hub.wsUrl}/collab/${carl}${query}`, protocols);
        ws.on('upgrade', (res) => (protocolHeader = res.headers['sec-websocket-protocol'] as string | undefined));
        ws.on('error', () => {});
        ws.once('message', () => resolve({ ws, code: null, reason: '', protocolHeader }));
        ws.once('close', (code, reason) => resolve({ ws, code, reason: reason.toString(), protocolHeader }));
      },
    );

  it('accepts the token offered as a subprotocol, selects carehub.v1 and never echoes the token', async () => {
    const token = await hub.token('hanne');
    const ok = await open(['carehub.v1', `carehub.token.${token}`]);
    expect(ok.code).toBeNull();
    expect(ok.ws.protocol).toBe('carehub.v1');
    expect(ok.protocolHeader).toBe('carehub.v1');
    ok.ws.close();
    const bad = await open(['carehub.v1', 'carehub.token.forged']);
    expect(bad.code).toBe(CloseCode.unauthorized);
    const none = await open(['carehub.v1']);
    expect(none.code).toBe(CloseCode.unauthorized);
  });

  it('syncs a stock y-websocket provider given the protocols option, as the app connects', async () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${hub.wsUrl}/collab`, carl, doc, {
      protocols: ['carehub.v1', `carehub.token.${await hub.token('maja')}`],
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    await new Promise<void>((resolve) => provider.once('sync', (s: boolean) => s && resolve()));
    expect(doc.getArray('goals').length).toBeGreaterThan(0);
    provider.destroy();
    doc.destroy();
  });

  it('still takes ?token= from outside clients', async () => {
    const ok = await open([], `?token=${await hub.token('hanne')}`);
    expect(ok.code).toBeNull();
    ok.ws.close();
  });
});

describe('POST /embed/session abuse', () => {
  let hub: TestHub;
  let carl: string;
  let nielsId: string;
  let nielsLogins = 0;
  beforeAll(async () => {
    hub = await startHub({ env: { EMBED_SESSION_RATE_PER_MINUTE: '60' } });
    carl = await hub.planOf('Carl Jensen');
    nielsId = (await hub.login('niels')).user.id;
    nielsLogins = 1;
  });
  afterAll(() => hub.stop());

  /** Waits until everything audited before now is stored: a sign-in by niels is audited after it (one queue, in order). */
  const auditSettled = async () => {
    await hub.login('niels');
    nielsLogins++;
    await eventually(
      () => auditRows(hub, 'login').filter((r) => r.actor_id === nielsId).length === nielsLogins,
      5000,
      'the marker entry',
    );
  };

  it('does not audit garbage, counts it, and throttles a flood per address with 429', async () => {
    await auditSettled();
    const rows = auditCount(hub);
    const statuses: number[] = [];
    for (let i = 0; i < 39; i++)
      statuses.push((await openSession(hub, `garbage-link-${i}-xxxxxxxxxxxxxxxxxxxx`)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    // A link signed with another secret is garbage too.
    const forged = await new SignJWT({ kind: 'embed-link', plan: carl })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('carehub')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    statuses.push((await openSession(hub, forged)).status);
    await auditSettled();
    // Only the marker sign-ins were added.
    expect(auditCount(hub) - rows).toBe(1);
    const metrics = await (await fetch(`${hub.server.url}/metrics`)).text();
    expect(parsePrometheus(metrics).value('carehub_embed_session_invalid_total')).toBeGreaterThanOrEqual(40);

    // The flood goes on: 60 a minute per address, then 429 with Retry-After and an error body.
    let throttled: Response | null = null;
    for (let i = 0; i < 100 && !throttled; i++) {
      const res = await openSession(hub, `garbage-${i}-xxxxxxxxxxxxxxxxxxxxxxxx`);
      if (res.status === 429) throttled = res;
    }
    expect(throttled).not.toBeNull();
    expect(Number(throttled!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await json<{ error: { code: string } }>(throttled!)).toMatchObject({ error: { code: 'rate_limited' } });
    expect(
      parsePrometheus(await (await fetch(`${hub.server.url}/metrics`)).text()).value('carehub_limit_actions_total', {
        limit: 'embed_session_rate',
        transport: 'http',
      }),
    ).toBeGreaterThan(0);
  });

  it('audits the refusal of a real link that expired or was revoked', async () => {
    const gitte = await hub.login('gitte');
    const link = await linkOf(hub, gitte.token, carl);
    const expired = await signed({ kind: 'embed-link', plan: carl }, link.id, -10);
    // Another address: the flood above used this one's allowance.
    const headers = { 'x-forwarded-for': '10.1.2.3' };
    expect((await openSession(hub, expired, headers)).status).toBe(401);
    expect((await hub.api(`/embed-links/${link.id}`, { method: 'DELETE', token: gitte.token })).status).toBe(204);
    expect((await openSession(hub, link.link, headers)).status).toBe(401);
    await eventually(
      () => {
        const refused = auditRows(hub, 'embed-link.use').filter(
          (r) => r.outcome === 'refused' && JSON.parse(r.details).linkId === link.id,
        );
        return refused.length === 2;
      },
      5000,
      'both refusals audited',
    );
  });
});
