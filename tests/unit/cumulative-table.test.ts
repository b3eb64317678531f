import { describe, expect, it } from 'vitest';
import { cumulativeTable } from '../../client/src/plan/results/cumulative.ts';
import { resultFromJson } from '../../client/src/plan/results/model.ts';
import { ageOn } from '../../shared/cpr.ts';

const NPU = 'urn:oid:1.2.208.176.2.1';
const lab = (id: string, code: string, display: string, value: number, effective: string, extra = {}) =>
  resultFromJson({
    id,
    kind: 'lab',
    code: { system: NPU, code, display },
    value,
    unit: 'mmol/L',
    effective,
    status: 'final',
    ...extra,
  });

/** The cumulative table of lab results (client/src/plan/results/cumulative.ts). */
describe('cumulative results table', () => {
  it('has a column per sample, newest first, and a row per analyte with its cells', () => {
    const items = [
      lab('k1', 'NPU03230', 'P-Kalium', 4.4, '2026-12-04T08:00:00+01:00'),
      lab('k2', 'NPU03230', 'P-Kalium', 7.1, '2026-12-06T08:00:00+01:00', { interpretation: 'HH', critical: true }),
      lab('na', 'NPU03429', 'P-Natrium', 139, '2026-12-06T07:00:00Z'),
      resultFromJson({ id: 'img', kind: 'imaging', code: { system: 'x', code: 'y', display: 'Rtg' }, status: 'final' }),
      lab('void', 'NPU03230', 'P-Kalium', 9.9, '2026-12-05T08:00:00Z', { status: 'entered-in-error' }),
    ];
    const { columns, rows } = cumulativeTable(items);
    // 08:00+01:00 and 07:00Z are one sample time.
    expect(columns.map((c) => c.items.map((i) => i.id))).toEqual([['k2', 'na'], ['k1']]);
    expect(rows.map((r) => r.name)).toEqual(['P-Kalium', 'P-Natrium']);
    const potassium = rows[0]!;
    expect(columns.map((c) => potassium.cells.get(c.key)?.id)).toEqual(['k2', 'k1']);
    expect(potassium.trend?.points.map((p) => p.value)).toEqual([4.4, 7.1]);
    const sodium = rows[1]!;
    expect(columns.map((c) => sodium.cells.get(c.key)?.id)).toEqual(['na', undefined]);
    expect(sodium.trend).toBeNull();
  });

  it('is empty without lab results', () => {
    expect(cumulativeTable([])).toEqual({ columns: [], rows: [] });
  });
});

describe('age from the CPR number’s birth date', () => {
  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('1945-03-12', '2026-03-11')).toBe(80);
    expect(ageOn('1945-03-12', '2026-03-12')).toBe(81);
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
  });
});
