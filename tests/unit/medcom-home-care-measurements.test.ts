import { describe, expect, it } from 'vitest';
import { isUuid } from '../../shared/uuid.ts';
import { measurementId, measurementsOf } from '../../server/messaging/home-care-observations.ts';
import { load, parsed } from '../fixtures/medcom-messages.ts';

/** A HomeCareObservation's observations as the plan's measurements (server/messaging/home-care-observations.ts). */
describe('HomeCareObservation as measurements', () => {
  it('maps MedCom codes CareHub measures to its own, with UCUM units, and keeps other numeric codes as sent', () => {
    const mapped = measurementsOf(parsed('homecareobservation-new.json', 'home-care-observation'));
    if (!mapped.ok) throw new Error(mapped.message);
    const byCode = new Map(mapped.entries.map((e) => [e.code.code, e]));
    expect(byCode.get('NPU21692')).toMatchObject({ value: 92, unit: '/min', effective: '2023-09-13T09:24:09+02:00' });
    expect(byCode.get('NPU08676')).toMatchObject({ value: 38.7, unit: 'Cel' });
    // A lone systolic value is no blood pressure panel: kept under its DNK code and printed unit.
    expect(byCode.get('DNK05472')).toMatchObject({ value: 147, unit: 'mmHg' });
    expect(byCode.get('MCS88126')).toMatchObject({ value: 0, unit: '1' });
    expect(mapped.entries.map((e) => e.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps a comparator in the comment and refuses a text value, naming its code', () => {
    const glucose = measurementsOf(parsed('homecareobservation-test-example-2.json', 'home-care-observation'));
    if (!glucose.ok) throw new Error(glucose.message);
    expect(glucose.entries[0]).toMatchObject({ value: 7.1, comment: expect.stringMatching(/^< 7\.1/) });
    const urine = measurementsOf(parsed('homecareobservation-new-urine.json', 'home-care-observation'));
    expect(urine).toEqual({ ok: false, message: expect.stringContaining('NPU21578') });
  });

  it('refuses a value its code cannot have', () => {
    const bundle = load('homecareobservation-new.json') as unknown as {
      entry: { resource: Record<string, unknown> }[];
    };
    const pulse = bundle.entry.find((e) => JSON.stringify(e.resource.code ?? '').includes('NPU21692'))!;
    (pulse.resource.valueQuantity as { value: number }).value = 600;
    const mapped = measurementsOf(parsed(bundle, 'home-care-observation'));
    expect(mapped).toEqual({ ok: false, message: expect.stringContaining('NPU21692') });
  });

  it('gives each observation of a message a stable UUID of its own', () => {
    const a = measurementId('489de4f2-0d8d-4de2-a7ce-ccb93568799f', 0);
    expect(isUuid(a)).toBe(true);
    expect(measurementId('489de4f2-0d8d-4de2-a7ce-ccb93568799f', 0)).toBe(a);
    expect(measurementId('489de4f2-0d8d-4de2-a7ce-ccb93568799f', 1)).not.toBe(a);
    expect(measurementId('ReceiveTestExample1-MessageHeader', 0)).not.toBe(a);
  });
});
