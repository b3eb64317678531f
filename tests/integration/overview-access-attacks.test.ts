import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Overview } from '../../shared/overview.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Overblik's summaries are kept per plan, node-wide, in one batch (issue 20): whose plans a
 * person's Overblik shows is still decided per request from the care team, so a summary kept
 * (and cached) for everyone never shows a plan to someone who left its care team, not even
 * changes written after they left.
 */
describe('Overblik after leaving a care team', () => {
  let hub: TestHub;
  let carlPlan: string;

  beforeAll(async () => {
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen');
  });
  afterAll(async () => {
    await hub.stop();
  });

  const overview = async (username: string): Promise<Overview> => {
    const res = await hub.api('/overview', { token: await hub.token(username) });
    expect(res.status).toBe(200);
    return (await res.json()) as Overview;
  };

  it('shows nothing of a plan whose care team the person left, kept summary or not', async () => {
    // Before: the municipal nurse's Overblik has Carl's plan (its municipal task due today).
    expect((await overview('maja')).items.some((i) => i.planId === carlPlan)).toBe(true);

    // The doctor removes the municipality (and maja, if she is on it by name) from Carl's team.
    const hanneToken = await hub.token('hanne');
    const maja = await hub.login('maja');
    const team = (await (await hub.api(`/plans/${carlPlan}/care-team`, { token: hanneToken })).json()) as {
      id: string;
      organisation: { id: string } | null;
      user: { id: string } | null;
    }[];
    const hers = team.filter(
      (m) => m.user?.id === maja.user.id || (m.organisation && m.organisation.id === maja.user.organisation?.id),
    );
    expect(hers.length).toBeGreaterThan(0);
    for (const m of hers) {
      const res = await hub.api(`/plans/${carlPlan}/care-team/${m.id}`, { method: 'DELETE', token: hanneToken });
      expect(res.status).toBe(204);
    }

    // A municipal task due today, written after she left, reaches the plan's kept summary.
    const hanne = await join(hub, 'hanne', carlPlan);
    const marker = `EFTER-FJERNELSE-${randomUUID()}`;
    sectionOf(hanne.doc, 'tasks').push([
      newEntry({
        id: randomUUID(),
        title: marker,
        sector: 'municipality',
        status: 'planned',
        due: new Date().toISOString().slice(0, 10),
      }),
    ]);
    await eventually(
      () =>
        String(
          hub.sqlite().prepare('SELECT summary FROM plan_summaries WHERE plan_id = ?').pluck().get(carlPlan) ?? '',
        ).includes(marker),
      5000,
      'the summary with the new task',
    );
    hanne.leave();

    const after = await overview('maja');
    expect(after.items.filter((i) => i.planId === carlPlan)).toEqual([]);
    expect(JSON.stringify(after)).not.toContain(marker);
    expect(JSON.stringify(after)).not.toContain('Carl Jensen');
  });
});
