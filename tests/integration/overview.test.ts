import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { PatientView } from '../../shared/api.ts';
import type { Overview, OverviewItem } from '../../shared/overview.ts';
import { sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { CARL, ERIK } from '../../server/seed/demo-patients.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * "Overblik" over a real hub: results filed for two patients while gitte is away, then what her
 * overview says (critical first, the patient named); "seen" kept on the server per person; tasks
 * due for the person's sector; others' changes and handovers since the person last looked.
 */
describe('Overblik: what needs me, across my patients', () => {
  let hub: TestHub;
  let key: string;
  let carlPlan: string;
  let erikPlan: string;

  beforeAll(async () => {
    hub = await startHub();
    key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    carlPlan = await hub.planOf('Carl Jensen', 'gitte');
    erikPlan = await hub.planOf('Erik Nielsen', 'gitte');
  });
  afterAll(() => hub.stop());

  const overview = async (username: string): Promise<Overview> => {
    const res = await hub.api('/overview', { token: await hub.token(username) });
    expect(res.status).toBe(200);
    return (await res.json()) as Overview;
  };
  const seen = async (username: string, planId: string) =>
    hub.api('/overview/seen', { method: 'POST', token: await hub.token(username), body: JSON.stringify({ planId }) });
  const of = <K extends OverviewItem['kind']>(o: Overview, kind: K, planId?: string) =>
    o.items.filter((i): i is Extract<OverviewItem, { kind: K }> => i.kind === kind && (!planId || i.planId === planId));

  it('lists both patients’ new results filed while she was away, the critical one first with the patient named', async () => {
    await seen('gitte', carlPlan);
    await seen('gitte', erikPlan);
    expect(of(await overview('gitte'), 'new-results')).toEqual([]);

    for (const [cpr, value, flag] of [
      [ERIK.cpr, 4.2, undefined],
      [CARL.cpr, 7.1, 'HH'],
      [CARL.cpr, 4.0, undefined],
    ] as const) {
      const res = await postAs(
        hub,
        key,
        '/results',
        observation({ id: randomUUID(), cpr, value, ...(flag ? { flag } : {}) }),
      );
      expect(res.status).toBe(201);
    }
    await hub.server.filing.settled();

    const o = await overview('gitte');
    expect(o.items[0]).toMatchObject({
      kind: 'critical-result',
      planId: carlPlan,
      patient: { name: CARL.name, cpr: CARL.cpr },
      result: { display: 'P-Kalium', value: 7.1, interpretation: 'HH' },
    });
    expect(of(o, 'new-results', carlPlan)[0]?.results.map((r) => r.value)).toEqual([4.0]);
    expect(of(o, 'new-results', erikPlan)[0]).toMatchObject({
      patient: { name: ERIK.name, cpr: ERIK.cpr },
      results: [{ value: 4.2 }],
      more: 0,
    });

    // The patient list carries the same signals per patient.
    const patients = (await (await hub.api('/patients', { token: await hub.token('gitte') })).json()) as PatientView[];
    const byName = new Map(patients.map((p) => [p.name, p]));
    expect(byName.get(CARL.name)?.signals).toMatchObject({ critical: 1, newResults: 1 });
    expect(byName.get(ERIK.name)?.signals).toMatchObject({ critical: 0, newResults: 1 });

    // Looked at on one device, seen on every other: Erik's results are no longer new to her.
    expect((await seen('gitte', erikPlan)).status).toBe(200);
    const after = await overview('gitte');
    expect(of(after, 'new-results', erikPlan)).toEqual([]);
    // A critical result asks until someone acknowledges it, however often the plan is opened.
    await seen('gitte', carlPlan);
    const critical = of(await overview('gitte'), 'critical-result', carlPlan);
    expect(critical).toHaveLength(1);
    const ack = await hub.api(`/results/${critical[0]!.result.id}/acknowledge`, {
      method: 'POST',
      token: await hub.token('hanne'),
    });
    expect(ack.status).toBe(200);
    expect(of(await overview('gitte'), 'critical-result')).toEqual([]);

    // Reading the overview is on record for each patient it told about.
    const erikId = patients.find((p) => p.name === ERIK.name)!.id;
    await eventually(
      () =>
        (hub
          .sqlite()
          .prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'overview.read' AND patient_id = ?")
          .pluck()
          .get(erikId) as number) > 0,
      5000,
      'the overview read on record',
    );
  });

  it('lists tasks of my sector due today, and others’ changes and handovers since I last looked', async () => {
    const majas = await overview('maja');
    const due = of(majas, 'task-due', erikPlan);
    expect(due.map((t) => t.title)).toEqual(['Fodinspektion']);
    expect(due[0]).toMatchObject({ overdue: false, patient: { name: ERIK.name } });
    // Another sector's tasks are not hers.
    expect(of(majas, 'task-due').every((t) => t.title !== 'HbA1c-kontrol')).toBe(true);

    await seen('gitte', erikPlan);
    expect(of(await overview('gitte'), 'plan-change', erikPlan)).toEqual([]);
    // maja hands the foot inspection over to the GP.
    const maja = await join(hub, 'maja', erikPlan);
    const task = sectionOf(maja.doc, 'tasks')
      .toArray()
      .find((t) => t.get('title') === 'Fodinspektion') as Y.Map<unknown>;
    task.set('sector', 'general_practice');
    const stored = await hub.server.store.latestSeq(erikPlan);
    await eventually(async () => (await hub.server.store.latestSeq(erikPlan)) > stored, 5000, 'the change stored');
    maja.leave();

    // Stored, then told to the room's watchers and summarised: Overblik has it moments after.
    await eventually(
      async () => of(await overview('gitte'), 'plan-change', erikPlan).length > 0,
      5000,
      'the change in Overblik',
    );
    const gittes = await overview('gitte');
    expect(of(gittes, 'plan-change', erikPlan)).toEqual([
      expect.objectContaining({ author: { name: 'Maja Mortensen', role: 'municipal_nurse' }, sections: ['tasks'] }),
    ]);
    expect(of(gittes, 'handover', erikPlan)).toEqual([
      expect.objectContaining({ title: 'Fodinspektion', from: 'municipality' }),
    ]);
    // Now hers, and due today.
    expect(of(gittes, 'task-due', erikPlan).map((t) => t.title)).toEqual(['Fodinspektion']);
    // maja's own change is not news to her.
    expect(of(await overview('maja'), 'plan-change', erikPlan)).toEqual([]);

    await seen('gitte', erikPlan);
    const later = await overview('gitte');
    expect(of(later, 'plan-change', erikPlan)).toEqual([]);
    expect(of(later, 'handover', erikPlan)).toEqual([]);
  });

  it('is for care staff only, and a plan out of reach cannot be marked seen', async () => {
    expect((await hub.api('/overview', { token: await hub.token('carl') })).status).toBe(403);
    expect((await hub.api('/overview')).status).toBe(401);
    const ingridPlan = await hub.planOf('Ingrid Madsen', 'hanne');
    expect((await seen('gitte', ingridPlan)).status).toBe(403);
    expect((await seen('gitte', randomUUID())).status).toBe(404);
    const bad = await hub.api('/overview/seen', {
      method: 'POST',
      token: await hub.token('gitte'),
      body: JSON.stringify({ planId: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.any(Object) });
  });
});
