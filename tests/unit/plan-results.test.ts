import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import type { ResultEntry } from '../../shared/plan.ts';
import { annotateResult, upsertResult } from '../../server/results/plan-results.ts';

const entry = (id: string, value: number, status = 'final'): ResultEntry =>
  ({
    id,
    kind: 'lab',
    code: { system: 's', code: 'c', display: 'P-Kalium' },
    value,
    unit: 'mmol/L',
    effective: '2026-01-01T00:00:00.000Z',
    status,
    releaseAt: '2026-01-04T00:00:00.000Z',
    filed: '2026-01-01T00:00:01.000Z',
  }) as ResultEntry;
const ids = (doc: Y.Doc) =>
  sectionOf(doc, 'results')
    .toArray()
    .map((e) => e.get('id'));

describe('results in a plan document', () => {
  it('appends new results once, amends in place, and finds results another node added or a reload brought', () => {
    const doc = new Y.Doc();
    for (let i = 0; i < 50; i++) expect(upsertResult(doc, entry(`r${i}`, i))).toBe(true);
    expect(upsertResult(doc, entry('r7', 7))).toBe(false);
    expect(upsertResult(doc, entry('r7', 7.5, 'amended'))).toBe(true);
    expect(ids(doc)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(sectionOf(doc, 'results').get(7).toJSON()).toMatchObject({
      value: 7.5,
      status: 'amended',
      previous: [{ value: 7, status: 'final' }],
    });

    // Added behind the index's back (another node's filing, applied as an update).
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    sectionOf(other, 'results').push([newEntry(entry('elsewhere', 1) as unknown as Record<string, unknown>)]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    expect(upsertResult(doc, entry('elsewhere', 1))).toBe(false);
    expect(annotateResult(doc, 'elsewhere', { acknowledgedBy: 'Hanne Holm' })).toBe(true);
    expect(annotateResult(doc, 'nowhere', { acknowledgedBy: 'Hanne Holm' })).toBe(false);

    // A fresh document of the same plan (a reload) is indexed afresh.
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(doc));
    expect(upsertResult(reloaded, entry('r49', 49))).toBe(false);
    expect(upsertResult(reloaded, entry('r50', 50))).toBe(true);
    expect(ids(reloaded)).toHaveLength(52);
  });
});
