import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { AccessLogEntry } from '../../shared/audit.ts';
import type { CareTeamMember } from '../../shared/api.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { connectCollab, eventually, waitForDoc } from '../fixtures/collab-client.ts';
import { createLink, drained, json, linkOf, openSession, sessionOf, socketWith } from '../fixtures/credentials.ts';
import { join } from '../fixtures/plan-team.ts';
import { observation, postAs, watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const ERIK = '030738-0115';

/**
 * Issue 14, findings 3 and 4: an embed session acts as the person who made the link, with
 * that person's role, and has no more access than they have now (care team, objections); its
 * Socket.IO connection sees its one plan's events only.
 */
describe('embed sessions act as their creator', () => {
  let hub: TestHub;
  let carl: string;
  let erik: string;

  beforeAll(async () => {
    hub = await startHub();
    carl = await hub.planOf('Carl Jensen');
    erik = await hub.planOf('Erik Nielsen', 'gitte');
  });
  afterAll(() => hub.stop());

  it('a nurse’s own edit link gives her a nurse’s rights, not a prescriber’s, and names her', async () => {
    const maja = await hub.login('maja');
    // Nor can she make a link that acts as someone else.
    expect((await createLink(hub, maja.token, carl, { actsAs: (await hub.login('gitte')).user.id })).status).toBe(403);
    const link = await linkOf(hub, maja.token, carl, { access: 'edit' });
    const session = await sessionOf(hub, link.link);
    expect(session.user).toMatchObject({ id: maja.user.id, role: 'municipal_nurse' });
    expect(await json<{ id: string }>(await hub.api('/me', { token: session.token }))).toMatchObject({
      id: maja.user.id,
    });

    const hanne = await join(hub, 'hanne', carl);
    const embedded = connectCollab(hub.wsUrl, carl, session.token);
    await embedded.synced;
    sectionOf(embedded.doc, 'medications').push([
      newEntry({
        id: randomUUID(),
        drug: 'EMBED-FORGED-DRUG',
        dose: '1 g',
        route: 'oral',
        frequency: 'x',
        start: '2026-01-01',
      }),
    ]);
    // Refused and reverted: her copy converges back, and nobody else ever sees it.
    await waitForDoc(
      embedded.doc,
      (d) => !JSON.stringify(planToJson(d)).includes('EMBED-FORGED-DRUG'),
      5000,
      'the forged medication reverted',
    );
    expect(JSON.stringify(planToJson(hanne.doc))).not.toContain('EMBED-FORGED-DRUG');
    // What she may do, she does as herself.
    sectionOf(embedded.doc, 'goals').push([
      newEntry({
        id: randomUUID(),
        description: richText('EMBED-NURSE-GOAL'),
        status: 'proposed',
        sector: 'municipality',
      }),
    ]);
    await waitForDoc(
      hanne.doc,
      (d) => JSON.stringify(planToJson(d)).includes('EMBED-NURSE-GOAL'),
      5000,
      'the goal at a peer',
    );
    embedded.destroy();
    hanne.leave();
    const history = JSON.stringify(
      await (await hub.api(`/plans/${carl}/history`, { token: await hub.token('hanne') })).json(),
    );
    expect(history).toContain(maja.user.id);
    expect(history).not.toContain('embed:');
    const log = await json<AccessLogEntry[]>(await hub.api('/me/access-log', { token: await hub.token('carl') }));
    expect(log.filter((e) => e.actionCode === 'plan.open').some((e) => e.person === maja.user.name)).toBe(true);
    expect(log.some((e) => e.person === 'an unknown user')).toBe(false);
  });

  it('a link stops when the citizen objects to its creator: open copies close, the next use is refused', async () => {
    const gitte = await hub.login('gitte');
    const link = await linkOf(hub, gitte.token, carl);
    const session = await sessionOf(hub, link.link);
    const embedded = connectCollab(hub.wsUrl, carl, session.token);
    await embedded.synced;
    const socket = await socketWith(hub, session.token);
    expect(await socket.emitWithAck('plan:watch', { planId: carl })).toEqual({ ok: true });
    const objection = await hub.api('/me/objections', {
      method: 'POST',
      token: await hub.token('carl'),
      body: JSON.stringify({ userId: gitte.user.id }),
    });
    expect(objection.status).toBe(201);
    expect((await embedded.closed).code).toBe(CloseCode.forbidden);
    await socket.ended;
    expect((await hub.api(`/plans/${carl}/document`, { token: session.token })).status).toBe(403);
    expect((await openSession(hub, link.link)).status).toBe(403);
    const late = connectCollab(hub.wsUrl, carl, session.token);
    expect((await late.closed).code).toBe(CloseCode.forbidden);
    late.destroy();
    embedded.destroy();
    socket.close();
    const { id } = await json<{ id: string }>(objection);
    expect((await hub.api(`/me/objections/${id}`, { method: 'DELETE', token: await hub.token('carl') })).status).toBe(
      204,
    );
  });

  it('a link stops when its creator’s organisation leaves the care team', async () => {
    const maja = await hub.login('maja');
    const link = await linkOf(hub, maja.token, carl, { access: 'read' });
    const session = await sessionOf(hub, link.link);
    const embedded = connectCollab(hub.wsUrl, carl, session.token);
    await embedded.synced;
    const hanne = await hub.token('hanne');
    const team = await json<CareTeamMember[]>(await hub.api(`/plans/${carl}/care-team`, { token: hanne }));
    const municipality = team.find((m) => m.organisation?.sector === 'municipality')!;
    expect(
      (await hub.api(`/plans/${carl}/care-team/${municipality.id}`, { method: 'DELETE', token: hanne })).status,
    ).toBe(204);
    expect((await embedded.closed).code).toBe(CloseCode.forbidden);
    expect((await hub.api(`/plans/${carl}`, { token: session.token })).status).toBe(403);
    embedded.destroy();
    expect(
      (
        await hub.api(`/plans/${carl}/care-team`, {
          method: 'POST',
          token: hanne,
          body: JSON.stringify({ organisationId: municipality.organisation!.id }),
        })
      ).status,
    ).toBe(201);
  });

  it('an embed socket hears its own plan only: no notifications about the creator’s other patients', async () => {
    const gitte = await hub.login('gitte');
    const link = await linkOf(hub, gitte.token, carl, { access: 'read' });
    const session = await sessionOf(hub, link.link);
    const embedSocket = await socketWith(hub, session.token);
    const gitteSocket = await watcher(hub, 'gitte');
    // Only its plan may be watched.
    expect(await embedSocket.emitWithAck('plan:watch', { planId: erik })).toMatchObject({ ok: false });
    expect(await embedSocket.emitWithAck('plan:watch', { planId: carl })).toEqual({ ok: true });
    // A critical result for another of gitte's patients: she is told; her embed link is not.
    const lab = (await createApiKey(hub.server.store.results, 'lab')).key;
    expect(
      (await postAs(hub, lab, '/results', observation({ id: randomUUID(), cpr: ERIK, value: 7.9, flag: 'HH' }))).status,
    ).toBe(201);
    await eventually(() => gitteSocket.notifications.some((n) => n.planId === erik), 5000, 'gitte told');
    await drained(embedSocket);
    expect(embedSocket.notifications.filter((n) => n.planId !== carl)).toEqual([]);
    expect(embedSocket.filed.filter((f) => f.planId !== carl)).toEqual([]);
    // Results on its own plan do reach it.
    expect(
      (await postAs(hub, lab, '/results', observation({ id: randomUUID(), cpr: '120345-1237', value: 4.2 }))).status,
    ).toBe(201);
    await eventually(() => embedSocket.filed.some((f) => f.planId === carl), 5000, 'its own plan’s result');
    // Revoking the link ends the socket.
    expect((await hub.api(`/embed-links/${link.id}`, { method: 'DELETE', token: gitte.token })).status).toBe(204);
    await embedSocket.ended;
    gitteSocket.close();
  });
});
