import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type * as Y from 'yjs';
import { metaOf, sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually, waitForDoc } from '../fixtures/collab-client.ts';
import { join, type Member } from '../fixtures/plan-team.ts';
import { scrape, type Scrape } from '../fixtures/prometheus.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const APPLIED = 'carehub_updates_applied_total';
const REFUSED = 'carehub_updates_refused_total';
const INGESTED = 'carehub_results_ingested_total';

/** The count and the buckets of a histogram agree: cumulative, ending in +Inf = _count. */
function expectHistogram(s: Scrape, name: string, minCount: number): void {
  expect(s.types.get(name)).toBe('histogram');
  const count = s.value(`${name}_count`) ?? 0;
  expect(count).toBeGreaterThanOrEqual(minCount);
  const buckets = s.samples.filter((x) => x.name === `${name}_bucket`);
  expect(buckets.length).toBeGreaterThan(2);
  for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
  expect(buckets.at(-1)!.labels.le).toBe('+Inf');
  expect(buckets.at(-1)!.value).toBe(count);
  expect(s.value(`${name}_sum`)).toBeGreaterThan(0);
}

describe('/metrics', () => {
  let hub: TestHub;
  let planId: string;
  let hanne: Member;
  let maja: Member;

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(async () => {
    hanne?.leave();
    maja?.leave();
    await hub.stop();
  });

  it('counts connections, open plans, updates applied and refused, results ingested; times persist and fan-out; reports event-loop lag', async () => {
    const before = await scrape(hub.server.url);
    expect(before.value(APPLIED)).toBe(0);
    expect(before.value(REFUSED)).toBe(0);
    expect(before.value('carehub_collab_connections')).toBe(0);
    expect(before.value('carehub_open_plans')).toBe(0);
    for (const name of [APPLIED, REFUSED, INGESTED]) expect(before.types.get(name), name).toBe('counter');

    hanne = await join(hub, 'hanne', planId);
    maja = await join(hub, 'maja', planId);
    // Three edits, each its own update, each seen by the other client once stored.
    for (const title of ['Titel 1', 'Titel 2', 'Titel 3']) {
      metaOf(hanne.doc).set('title', title);
      await waitForDoc(maja.doc, (d) => metaOf(d).get('title') === title, 5000, title);
    }
    const edited = await scrape(hub.server.url);
    expect(edited.value(APPLIED)).toBe(3);
    expect(edited.value('carehub_collab_connections')).toBe(2);
    expect(edited.value('carehub_realtime_connections')).toBe(2);
    expect(edited.value('carehub_open_plans')).toBe(1);
    expectHistogram(edited, 'carehub_persist_seconds', 3);
    expectHistogram(edited, 'carehub_fanout_seconds', 3);
    expectHistogram(edited, 'carehub_persist_batch_size', 3);

    // A municipal nurse may not change a medication: refused, counted once.
    const med = sectionOf(maja.doc, 'medications').toArray()[0] as Y.Map<unknown>;
    med.set('dose', '400 mg');
    const refusal = await maja.nextRefusal();
    expect(refusal.section).toBe('medications');
    await eventually(async () => (await scrape(hub.server.url)).value(REFUSED) === 1, 5000, 'the refusal counted');

    // A result filed, then replayed.
    const key = (await createApiKey(hub.server.store.results, 'metrics lab')).key;
    const id = randomUUID();
    expect((await postAs(hub, key, '/results', observation({ id, cpr: '1203451237' }))).status).toBe(201);
    expect((await postAs(hub, key, '/results', observation({ id, cpr: '1203451237' }))).status).toBe(200);
    // A submission refused at the door files nothing.
    expect((await postAs(hub, key, '/results', { resourceType: 'Observation' })).status).toBeGreaterThanOrEqual(400);

    const after = await scrape(hub.server.url);
    expect(after.value(INGESTED, { outcome: 'filed' })).toBe(1);
    expect(after.value(INGESTED, { outcome: 'replay' })).toBe(1);
    expect(after.value(REFUSED)).toBe(1);
    // The revert of the refused change and the filed result are updates too.
    expect(after.value(APPLIED)).toBeGreaterThanOrEqual(4);

    // prom-client's default metrics: event-loop lag, in seconds, and its percentiles.
    expect(after.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    const lag = after.value('nodejs_eventloop_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(5);
    expect(after.value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    expect(after.value('process_resident_memory_bytes')).toBeGreaterThan(0);

    // Connections go back down when the clients leave, and the plan unloads.
    hanne.leave();
    maja.leave();
    await eventually(
      async () => {
        const s = await scrape(hub.server.url);
        return (
          s.value('carehub_collab_connections') === 0 &&
          s.value('carehub_realtime_connections') === 0 &&
          s.value('carehub_open_plans') === 0
        );
      },
      5000,
      'the gauges to drop to zero',
    );
  });
});
