import type { Patient, Reference } from 'fhir/r4';
import { formatCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';

/**
 * What every simulated submission shares: the sending systems' identifier systems, the patient
 * (sex from the CPR number, subject by CPR or by reference) and times written the Danish way.
 * The builders of lab-samples.ts, report-samples.ts and message-samples.ts are deterministic
 * for their arguments: identifiers and fullUrls are derived from `id`, values are given or drawn
 * from the `random` passed in.
 */

export type Sex = 'female' | 'male';

/** The CPR's last digit is odd for men, even for women. */
export function sexOf(cpr: string): Sex {
  return Number(cpr.slice(-1)) % 2 === 1 ? 'male' : 'female';
}

/** Identifier systems of the simulated sending systems. */
export const SENDER = {
  lab: 'https://labportal.regionh.example/fhir/sid/analysis',
  labReport: 'https://labportal.regionh.example/fhir/sid/requisition',
  imaging: 'https://ris.regionh.example/fhir/sid/report',
  pathology: 'https://patobank.example/fhir/sid/report',
  encounter: 'https://sp.regionh.example/fhir/sid/hospital-notification',
} as const;

/** `at` as a FHIR dateTime in Danish time with its offset, e.g. 2024-03-05T08:30:00+01:00. */
export function danishTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(get) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** `time` moved by `minutes`, keeping the written offset. */
export function shiftTime(time: string, minutes: number): string {
  const offset = /([+-]\d{2}:\d{2}|Z)$/.exec(time)?.[1] ?? 'Z';
  const ms = Date.parse(time) + minutes * 60_000;
  const sign = offset === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
  const offsetMin = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  return `${local}${offset === 'Z' ? 'Z' : offset}`;
}

export type SubjectStyle = 'identifier' | 'hyphenated' | 'none' | { reference: string };

/** A subject by CPR identifier (the form CareHub asks of senders) or by reference. */
export function subject(cpr: string, style: SubjectStyle = 'identifier'): Reference | undefined {
  if (style === 'none') return undefined;
  if (typeof style === 'object') return { reference: style.reference };
  return { identifier: { system: CPR_SYSTEM, value: style === 'hyphenated' ? formatCpr(cpr) : cpr } };
}

export function patientResource(cpr: string, id: string, name?: string): Patient {
  const [given, ...family] = (name ?? '').split(' ');
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: CPR_SYSTEM, value: cpr }],
    ...(name ? { name: [{ family: family.join(' '), given: [given ?? ''] }] } : {}),
  };
}
