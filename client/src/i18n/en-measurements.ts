import type { daMeasurements } from './da-measurements.ts';

/** Measurements as data (issue 16): the visit panel's checks, and who measured in results and trends. */
export const enMeasurements: Record<keyof typeof daMeasurements, string> = {
  'results.filter.measurement': 'Measurements',
  'results.kind.measurement': 'Measurement',
  'measure.source.lab': 'Laboratory',
  'measure.source.home-care': 'Home care',
  'measure.source.clinic': 'Hospital or GP',
  'measure.source.citizen': 'Citizen self-report',
  'measure.source.system': 'Other system',
  'measure.by': 'Measured by {name}',
  'measure.part.systolic': '{name}, systolic',
  'measure.part.diastolic': '{name}, diastolic',
  'measure.impossible': '{value} {unit} cannot be a {kind}. Enter a value between {min} and {max} {unit}.',
  'measure.impossiblePart':
    'A {part} pressure of {value} mmHg is not possible. Enter a value between {min} and {max} mmHg.',
  'measure.impossibleOrder': 'The diastolic pressure must be lower than the systolic.',
  'measure.unusual': '{value} {unit} is unusual for a {kind} (usually {min}–{max} {unit}). Is the value right?',
  'measure.unusualPart': 'A {part} pressure of {value} mmHg is unusual (usually {min}–{max} mmHg). Is the value right?',
  'measure.part.systolicWord': 'systolic',
  'measure.part.diastolicWord': 'diastolic',
  'measure.confirm': 'Yes, save it',
  'measure.correct': 'Correct the value',
  'measure.saved': 'The measurement is saved in the plan at {time}.',
  'measure.savedOffline': 'Saved on this device at {time} – sent when there is a connection.',
  'trend.source': 'Measured by',
  'section.measurements': 'Measurements',
  'measure.empty': 'No measurements.',
  'measure.what': 'Measurement',
  'measure.plainHint': 'Blood pressure, pulse, weight and other measurements taken by the care staff.',
  'trend.sources': 'The points show who measured:',
};
