/**
 * Cost of Overblik (issue 17): the time GET /api/v1/overview's builder takes for one staff member
 * with many patients, each with a plan of many updates, results filed since the person looked,
 * and changes by others since then (SQLite, a temp file). The patient list builds the same.
 * Overblik reads the plans' summaries that their rooms keep (server/worklist/plan-summaries.ts);
 * the first read here builds them from the logs, as after the migration that added them.
 *
 *   node --import tsx bench/overview.ts [--patients 50] [--updates 200] [--results 20] [--runs 5]
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import type { Principal } from '../server/auth/access.ts';
import type { StoredResult } from '../server/store/result-store.ts';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.ts';
import { OverviewBuilder } from '../server/worklist/overview.ts';
import { PlanSummaries } from '../server/worklist/plan-summaries.ts';
import { NPU_SYSTEM } from '../shared/fhir-systems.ts';
import { newEntry, sectionOf, setPlanMeta } from '../shared/plan-doc.ts';
import { tempDir } from '../tests/fixtures/server.ts';
import { fmt, percentile } from './lib/typing.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '50' },
    updates: { type: 'string', default: '200' },
    results: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
  },
});
const PATIENTS = Number(values.patients);
const UPDATES = Number(values.updates);
const RESULTS = Number(values.results);
const RUNS = Number(values.runs);

const dir = tempDir('carehub-bench-overview-');
const store = new SqliteStore(join(dir, 'bench.db'), { synchronous: 'NORMAL' });
await store.migrate();
const org = await store.createOrganisation({ name: 'Kommune', sector: 'municipality', region: null });
const user = await store.createUser({
  username: 'nurse',
  name: 'Nurse',
  role: 'municipal_nurse',
  organisationId: org.id,
  patientId: null,
  passwordHash: 'x',
});
const other = await store.createUser({
  username: 'other',
  name: 'Other',
  role: 'municipal_nurse',
  organisationId: org.id,
  patientId: null,
  passwordHash: 'x',
});
const today = new Date().toISOString().slice(0, 10);
for (let p = 0; p < PATIENTS; p++) {
  const cpr = `0101${String(50 + (p % 40)).padStart(2, '0')}${String(1000 + p).slice(-4)}`;
  const patient = await store.createPatient({ cpr, name: `Patient ${p}` });
  await store.addCareTeamMember({ patientId: patient.id, organisationId: org.id, userId: null, addedBy: null });
  const plan = await store.createPlan({ patientId: patient.id, title: `Plan ${p}`, status: 'active' });
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  doc.transact(() => setPlanMeta(doc, { title: `Plan ${p}`, status: 'active', conditions: [] }));
  for (let i = 0; i < UPDATES; i++)
    doc.transact(() =>
      sectionOf(doc, 'tasks').push([
        newEntry({ id: randomUUID(), title: `Opgave ${i}`, sector: 'municipality', due: today, status: 'planned' }),
      ]),
    );
  const half = Math.floor(updates.length / 2);
  const at = (i: number) => new Date(Date.now() - (updates.length - i) * 1000).toISOString();
  const seqs = await store.appendUpdates(
    updates.map((update, i) => ({
      planId: plan.id,
      author: i < half ? user.id : other.id,
      origin: 'client' as const,
      time: at(i),
      update,
      sections: ['tasks'],
    })),
  );
  // As the plan's room records them when it stores a change: each author's last change per section.
  await store.summaries.keepSummaries({
    summaries: [],
    changes: seqs.map((seq, i) => ({
      planId: plan.id,
      author: i < half ? user.id : other.id,
      section: 'tasks',
      seq,
      time: at(i),
    })),
  });
  await store.personal.markPlanSeen(user.id, plan.id, { time: at(half), seq: half });
  const results: StoredResult[] = Array.from({ length: RESULTS }, (_, i) => {
    const identifier = randomUUID();
    return {
      id: randomUUID(),
      sourceSystem: 'lab',
      identifier,
      version: 1,
      patientId: patient.id,
      resultId: randomUUID(),
      payloadHash: identifier,
      result: {
        identifier,
        cpr,
        kind: 'lab',
        category: 'laboratory',
        code: { system: NPU_SYSTEM, code: 'NPU03230', display: 'P-Kalium' },
        value: 4 + i / 10,
        unit: 'mmol/L',
        ...(i === 0 ? { interpretation: 'HH' } : {}),
        status: 'final',
      },
      filed: new Date().toISOString(),
      critical: i === 0,
      releaseAt: new Date().toISOString(),
      plans: [plan.id],
    };
  });
  await store.results.insertResultVersions(results);
}

const principal = { user, organisation: org, expiresAt: Date.now() + 3_600_000 } as Principal;
// The first read finds no summaries (the plans were written straight to the store, not through
// rooms) and builds them from the logs; later reads find them kept, as rooms keep them.
// One keeper per node, as the app has (it keeps the summaries it read lately in memory).
const summaries = new PlanSummaries(store);
const coldStart = performance.now();
await new OverviewBuilder(store, summaries).build(principal);
const cold = performance.now() - coldStart;
const times: number[] = [];
let items = 0;
for (let r = 0; r < RUNS; r++) {
  const start = performance.now();
  items = (await new OverviewBuilder(store, summaries).build(principal)).items.length;
  times.push(performance.now() - start);
}
console.log(
  `overview: ${PATIENTS} patients × ${UPDATES} updates, ${RESULTS} results each, half the updates since the last look: ` +
    `${items} items; build p50 ${fmt(
      percentile(
        [...times].sort((a, b) => a - b),
        50,
      ),
    )} ms, max ${fmt(Math.max(...times))} ms over ${RUNS} runs; first read (summaries built from the logs) ${fmt(cold)} ms`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
