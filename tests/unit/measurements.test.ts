import { describe, expect, it } from 'vitest';
import {
  MEASUREMENT_KINDS,
  MEASUREMENTS,
  measurementKindOf,
  measurementProblem,
  parseReading,
  plausibility,
  quantityKindOf,
} from '../../shared/measurements.ts';
import { LOINC_SYSTEM, NPU_SYSTEM } from '../../shared/fhir-systems.ts';
import {
  measurementFromJson,
  resultFromJson,
  selfReportFromJson,
  trendsOf,
  type ResultItem,
} from '../../client/src/plan/results/model.ts';

/** The measured quantities (issue 16): codes as MedCom's HomeCareObservation, ranges, and trends with lab results. */
describe('measurement kinds', () => {
  it('code each vital sign as MedCom’s HomeCareObservation does, in UCUM', () => {
    expect(MEASUREMENTS.pulse.code).toMatchObject({ system: NPU_SYSTEM, code: 'NPU21692' });
    expect(MEASUREMENTS.temperature.code).toMatchObject({ system: NPU_SYSTEM, code: 'NPU08676' });
    expect(MEASUREMENTS.weight.code).toMatchObject({ system: NPU_SYSTEM, code: 'NPU03804' });
    expect(MEASUREMENTS.bloodSugar.code).toMatchObject({ system: NPU_SYSTEM, code: 'NPU22089' });
    expect(MEASUREMENTS.saturation.code).toMatchObject({ system: NPU_SYSTEM, code: 'NPU10197' });
    expect(MEASUREMENTS.bloodPressure.components?.systolic.code.code).toBe('DNK05472');
    expect(MEASUREMENTS.bloodPressure.components?.diastolic.code.code).toBe('DNK05473');
    expect(MEASUREMENT_KINDS.map((k) => MEASUREMENTS[k].unit)).toEqual(['mm[Hg]', '/min', 'kg', 'Cel', 'mmol/L', '%']);
    for (const kind of MEASUREMENT_KINDS) {
      const def = MEASUREMENTS[kind];
      expect(measurementKindOf(def.code)).toBe(kind);
      expect(quantityKindOf(def.loinc)).toBe(kind);
      // The usual range lies inside the possible one.
      expect(def.possible.min).toBeLessThanOrEqual(def.expected.min);
      expect(def.possible.max).toBeGreaterThanOrEqual(def.expected.max);
    }
    expect(quantityKindOf({ system: NPU_SYSTEM, code: 'NPU02187' })).toBe('bloodSugar');
    expect(quantityKindOf({ system: NPU_SYSTEM, code: 'NPU03230' })).toBeNull();
  });

  it('refuses an impossible reading and asks about an unusual one', () => {
    expect(plausibility('pulse', 72)).toEqual({ level: 'ok' });
    expect(plausibility('pulse', 600)).toMatchObject({ level: 'impossible', range: { min: 20, max: 300 } });
    expect(plausibility('pulse', 150)).toMatchObject({ level: 'unusual', range: { min: 40, max: 130 } });
    expect(plausibility('temperature', 38.7)).toEqual({ level: 'ok' });
    expect(plausibility('temperature', 47)).toMatchObject({ level: 'impossible' });
    expect(plausibility('saturation', 101)).toMatchObject({ level: 'impossible' });
    expect(plausibility('saturation', 84)).toMatchObject({ level: 'unusual' });
    expect(plausibility('bloodPressure', { systolic: 138, diastolic: 85 })).toEqual({ level: 'ok' });
    expect(plausibility('bloodPressure', { systolic: 85, diastolic: 138 })).toMatchObject({
      level: 'impossible',
      problem: 'diastolic-above-systolic',
    });
    expect(plausibility('bloodPressure', { systolic: 320, diastolic: 90 })).toMatchObject({
      level: 'impossible',
      part: 'systolic',
    });
    expect(plausibility('bloodPressure', { systolic: 210, diastolic: 95 })).toMatchObject({
      level: 'unusual',
      part: 'systolic',
    });
    expect(plausibility('bloodPressure', 138)).toMatchObject({ level: 'impossible', problem: 'shape' });
    expect(plausibility('pulse', Number.NaN)).toMatchObject({ level: 'impossible', problem: 'shape' });
  });

  it('reads what a nurse types', () => {
    expect(parseReading('bloodPressure', ' 138 / 85 ')).toEqual({ systolic: 138, diastolic: 85 });
    expect(parseReading('bloodPressure', '138')).toBeNull();
    expect(parseReading('temperature', '38,7')).toBe(38.7);
    expect(parseReading('temperature', '38.75')).toBeNull();
    expect(parseReading('weight', '82.4')).toBe(82.4);
    expect(parseReading('pulse', '72.5')).toBeNull();
    expect(parseReading('pulse', 'høj')).toBeNull();
    expect(parseReading('pulse', '600')).toBe(600);
  });

  it('keeps the server’s check of an entry: unit, possible value, and numbers for codes it does not know', () => {
    const pulse = { code: MEASUREMENTS.pulse.code, unit: '/min' };
    expect(measurementProblem({ ...pulse, value: 72 })).toBeNull();
    expect(measurementProblem({ ...pulse, value: 600 })).toBe('value');
    expect(measurementProblem({ ...pulse, unit: 'Hz', value: 72 })).toBe('unit');
    expect(measurementProblem({ code: { system: 'urn:x', code: 'steps' }, unit: 'steps', value: 4000 })).toBeNull();
    expect(
      measurementProblem({
        code: { system: 'urn:x', code: 'bp' },
        unit: 'mm[Hg]',
        value: { systolic: 1, diastolic: 2 },
      }),
    ).toBe('value');
  });
});

