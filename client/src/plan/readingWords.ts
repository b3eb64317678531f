import {
  MEASUREMENTS,
  parseReading,
  plausibility,
  type MeasurementKind,
  type MeasurementValue,
  type Plausibility,
} from '../../../shared/measurements.ts';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { ucumDisplay } from '../i18n/units.ts';

/** A typed reading checked against its kind's ranges (shared/measurements.ts). */
export type ReadingCheck =
  | { level: 'ok'; value: MeasurementValue }
  | { level: 'unusual'; value: MeasurementValue; message: string }
  | { level: 'refused'; message: string };

/**
 * The words for a reading's checks, shared by the visit panel's quick form and the amendment of a
 * measurement: what is wrong (refused, with the range it must be in) or unusual (to be confirmed).
 */
export function useReadingWords() {
  const { t, lang, formatNumber } = useI18n();
  const kindLabel = (k: MeasurementKind) => t(`visit.kind.${k}` as MessageKey);
  const unitOf = (k: MeasurementKind) => ucumDisplay(MEASUREMENTS[k].unit, lang === 'da' ? ',' : '.');

  /** What is wrong or unusual about a reading, in words. */
  const explain = (k: MeasurementKind, reading: MeasurementValue, p: Exclude<Plausibility, { level: 'ok' }>) => {
    if ('problem' in p)
      return t(p.problem === 'shape' ? (`visit.invalid.${k}` as MessageKey) : 'measure.impossibleOrder');
    const impossible = p.level === 'impossible';
    if (p.part !== null && typeof reading === 'object')
      return t(impossible ? 'measure.impossiblePart' : 'measure.unusualPart', {
        part: t(p.part === 'systolic' ? 'measure.part.systolicWord' : 'measure.part.diastolicWord'),
        value: formatNumber(reading[p.part]),
        min: formatNumber(p.range.min),
        max: formatNumber(p.range.max),
      });
    return t(impossible ? 'measure.impossible' : 'measure.unusual', {
      value: typeof reading === 'number' ? formatNumber(reading) : '',
      unit: unitOf(k),
      kind: kindLabel(k).toLowerCase(),
      min: formatNumber(p.range.min),
      max: formatNumber(p.range.max),
    });
  };

  /** A reading as typed, parsed and checked: refused (with why), unusual (with why) or ok. */
  const check = (k: MeasurementKind, text: string): ReadingCheck => {
    const reading = parseReading(k, text);
    if (reading === null) return { level: 'refused', message: t(`visit.invalid.${k}` as MessageKey) };
    const p = plausibility(k, reading);
    if (p.level === 'impossible') return { level: 'refused', message: explain(k, reading, p) };
    if (p.level === 'unusual') return { level: 'unusual', value: reading, message: explain(k, reading, p) };
    return { level: 'ok', value: reading };
  };

  return { explain, check, kindLabel, unitOf };
}
