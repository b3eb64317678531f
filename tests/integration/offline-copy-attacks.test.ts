import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CareTeamMember } from '../../shared/api.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Attacks on `GET /plans/:id/offline-copy` (issue 16): whoever may not open the plan live gets no
 * copy (another plan through an embed session, a removed care-team member, one the citizen
 * objected to, a revoked link), and every access through a path the citizen must see flagged
 * (an embed session, break-the-glass) is on record even when the same person fetched the plan
 * through the care team a moment before.
 */
describe('attacks on the offline copy', () => {
  let hub: TestHub;
  let carl: string;
  let erik: string;

  beforeAll(async () => {
    hub = await startHub();
    carl = await hub.planOf('Carl Jensen');
    erik = await hub.planOf('Erik Nielsen', 'maja');
  });
  afterAll(() => hub.stop());

  const copy = (planId: string, token: string) => hub.api(`/plans/${planId}/offline-copy`, { token });

  async function embedSession(planId: string, access: 'read' | 'edit'): Promise<{ id: string; token: string }> {
    const created = (await (
      await hub.api(`/plans/${planId}/embed-links`, {
        method: 'POST',
        token: await hub.token('gitte'),
        body: JSON.stringify({ access }),
      })
    ).json()) as { id: string; link: string };
    const session = (await (
      await hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link: created.link }) })
    ).json()) as { token: string };
    return { id: created.id, token: session.token };
  }

  const prefetches = async (planId: string, actorId: string) =>
    (await hub.server.store.listAudit({ limit: 1000 })).filter(
      (e) => e.action === 'plan.prefetch' && e.planId === planId && e.actorId === actorId && e.outcome === 'allowed',
    );

  it('gives an embed session no copy of another plan, and none once its link is revoked', async () => {
    const { id, token } = await embedSession(carl, 'read');
    expect((await copy(carl, token)).status).toBe(200);
    const other = await copy(erik, token);
    expect(other.status).toBe(403);
    expect(await other.text()).not.toContain('Erik');
    const revoked = await hub.api(`/embed-links/${id}`, { method: 'DELETE', token: await hub.token('gitte') });
    expect(revoked.status).toBeLessThan(300);
    expect([401, 403]).toContain((await copy(carl, token)).status);
  });

  it('audits an embed session’s copy as such, also right after the same person fetched it through the care team', async () => {
    const gitte = (await hub.login('gitte')).user.id;
    expect((await copy(erik, await hub.token('gitte'))).status).toBe(200);
    const { token } = await embedSession(erik, 'edit');
    expect((await copy(erik, token)).status).toBe(200);
    // Entries are written in the background: wait for the care team's, then look for the embed one.
    const end = Date.now() + 5000;
    let entries = await prefetches(erik, gitte);
    while (!(entries.some((e) => !e.details?.embed) && entries.some((e) => e.details?.embed)) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      entries = await prefetches(erik, gitte);
    }
    expect(entries.filter((e) => !e.details?.embed)).toHaveLength(1);
    expect(entries.filter((e) => e.details?.embed === true)).toHaveLength(1);
  });

  it('refuses a removed care-team member and one the citizen objected to', async () => {
    const maja = await hub.login('maja');
    expect((await copy(carl, maja.token)).status).toBe(200);
    const team = (await (
      await hub.api(`/plans/${carl}/care-team`, { token: await hub.token('hanne') })
    ).json()) as CareTeamMember[];
    const municipality = team.find((m) => m.organisation?.sector === 'municipality')!;
    const removed = await hub.api(`/plans/${carl}/care-team/${municipality.id}`, {
      method: 'DELETE',
      token: await hub.token('hanne'),
    });
    expect(removed.status).toBe(204);
    const refused = await copy(carl, maja.token);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('Carl');
    await hub.api(`/plans/${carl}/care-team`, {
      method: 'POST',
      token: await hub.token('hanne'),
      body: JSON.stringify({ organisationId: municipality.organisation!.id }),
    });
    expect((await copy(carl, maja.token)).status).toBe(200);
    const objection = await hub.api('/me/objections', {
      method: 'POST',
      token: await hub.token('carl'),
      body: JSON.stringify({ userId: maja.user.id }),
    });
    expect(objection.status).toBe(201);
    expect((await copy(carl, maja.token)).status).toBe(403);
  });
});
