import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { CareTeamMember, PatientView } from '../../shared/api.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { observation, postAs, watcher, type Watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL_CPR = '1203451237';

/**
 * A citizen's objection leaves the objected-to person, or everyone of the objected-to
 * organisation, out of everything about the citizen (issue 14, finding 7): the patient list,
 * the search, notifications (stored and live), results pushed to watchers, and break-the-glass.
 */
describe('an objection holds everywhere', () => {
  let hub: TestHub;
  let key: string;
  let carlPlan: string;
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  const userId = async (username: string) => (await hub.login(username)).user.id;
  const object = async (body: { userId?: string; organisationId?: string }) => {
    const res = await hub.api('/me/objections', {
      method: 'POST',
      token: await hub.token('carl'),
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    return (await json<{ id: string }>(res)).id;
  };
  const withdraw = async (id: string) =>
    expect((await hub.api(`/me/objections/${id}`, { method: 'DELETE', token: await hub.token('carl') })).status).toBe(
      204,
    );
  const list = async (username: string) =>
    json<PatientView[]>(await hub.api('/patients', { token: await hub.token(username) }));
  const search = async (username: string, query: string) => {
    const res = await hub.api('/patients/search', {
      method: 'POST',
      token: await hub.token(username),
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(200);
    return json<PatientView[]>(res);
  };
  const storedNotifications = (user: string, planId: string) =>
    hub
      .sqlite()
      .prepare('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND plan_id = ?')
      .pluck()
      .get(user, planId) as number;
  /** Everything the server sent this socket before now has arrived once this answers. */
  const roundTrip = (s: Watcher) => s.emitWithAck('plan:unwatch', { planId: randomUUID() });

  beforeAll(async () => {
    hub = await startHub({ env: { RESULT_NOTIFY_COALESCE_MS: '0' } });
    key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    carlPlan = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  it('leaves the patient out of the objected-to person’s list and search: no CPR, no name, no plan titles', async () => {
    expect((await list('gitte')).map((p) => p.name)).toContain('Carl Jensen');
    expect((await search('gitte', '120345-1237')).map((p) => p.name)).toEqual(['Carl Jensen']);
    const objection = await object({ userId: await userId('gitte') });

    const listed = await list('gitte');
    expect(listed.map((p) => p.name)).toContain('Erik Nielsen');
    for (const found of [
      listed,
      await search('gitte', '120345-1237'),
      await search('gitte', CARL_CPR),
      await search('gitte', 'Carl'),
      await search('gitte', 'Jensen'),
    ]) {
      const text = JSON.stringify(found);
      expect(text).not.toContain(CARL_CPR);
      expect(text).not.toContain('Carl');
      expect(text).not.toContain(carlPlan);
      expect(text).not.toMatch(/Hjertesvigt/);
    }
    // A name search by GET may stay; it too leaves him out.
    const byGet = await hub.api('/patients?query=Jensen', { token: await hub.token('gitte') });
    expect(byGet.status).toBe(200);
    expect(await byGet.json()).toEqual([]);
    // Others on the care team still see him; an organisation-wide objection hides him from all its staff.
    expect((await list('hanne')).map((p) => p.name)).toContain('Carl Jensen');
    const hospital = await object({ organisationId: (await hub.login('hanne')).user.organisation!.id });
    for (const user of ['hanne', 'niels'])
      expect(
        (await list(user)).map((p) => p.name),
        user,
      ).not.toContain('Carl Jensen');
    expect(await search('niels', CARL_CPR)).toEqual([]);

    await withdraw(objection);
    await withdraw(hospital);
    expect((await list('gitte')).map((p) => p.name)).toContain('Carl Jensen');
    expect((await list('hanne')).map((p) => p.name)).toContain('Carl Jensen');
  });

  it('notifies, stores and sends nothing to an objected-to person or organisation, and ends their watch', async () => {
    const gitte = await watcher(hub, 'gitte', carlPlan);
    const maja = await watcher(hub, 'maja', carlPlan);
    const hanne = await watcher(hub, 'hanne', carlPlan);
    const [gitteId, majaId, hanneId] = [await userId('gitte'), await userId('maja'), await userId('hanne')];
    const objections = [
      await object({ userId: gitteId }),
      await object({ organisationId: (await hub.login('maja')).user.organisation!.id }),
    ];
    // Watching again is refused, and the refusal says only that the citizen objected.
    expect(await gitte.emitWithAck('plan:watch', { planId: carlPlan })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/objected/),
    });

    const id = randomUUID();
    expect(
      (await postAs(hub, key, '/results', observation({ id, cpr: CARL_CPR, value: 7.4, flag: 'HH' }))).status,
    ).toBe(201);
    await eventually(
      () =>
        hanne.filed.length === 1 && hanne.notifications.some((n) => n.planId === carlPlan && n.severity === 'critical'),
      5000,
      'the team told',
    );
    await Promise.all([roundTrip(gitte), roundTrip(maja)]);
    for (const [name, socket] of [
      ['gitte', gitte],
      ['maja', maja],
    ] as const) {
      expect(socket.filed, name).toEqual([]);
      expect(socket.notifications, name).toEqual([]);
    }
    expect(storedNotifications(gitteId, carlPlan)).toBe(0);
    expect(storedNotifications(majaId, carlPlan)).toBe(0);
    expect(storedNotifications(hanneId, carlPlan)).toBe(1);
    for (const user of ['gitte', 'maja']) {
      const unseen = await json<{ planId: string }[]>(
        await hub.api('/notifications', { token: await hub.token(user) }),
      );
      expect(
        unseen.filter((n) => n.planId === carlPlan),
        user,
      ).toEqual([]);
    }
    for (const o of objections) await withdraw(o);
    for (const s of [gitte, maja, hanne]) s.close();
  });

  it('hides notifications stored before the objection', async () => {
    const gitte = await watcher(hub, 'gitte');
    expect(
      (await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: CARL_CPR, value: 4.2 }))).status,
    ).toBe(201);
    await eventually(
      () => gitte.notifications.some((n) => n.planId === carlPlan),
      5000,
      'the notification before the objection',
    );
    const unseen = async () =>
      json<{ planId: string; text: string }[]>(await hub.api('/notifications', { token: await hub.token('gitte') }));
    expect((await unseen()).some((n) => n.planId === carlPlan)).toBe(true);
    const objection = await object({ userId: await userId('gitte') });
    expect((await unseen()).filter((n) => n.planId === carlPlan)).toEqual([]);
    await withdraw(objection);
    expect((await unseen()).some((n) => n.planId === carlPlan)).toBe(true);
    gitte.close();
  });

  it('blocks break-the-glass too, and ends a grant in use (decided: CareHub is not the acute record)', async () => {
    const hanne = await hub.token('hanne');
    const team = await json<CareTeamMember[]>(await hub.api(`/plans/${carlPlan}/care-team`, { token: hanne }));
    const municipality = team.find((m) => m.organisation?.sector === 'municipality')!;
    expect(
      (await hub.api(`/plans/${carlPlan}/care-team/${municipality.id}`, { method: 'DELETE', token: hanne })).status,
    ).toBe(204);
    const maja = await hub.token('maja');
    const reason = JSON.stringify({ reason: 'Fundet faldet i hjemmet, behov for medicinlisten' });
    const lookup = (token: string) =>
      hub.api('/patients/emergency-lookup', { method: 'POST', token, body: JSON.stringify({ cpr: '120345-1237' }) });

    // Not on the team: she may break the glass; the citizen's objection then ends it at once.
    expect(
      (await hub.api(`/plans/${carlPlan}/break-glass`, { method: 'POST', token: maja, body: reason })).status,
    ).toBe(201);
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: maja })).status).toBe(200);
    const objection = await object({ userId: await userId('maja') });
    const refused = await hub.api(`/plans/${carlPlan}/document`, { token: maja });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).not.toMatch(/Carl|Hjertesvigt/);
    // …and she cannot break it again; the look-up says why and names no plan.
    expect(
      (await hub.api(`/plans/${carlPlan}/break-glass`, { method: 'POST', token: maja, body: reason })).status,
    ).toBe(403);
    expect(await json(await lookup(maja))).toMatchObject({ access: 'objected', plans: [] });
    // On the team, an objected-to person cannot break the glass either.
    const gitteObjection = await object({ userId: await userId('gitte') });
    expect(
      (
        await hub.api(`/plans/${carlPlan}/break-glass`, {
          method: 'POST',
          token: await hub.token('gitte'),
          body: reason,
        })
      ).status,
    ).toBe(403);

    for (const o of [objection, gitteObjection]) await withdraw(o);
    expect(
      (
        await hub.api(`/plans/${carlPlan}/care-team`, {
          method: 'POST',
          token: hanne,
          body: JSON.stringify({ organisationId: municipality.organisation!.id }),
        })
      ).status,
    ).toBe(201);
  });

  it('refuses a CPR number in a GET query, pointing to POST /patients/search', async () => {
    const token = await hub.token('hanne');
    for (const query of [
      '120345-1237',
      CARL_CPR,
      '120345',
      '120345 1237',
      '１２０３４５１２３７',
      '¹²⁰³⁴⁵¹²³⁷',
      '①②⓪③④⑤①②③⑦',
    ]) {
      const res = await hub.api(`/patients?query=${encodeURIComponent(query)}`, { token });
      expect(res.status, query).toBe(400);
      const body = await json<{ error: { code: string; message: string } }>(res);
      expect(body.error.message).toContain('POST /api/v1/patients/search');
      expect(JSON.stringify(body)).not.toContain(query);
    }
    expect((await hub.api('/patients?query=Carl', { token })).status).toBe(200);
    expect((await search('hanne', '120345 1237')).map((p) => p.name)).toEqual(['Carl Jensen']);
  });
});
