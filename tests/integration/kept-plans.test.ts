import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CareTeamMember } from '../../shared/api.ts';
import { createLink } from '../fixtures/credentials.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * `POST /me/kept-plans` (issue 16, the attacker's finding 9): a tablet asks which of the plans
 * it keeps offline its person may still open, so a plan whose access was lost while it was not
 * open leaves the device at once. It answers yes or no per plan, nothing more, and refuses
 * anything but a list of plan ids.
 */
describe('which kept plans a person may still open', () => {
  let hub: TestHub;
  let carl: string;
  let ingrid: string;

  beforeAll(async () => {
    hub = await startHub();
    carl = await hub.planOf('Carl Jensen', 'maja');
    ingrid = await hub.planOf('Ingrid Madsen', 'hanne');
  });
  afterAll(() => hub.stop());

  const ask = async (token: string, body: unknown) =>
    hub.api('/me/kept-plans', { method: 'POST', token, body: JSON.stringify(body) });

  it('names only the plans the person may open; unknown and others’ plans are simply not named', async () => {
    const maja = await hub.token('maja');
    const res = await ask(maja, { planIds: [carl, ingrid, randomUUID(), carl] });
    expect(res.status).toBe(200);
    const { reachable } = (await res.json()) as { reachable: string[] };
    expect(reachable).toEqual([carl]);
    // The citizen: their own plan only.
    const carlHimself = await hub.token('carl');
    expect(
      ((await (await ask(carlHimself, { planIds: [carl, ingrid] })).json()) as { reachable: string[] }).reachable,
    ).toEqual([carl]);
  });

  it('stops naming a plan once the person’s organisation leaves its care team', async () => {
    const maja = await hub.token('maja');
    const hanne = await hub.token('hanne');
    const team = (await (await hub.api(`/plans/${carl}/care-team`, { token: hanne })).json()) as CareTeamMember[];
    const municipality = team.find((m) => m.organisation?.sector === 'municipality')!;
    expect(
      (await hub.api(`/plans/${carl}/care-team/${municipality.id}`, { method: 'DELETE', token: hanne })).status,
    ).toBe(204);
    expect(((await (await ask(maja, { planIds: [carl] })).json()) as { reachable: string[] }).reachable).toEqual([]);
  });

  it('refuses anything but a bounded list of plan ids, and an embedded session', async () => {
    const maja = await hub.token('maja');
    for (const body of [
      {},
      { planIds: 'x' },
      { planIds: ['not-a-uuid'] },
      { planIds: [carl], extra: 1 },
      { planIds: Array.from({ length: 501 }, () => randomUUID()) },
    ]) {
      const res = await ask(maja, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.any(Object) });
    }
    expect((await hub.api('/me/kept-plans', { method: 'POST', body: JSON.stringify({ planIds: [] }) })).status).toBe(
      401,
    );
    const gitte = await hub.token('gitte');
    const created = await createLink(hub, gitte, carl, { access: 'read' });
    expect(created.status).toBe(201);
    const link = (await created.json()) as { link: string };
    const session = (await (
      await hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link: link.link }) })
    ).json()) as { token: string };
    expect(session.token).toEqual(expect.any(String));
    expect((await ask(session.token, { planIds: [carl] })).status).toBe(403);
  });
});