describe('trends of lab results, measurements and self-reports together', () => {
  const lab = (id: string, code: { system: string; code: string }, value: number, effective: string): ResultItem =>
    resultFromJson({
      id,
      kind: 'lab',
      code: { ...code, display: 'Glukose' },
      value,
      unit: 'mmol/L',
      effective,
      status: 'final',
    });

  it('puts a quantity measured by the lab, home care and the citizen in one trend, each point marked', () => {
    const items: ResultItem[] = [
      lab('l1', { system: NPU_SYSTEM, code: 'NPU22089' }, 7.1, '2026-12-01T08:00:00Z'),
      lab('l2', { system: LOINC_SYSTEM, code: '14743-9' }, 6.8, '2026-12-02T08:00:00Z'),
      measurementFromJson({
        id: 'm1',
        code: MEASUREMENTS.bloodSugar.code,
        value: 9.4,
        unit: 'mmol/L',
        effective: '2026-12-03T08:00:00Z',
        status: 'final',
        performer: { user: 'u', name: 'Maja', role: 'municipal_nurse', organisation: 'KK', sector: 'municipality' },
      }),
      measurementFromJson({
        id: 'm2',
        code: MEASUREMENTS.bloodSugar.code,
        value: 3,
        unit: 'mmol/L',
        effective: '2026-12-03T09:00:00Z',
        status: 'entered-in-error',
      }),
    ];
    const [trend, ...rest] = trendsOf(items);
    expect(rest).toEqual([]);
    expect(trend).toMatchObject({ key: 'quantity|bloodSugar', quantity: 'bloodSugar', part: null, unit: 'mmol/L' });
    expect(trend?.points.map((p) => [p.id, p.value, p.source, p.performerName])).toEqual([
      ['l1', 7.1, 'lab', ''],
      ['l2', 6.8, 'lab', ''],
      ['m1', 9.4, 'home-care', 'Maja'],
    ]);
  });

  it('draws blood pressure as systolic and diastolic, from measurements and the citizen’s readings', () => {
    const items = [
      measurementFromJson({
        id: 'm1',
        code: MEASUREMENTS.bloodPressure.code,
        value: { systolic: 142, diastolic: 88 },
        unit: 'mm[Hg]',
        effective: '2026-12-01T08:00:00Z',
        status: 'final',
        performer: { user: 'g', name: 'Gitte', role: 'gp', organisation: 'Lægehuset', sector: 'general_practice' },
      }),
      selfReportFromJson({ id: 's1', kind: 'blood-pressure', value: '138/85', taken: '2026-12-02T08:00:00Z' }),
      selfReportFromJson({ id: 's2', kind: 'symptom', value: 'svimmel', taken: '2026-12-02T08:00:00Z' }),
    ].filter((i): i is ResultItem => i !== null);
    expect(items).toHaveLength(2);
    expect(items[0]?.value).toBe('142/88');
    const trends = trendsOf(items);
    expect(trends.map((t) => [t.key, t.points.map((p) => [p.value, p.source])])).toEqual([
      [
        'quantity|bloodPressure|systolic',
        [
          [142, 'clinic'],
          [138, 'citizen'],
        ],
      ],
      [
        'quantity|bloodPressure|diastolic',
        [
          [88, 'clinic'],
          [85, 'citizen'],
        ],
      ],
    ]);
  });
});
