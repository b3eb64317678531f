import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { CloseCode } from '../../shared/protocol.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import { startHub, TEST_SECRET, type TestHub } from '../fixtures/server.ts';

describe('who may open a plan', () => {
  let hub: TestHub;
  let ingridPlan: string;
  let carlPlan: string;

  beforeAll(async () => {
    hub = await startHub();
    ingridPlan = await hub.planOf('Ingrid Madsen', 'hanne');
    carlPlan = await hub.planOf('Carl Jensen', 'hanne');
  });
  afterAll(() => hub.stop());

  const expired = async () => {
    const me = (await hub.login('hanne')).user;
    return new SignJWT({ kind: 'session', sid: randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(me.id)
      .setIssuer('carehub')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_SECRET));
  };
  const forged = async () => {
    const me = (await hub.login('hanne')).user;
    return new SignJWT({ kind: 'session', sid: randomUUID() })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(me.id)
      .setIssuer('carehub')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
  };

  it('refuses a wrong password without saying which part was wrong', async () => {
    const wrong = await hub.api('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'hanne', password: 'nope' }),
    });
    const unknown = await hub.api('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'nobody', password: 'demo' }),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
    const bad = await hub.api('/auth/login', { method: 'POST', body: JSON.stringify({ username: '' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
  });

  it('lets care-team members in and refuses others with 403 on REST', async () => {
    const maja = await hub.token('maja');
    const gitte = await hub.token('gitte');
    expect((await hub.api(`/plans/${carlPlan}`, { token: maja })).status).toBe(200);
    for (const path of [`/plans/${ingridPlan}`, `/plans/${ingridPlan}/document`, `/plans/${ingridPlan}/care-team`]) {
      const res = await hub.api(path, { token: gitte });
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    // Ingrid's patient id is not reachable either, and she does not appear in gitte's list.
    const list = (await (await hub.api('/patients', { token: gitte })).json()) as { name: string }[];
    expect(list.map((p) => p.name)).not.toContain('Ingrid Madsen');
    // The citizen sees their own plan only.
    const carl = await hub.token('carl');
    expect((await hub.api(`/plans/${carlPlan}`, { token: carl })).status).toBe(200);
    expect((await hub.api(`/plans/${ingridPlan}`, { token: carl })).status).toBe(403);
  });

  it('refuses a missing, forged or expired token with 401 on REST', async () => {
    for (const token of [undefined, await forged(), await expired(), 'not-a-jwt']) {
      const res = await hub.api('/me', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('closes /collab with 4403 for a user not on the care team, and 4401 for bad tokens', async () => {
    const outsider = connectCollab(hub.wsUrl, ingridPlan, await hub.token('gitte'));
    expect((await outsider.closed).code).toBe(CloseCode.forbidden);
    outsider.destroy();
    for (const token of [null, await forged(), await expired()]) {
      const c = connectCollab(hub.wsUrl, carlPlan, token);
      const closed = await c.closed;
      expect(closed.code).toBe(CloseCode.unauthorized);
      expect(closed.reason).toMatch(/unauthorized/);
      c.destroy();
    }
    const unknownPlan = connectCollab(hub.wsUrl, '00000000-0000-4000-8000-000000000000', await hub.token('hanne'));
    expect((await unknownPlan.closed).code).toBe(CloseCode.notFound);
    unknownPlan.destroy();
  });
});

describe('Socket.IO access', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.stop());

  it('refuses a socket without a valid token, and plan:watch on a plan outside the care team', async () => {
    const { io } = await import('socket.io-client');
    const bad = io(hub.server.url, { auth: { token: 'forged' }, transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => bad.once('connect_error', resolve));
    expect(error.message).toMatch(/unauthorized/);
    bad.close();

    const socket = io(hub.server.url, {
      auth: { token: await hub.token('gitte') },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const own = await socket.emitWithAck('plan:watch', { planId: await hub.planOf('Carl Jensen', 'gitte') });
    expect(own).toEqual({ ok: true });
    const other = await socket.emitWithAck('plan:watch', { planId: await hub.planOf('Ingrid Madsen', 'hanne') });
    expect(other).toMatchObject({ ok: false });
    const garbage = await socket.emitWithAck('plan:watch', { planId: 42 } as never);
    expect(garbage).toMatchObject({ ok: false });
    socket.close();
  });
});
