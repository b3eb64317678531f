import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { HistoryEntry, PlanPerson } from '../../shared/api.ts';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import { metaOf, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

describe('history from the update log', () => {
  let hub: TestHub;
  let planId: string;

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  it('lists who changed which section when, and rebuilds the plan as it was at any time', async () => {
    const hanne = await join(hub, 'hanne', planId);
    const maja = await join(hub, 'maja', planId);
    const hospitalTask = (d: Y.Doc) =>
      sectionOf(d, 'tasks')
        .toArray()
        .find((e) => e.get('title') === 'Ambulant kontrol i hjertemedicinsk ambulatorium')!;
    metaOf(hanne.doc).set('title', 'Hjertesvigt – før overdragelse');
    await waitForDoc(maja.doc, (d) => metaOf(d).get('title') === 'Hjertesvigt – før overdragelse');
    const beforeHandover = new Date().toISOString();
    const t0 = Date.now();
    while (Date.now() === t0) {
      // the next update must carry a later millisecond than `beforeHandover`
    }
    hospitalTask(hanne.doc).set('sector', 'municipality');
    await waitForDoc(
      maja.doc,
      (d) => hospitalTask(d).get('sector') === 'municipality',
      5000,
      'the handover at the municipality',
    );

    const token = await hub.token('maja');
    const history = (await (await hub.api(`/plans/${planId}/history`, { token })).json()) as HistoryEntry[];
    expect(history[0]).toMatchObject({ author: { name: 'Hanne Holm', role: 'hospital_doctor' }, origin: 'client' });
    expect(history[0]!.sections).toEqual(['tasks']);
    // A change to other sections is its own entry, so each moment can be viewed.
    expect(history[1]).toMatchObject({ author: { name: 'Hanne Holm' }, sections: ['meta'] });
    expect(history.at(-1)).toMatchObject({ origin: 'seed', author: null });
    expect(history.at(-1)!.sections).toEqual(
      expect.arrayContaining(['meta', 'goals', 'tasks', 'medications', 'notes']),
    );

    const then = (await (
      await hub.api(`/plans/${planId}/document?at=${encodeURIComponent(beforeHandover)}`, { token })
    ).json()) as PlanDocumentJson;
    const now = (await (await hub.api(`/plans/${planId}/document`, { token })).json()) as PlanDocumentJson;
    const find = (doc: PlanDocumentJson) =>
      doc.tasks.find((t) => t.title === 'Ambulant kontrol i hjertemedicinsk ambulatorium');
    expect(find(then)?.sector).toBe('hospital');
    expect(then.meta.title).toBe('Hjertesvigt – før overdragelse');
    expect(find(now)?.sector).toBe('municipality');
    const beforeSeed = (await (
      await hub.api(`/plans/${planId}/document?at=2000-01-01T00:00:00Z`, { token })
    ).json()) as PlanDocumentJson;
    expect(beforeSeed.tasks).toEqual([]);

    const bad = await hub.api(`/plans/${planId}/document?at=yesterday`, { token });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect((await hub.api(`/plans/${planId}/history`, { token: await hub.token('carl') })).status).toBe(200);
    const ingrid = await hub.planOf('Ingrid Madsen', 'hanne');
    expect((await hub.api(`/plans/${ingrid}/history`, { token })).status).toBe(403);
    expect(
      (await hub.api(`/plans/${ingrid}/document?at=${encodeURIComponent(beforeHandover)}`, { token })).status,
    ).toBe(403);
    hanne.leave();
    maja.leave();
  });

  it('names the people of a plan: the care team’s staff and the citizen', async () => {
    const people = (await (
      await hub.api(`/plans/${planId}/people`, { token: await hub.token('gitte') })
    ).json()) as PlanPerson[];
    const names = people.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['Hanne Holm', 'Niels Nørgaard', 'Maja Mortensen', 'Gitte Grønlund', 'Carl Jensen']),
    );
    expect(names).not.toContain('Administrator');
    expect(people.find((p) => p.name === 'Maja Mortensen')).toMatchObject({
      role: 'municipal_nurse',
      sector: 'municipality',
      organisation: 'Københavns Kommune hjemmesygepleje',
    });
  });

  it('searches patients with the term in the body, never in the URL', async () => {
    const token = await hub.token('hanne');
    const byCpr = (await (
      await hub.api('/patients/search', { method: 'POST', token, body: JSON.stringify({ query: '120345-1237' }) })
    ).json()) as { name: string }[];
    expect(byCpr.map((p) => p.name)).toEqual(['Carl Jensen']);
    const byName = (await (
      await hub.api('/patients/search', { method: 'POST', token, body: JSON.stringify({ query: 'ingrid' }) })
    ).json()) as { name: string }[];
    expect(byName.map((p) => p.name)).toEqual(['Ingrid Madsen']);
    const gp = (await (
      await hub.api('/patients/search', {
        method: 'POST',
        token: await hub.token('gitte'),
        body: JSON.stringify({ query: 'ingrid' }),
      })
    ).json()) as unknown[];
    expect(gp).toEqual([]);
    expect(
      (await hub.api('/patients/search', { method: 'POST', token, body: JSON.stringify({ query: 5 }) })).status,
    ).toBe(400);
  });
});
