import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Principal } from '../../server/auth/access.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { ERIK } from '../../server/seed/demo-patients.ts';
import { copenhagenDate, OverviewBuilder } from '../../server/worklist/overview.ts';
import { type PlanSummary, parseSummary } from '../../server/worklist/plan-summary.ts';
import type { Overview, OverviewItem } from '../../shared/overview.ts';
import { metaOf, newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { join, type Member } from '../fixtures/plan-team.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Overblik reads per-plan summaries that the plan's room keeps as the plan changes, instead of
 * rebuilding every plan's document per request: a live edit, a filed result, an acknowledgement
 * and a ticked task each move the stored summary to the plan's last seq before anyone reads the
 * overview; "due today" is decided when the overview is read, on the Copenhagen calendar.
 */
describe('Overblik from summaries kept as the plans change', () => {
  let hub: TestHub;
  let key: string;
  let erikPlan: string;
  let maja: Member;

  beforeAll(async () => {
    hub = await startHub();
    key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    erikPlan = await hub.planOf('Erik Nielsen', 'maja');
    maja = await join(hub, 'maja', erikPlan);
  });
  afterAll(async () => {
    maja.leave();
    await hub.stop();
  });

  const overview = async (username: string): Promise<Overview> => {
    const res = await hub.api('/overview', { token: await hub.token(username) });
    expect(res.status).toBe(200);
    return (await res.json()) as Overview;
  };
  const of = <K extends OverviewItem['kind']>(o: Overview, kind: K) =>
    o.items.filter((i): i is Extract<OverviewItem, { kind: K }> => i.kind === kind && i.planId === erikPlan);
  const stored = () =>
    hub.sqlite().prepare('SELECT seq, summary FROM plan_summaries WHERE plan_id = ?').get(erikPlan) as
      | { seq: number; summary: string }
      | undefined;
  /**
   * Waits until the plan's room has written, at the plan's last stored seq, a summary that says
   * `what` (nobody reads the overview meanwhile).
   */
  const summaryCaughtUp = async (what: string, says: (s: PlanSummary) => boolean) => {
    await eventually(
      async () => {
        const row = stored();
        const summary = row && parseSummary(row.summary);
        return !!summary && says(summary) && row.seq === (await hub.server.store.latestSeq(erikPlan));
      },
      5000,
      `the summary kept after ${what}`,
    );
    return stored()!;
  };
  const task = (title: string) =>
    sectionOf(maja.doc, 'tasks')
      .toArray()
      .find((t) => t.get('title') === title) as Y.Map<unknown>;

  it('follows a live edit: a new task of my sector due today, and a renamed plan', async () => {
    const today = copenhagenDate(new Date());
    sectionOf(maja.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Blodtryk', sector: 'municipality', due: today, status: 'planned' }),
    ]);
    // The GP renames the plan (only prescribers may).
    const gitte = await join(hub, 'gitte', erikPlan);
    metaOf(gitte.doc).set('title', 'Diabetes og sår');
    await summaryCaughtUp(
      'a live edit',
      (s) => s.title === 'Diabetes og sår' && s.tasks.some((t) => t.title === 'Blodtryk'),
    );
    gitte.leave();

    const o = await overview('maja');
    expect(of(o, 'task-due').find((t) => t.title === 'Blodtryk')).toMatchObject({
      due: today,
      overdue: false,
      planTitle: 'Diabetes og sår',
      patient: { name: ERIK.name },
    });
  });

  it('follows a ticked task: done is no longer due', async () => {
    task('Blodtryk').set('status', 'done');
    await summaryCaughtUp('a ticked task', (s) => s.tasks.every((t) => t.title !== 'Blodtryk'));
    expect(of(await overview('maja'), 'task-due').map((t) => t.title)).not.toContain('Blodtryk');
  });

  it('follows a filed result and its acknowledgement', async () => {
    const before = stored()!.seq;
    const res = await postAs(
      hub,
      key,
      '/results',
      observation({ id: randomUUID(), cpr: ERIK.cpr, value: 7.4, flag: 'HH' }),
    );
    expect(res.status).toBe(201);
    await hub.server.filing.settled();
    // Filed into the plan (a server change): the room moved the summary on.
    const filed = await summaryCaughtUp('a filed result', () => stored()!.seq > before);
    expect(filed.seq).toBeGreaterThan(before);
    const critical = of(await overview('maja'), 'critical-result');
    expect(critical.map((c) => c.result.value)).toEqual([7.4]);

    const beforeAck = stored()!.seq;
    const ack = await hub.api(`/results/${critical[0]!.result.id}/acknowledge`, {
      method: 'POST',
      token: await hub.token('maja'),
    });
    expect(ack.status).toBe(200);
    // The acknowledgement is a plan write too: the summary moved on with it.
    await summaryCaughtUp('an acknowledgement', () => stored()!.seq > beforeAck);
    expect(of(await overview('maja'), 'critical-result')).toEqual([]);
  });

  it('says "due today" by the Copenhagen calendar of the moment it is read, not of the write', async () => {
    // 10 March 2026: Copenhagen is UTC+1; 23:01 UTC is already 11 March there.
    sectionOf(maja.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Sårskift', sector: 'municipality', due: '2026-03-10', status: 'planned' }),
    ]);
    const written = await summaryCaughtUp('a task due on 10 March', (s) => s.tasks.some((t) => t.title === 'Sårskift'));
    const principal = await principalOf('maja');
    const at = (iso: string) => new OverviewBuilder(hub.server.store, undefined, () => new Date(iso));
    const sarskift = async (iso: string) => {
      const { items, today } = await at(iso).build(principal);
      return { today, item: items.find((i) => i.kind === 'task-due' && i.title === 'Sårskift') };
    };

    expect(await sarskift('2026-03-10T22:59:00Z')).toMatchObject({
      today: '2026-03-10',
      item: { due: '2026-03-10', overdue: false },
    });
    expect(await sarskift('2026-03-10T23:01:00Z')).toMatchObject({
      today: '2026-03-11',
      item: { due: '2026-03-10', overdue: true },
    });
    expect((await sarskift('2026-03-09T22:59:00Z')).item).toBeUndefined();
    // Nothing was written for the new day: the summary is as the edit left it.
    expect(stored()).toEqual(written);
  });

  async function principalOf(username: string): Promise<Principal> {
    const user = (await hub.server.store.getUserByUsername(username))!;
    const organisation = user.organisationId ? await hub.server.store.getOrganisation(user.organisationId) : null;
    return { user, organisation, expiresAt: Date.now() + 3_600_000 } as Principal;
  }
});
