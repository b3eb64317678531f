/**
 * Where a cold open's time goes (issue 20): a plan of random edits (NoteEditing) stored as the
 * server leaves it on unload — one checkpoint, no tail — then, per sample, each stage of
 * answering a client's sync step 1 from the stored bytes, beside the document path it replaced.
 *
 *   node --import tsx bench/cold-open-stages.ts [--edits 20000,200000] [--samples 7] [--postgres URL]
 *
 * Stages of the bytes path: read (checkpoint, tail, client authors), answer (the bytes as they
 * are for an empty client; Y.diffUpdate for one holding half the plan), frame (the sync step 2
 * message). After the answer: the state vector read from the bytes (the server's sync step 1)
 * and the snapshot that tells an update adding nothing; the same two from the snapshot stored with
 * the checkpoint (migration 016), which is what the room reads. The document path: build (apply) and
 * encode. Medians of the samples, in ms; the machine is shared, so run it more than once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { syncStep2Message } from '../server/collab/messages.ts';
import { seedDemoData } from '../server/seed/demo-data.ts';
import { openStore } from '../server/store/open-store.ts';
import { NoteEditing } from './compare/lib/edits.ts';
import { median } from './compare/stats.ts';

const { values } = parseArgs({
  options: {
    edits: { type: 'string', default: '20000,200000' },
    samples: { type: 'string', default: '7' },
    postgres: { type: 'string' },
  },
});
const samples = Number(values.samples);
const dir = mkdtempSync(join(tmpdir(), 'carehub-cold-stages-'));
const store = await openStore({
  databaseUrl: values.postgres ?? `sqlite:${join(dir, 'carehub.db')}`,
  sqliteSynchronous: 'FULL',
  logLevel: 'silent',
});
const time = (f: () => unknown): number => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

try {
  await seedDemoData(store);
  const hanne = await store.getUserByUsername('hanne');
  const carl = await store.getUserByUsername('carl');
  if (!hanne || !carl?.patientId) throw new Error('demo data without hanne or carl');
  console.log(`cold-open stages on ${values.postgres ? 'PostgreSQL' : 'SQLite'}, medians of ${samples} samples (ms)`);
  for (const edits of (values.edits as string).split(',').map(Number)) {
    const plan = await store.createPlan({ patientId: carl.patientId, title: `Kold plan ${edits}` });
    const editing = new NoteEditing(900_000, hanne.id);
    const half = editing.many(edits / 2).update;
    editing.many(edits / 2);
    const state = Y.encodeStateAsUpdate(editing.doc);
    const [seq] = await store.appendUpdates([
      {
        planId: plan.id,
        author: hanne.id,
        origin: 'client',
        time: new Date().toISOString(),
        update: state,
        sections: ['notes'],
      },
    ]);
    // As the room writes it: with the snapshot of the same document (migration 016).
    const snapshot = Y.encodeSnapshot(Y.snapshot(editing.doc));
    await store.writeCheckpoint({
      planId: plan.id,
      seq: seq as number,
      state,
      snapshot,
      time: new Date().toISOString(),
    });
    const halfVector = Y.encodeStateVectorFromUpdate(half);
    const stages: Record<string, number[]> = {};
    const add = (name: string, ms: number) => (stages[name] ??= []).push(ms);
    for (let s = 0; s < samples; s++) {
      let bytes: Uint8Array = new Uint8Array();
      const readStart = performance.now();
      const { checkpoint, tail } = await store.loadPlanState(plan.id);
      await store.listClientAuthors(plan.id);
      add('read', performance.now() - readStart);
      if (!checkpoint || tail.length > 0) throw new Error('expected one checkpoint and no tail');
      const stored = checkpoint.state;
      add(
        'answer (empty client)',
        time(() => (bytes = stored)),
      );
      add(
        'frame',
        time(() => syncStep2Message(bytes)),
      );
      add(
        'answer (half-synced client: diffUpdate)',
        time(() => Y.diffUpdate(stored, halfVector)),
      );
      let vector: Uint8Array = new Uint8Array();
      add(
        'after: state vector from bytes',
        time(() => (vector = Y.encodeStateVectorFromUpdate(stored))),
      );
      add(
        'after: snapshot (update adds nothing?)',
        time(() => Y.createSnapshot(Y.mergeDeleteSets([Y.decodeUpdate(stored).ds]), Y.decodeStateVector(vector))),
      );
      const stored2 = checkpoint.snapshot;
      if (!stored2) throw new Error('expected the checkpoint stored with its snapshot');
      add(
        'after: from the stored snapshot',
        time(() => {
          const snap = Y.decodeSnapshot(stored2);
          Y.encodeStateVector(snap.sv);
        }),
      );
      const doc = new Y.Doc();
      add(
        'document path: build',
        time(() => Y.applyUpdate(doc, stored)),
      );
      add(
        'document path: encode',
        time(() => Y.encodeStateAsUpdate(doc)),
      );
      doc.destroy();
    }
    console.log(`\n${edits} random edits, state ${(state.length / 1024).toFixed(0)} KB`);
    for (const [name, list] of Object.entries(stages)) console.log(`  ${name.padEnd(42)} ${median(list).toFixed(2)}`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
