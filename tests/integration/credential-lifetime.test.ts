import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CloseCode } from '../../shared/protocol.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { auditRows, createLink, drained, linkOf, signed, socketWith } from '../fixtures/credentials.ts';
import { observation, postAs, watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const AISHA = '221188-7654';

/** Resolves with the first `event` the socket receives. */
const next = <T>(socket: { once(event: string, fn: (arg: T) => void): unknown }, event: string): Promise<T> =>
  new Promise((resolve) => socket.once(event, resolve));

/**
 * Issue 14, findings 5 and 6: every credential ends when its time is up, also on connections
 * that are open then, and break-the-glass cannot be turned into lasting access.
 */
describe('credentials end on open connections', () => {
  let hub: TestHub;
  let carl: string;
  let aisha: string;
  let hanne: { id: string; organisation: string };

  beforeAll(async () => {
    // Break-the-glass lasts 3 s here.
    hub = await startHub({ env: { BREAK_GLASS_MINUTES: '0.05' } });
    carl = await hub.planOf('Carl Jensen');
    aisha = await hub.planOf('Aisha Khan', 'gitte');
    const login = await hub.login('hanne');
    hanne = { id: login.user.id, organisation: login.user.organisation!.id };
  });
  afterAll(() => hub.stop());

  it('break-the-glass cannot add the user’s organisation to the care team, and its watch ends with the grant', async () => {
    const token = await hub.token('hanne');
    const grant = await hub.api(`/plans/${aisha}/break-glass`, {
      method: 'POST',
      token,
      body: JSON.stringify({ reason: 'Bevidstløs i skadestuen, behov for medicinliste' }),
    });
    expect(grant.status).toBe(201);
    const socket = await socketWith(hub, token);
    expect(await socket.emitWithAck('plan:watch', { planId: aisha })).toEqual({ ok: true });
    const unwatched = next<{ planId: string; reason: string }>(socket, 'plan:unwatched');

    const add = await hub.api(`/plans/${aisha}/care-team`, {
      method: 'POST',
      token,
      body: JSON.stringify({ organisationId: hanne.organisation }),
    });
    expect(add.status).toBe(403);
    const addSelf = await hub.api(`/plans/${aisha}/care-team`, {
      method: 'POST',
      token,
      body: JSON.stringify({ userId: hanne.id }),
    });
    expect(addSelf.status).toBe(403);
    // Nor can she make the access last through an embed link.
    expect((await createLink(hub, token, aisha, { access: 'read' })).status).toBe(403);
    const team = (await (await hub.api(`/plans/${aisha}/care-team`, { token })).json()) as { id: string }[];
    expect((await hub.api(`/plans/${aisha}/care-team/${team[0]!.id}`, { method: 'DELETE', token })).status).toBe(403);
    await eventually(
      () =>
        auditRows(hub, 'care-team.add').some(
          (r) => r.outcome === 'refused' && JSON.parse(r.details).breakTheGlass === true,
        ),
      5000,
      'the refusal audited',
    );

    // The grant ends: the watch ends with it, and results after it do not reach her.
    expect(await unwatched).toMatchObject({ planId: aisha });
    expect((await hub.api(`/plans/${aisha}`, { token })).status).toBe(403);
    const gitte = await watcher(hub, 'gitte', aisha);
    const lab = (await createApiKey(hub.server.store.results, 'lab')).key;
    expect(
      (await postAs(hub, lab, '/results', observation({ id: randomUUID(), cpr: AISHA, value: 7.5, flag: 'HH' })))
        .status,
    ).toBe(201);
    await eventually(() => gitte.filed.some((f) => f.planId === aisha), 5000, 'the care team got the result');
    await drained(socket);
    expect(socket.filed).toEqual([]);
    // Watching again is refused now.
    expect(await socket.emitWithAck('plan:watch', { planId: aisha })).toMatchObject({ ok: false });
    socket.close();
    gitte.close();
  });

  it('closes /collab (4401) and Socket.IO when the session token expires', async () => {
    // A session row ending with its token (as a sign-in makes them), 2 s from now.
    const sid = randomUUID();
    await hub.server.store.identity.addSession({
      id: sid,
      userId: hanne.id,
      providerId: null,
      started: new Date().toISOString(),
      expires: new Date(Date.now() + 2000).toISOString(),
      ended: null,
      endedReason: null,
    });
    const token = await signed({ kind: 'session', sid }, hanne.id, 2);
    const live = connectCollab(hub.wsUrl, carl, token);
    await live.synced;
    const socket = await socketWith(hub, token);
    const ended = next<{ reason: string; expired: boolean }>(socket, 'session:ended');
    const closed = await live.closed;
    expect(closed.code).toBe(CloseCode.unauthorized);
    expect(closed.reason).toMatch(/expired/);
    expect(await ended).toEqual({ reason: 'expired', expired: true });
    expect(await socket.ended).toBe('io server disconnect');
    live.destroy();
  });

  it('closes an embed session’s connections when the session expires, and when its link expires first', async () => {
    const gitte = await hub.login('gitte');
    const link = await linkOf(hub, gitte.token, carl);
    const shortSession = await signed({ kind: 'embed-session', plan: carl, access: 'edit' }, link.id, 2);
    const live = connectCollab(hub.wsUrl, carl, shortSession);
    await live.synced;
    const socket = await socketWith(hub, shortSession);
    const closed = await live.closed;
    expect(closed).toMatchObject({ code: CloseCode.unauthorized, reason: expect.stringMatching(/expired/) });
    await socket.ended;
    live.destroy();

    // A link that ends before the session token does: the link's end closes it.
    const linkId = randomUUID();
    const now = Date.now();
    await hub.server.store.accessGrants.addEmbedLink({
      id: linkId,
      planId: carl,
      access: 'edit',
      createdBy: gitte.user.id,
      createdBySystem: null,
      createdByKey: null,
      actsAs: gitte.user.id,
      created: new Date(now).toISOString(),
      expires: new Date(now + 2000).toISOString(),
      revoked: null,
    });
    const longSession = await signed({ kind: 'embed-session', plan: carl, access: 'edit' }, linkId, 3600);
    const second = connectCollab(hub.wsUrl, carl, longSession);
    await second.synced;
    const secondSocket = await socketWith(hub, longSession);
    expect(await second.closed).toMatchObject({
      code: CloseCode.unauthorized,
      reason: expect.stringMatching(/expired/),
    });
    await secondSocket.ended;
    second.destroy();
  });
});
