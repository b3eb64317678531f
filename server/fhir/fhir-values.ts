import { createHash } from 'node:crypto';
import type { Annotation, CodeableConcept, Coding, Reference } from 'fhir/r4';
import { isUuid } from '../../shared/uuid.ts';

/**
 * FHIR R4 primitive rules (http://hl7.org/fhir/R4/datatypes.html) applied to plan data. The
 * plan document is a CRDT that clients write, so every value is checked here instead of
 * trusted: a value that is not a valid FHIR primitive is left out rather than exported broken.
 */

// The `date` and `dateTime` patterns of the R4 specification (datatypes.html).
const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;

/** A namespace for CareHub's name-based (v5) UUIDs: ids for things the plan gives none. */
const NAMESPACE = Buffer.from('6f1c2a4e9b3d4f5e8a7c0d1e2f3a4b5c', 'hex');

/** A UUID v5 (RFC 9562) of `parts` in CareHub's namespace: the same parts give the same id. */
export function nameUuid(...parts: string[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u0000'), 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Hands out resource ids: the entry's own UUID where it has a valid, unused one, otherwise a
 * name-based UUID, so that every fullUrl is a `urn:uuid:` and unique in the Bundle (bdl-7).
 */
export class IdAllocator {
  private readonly used = new Set<string>();

  take(preferred: unknown, ...fallback: string[]): string {
    let id = isUuid(preferred) ? preferred.toLowerCase() : nameUuid(...fallback);
    for (let n = 1; this.used.has(id); n++) id = nameUuid(...fallback, 'duplicate', String(n));
    this.used.add(id);
    return id;
  }
}

export const fullUrl = (id: string): string => `urn:uuid:${id}`;

export function ref(id: string, display?: string): Reference {
  return display ? { reference: fullUrl(id), display } : { reference: fullUrl(id) };
}

/** A FHIR `string` (or `markdown`): never empty, no surrounding whitespace. Numbers are written out. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** A FHIR `code`: no leading, trailing or repeated whitespace. */
export function code(value: unknown): string | undefined {
  const s = str(value);
  return s?.replace(/\s+/g, ' ');
}

/** A FHIR `uri`: no whitespace at all. */
export function uri(value: unknown): string | undefined {
  const s = str(value);
  return s !== undefined && !/\s/.test(s) ? s : undefined;
}

function isRealDay(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD, a day that exists), or undefined. */
export function date(value: unknown): string | undefined {
  const s = str(value);
  if (s === undefined || !DATE.test(s)) return undefined;
  const [y, m, d] = s.split('-').map(Number);
  if (d !== undefined && !isRealDay(y as number, m as number, d)) return undefined;
  return s;
}

/**
 * A FHIR `dateTime`: kept as written when it matches the specification's pattern (a time
 * needs seconds and a zone), otherwise re-written as the same instant in UTC when it parses.
 */
export function dateTime(value: unknown): string | undefined {
  const s = str(value);
  if (s === undefined) return undefined;
  if (DATE_TIME.test(s)) return date(s.slice(0, 10)) !== undefined ? s : undefined;
  // A date and time without a zone is ambiguous: refuse rather than guess the zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A FHIR `decimal` from a number or a numeric string ("82.5", "82,5"). */
export function decimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const s = str(value);
  if (s === undefined || !/^-?\d+([.,]\d+)?$/.test(s)) return undefined;
  return Number(s.replace(',', '.'));
}

/** A Coding from plan data ({system, code, display}); undefined when it has no valid code. */
export function coding(value: unknown): Coding | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const c = code(v.code);
  if (c === undefined) return undefined;
  const out: Coding = {};
  const system = uri(v.system);
  if (system !== undefined) out.system = system;
  out.code = c;
  const display = str(v.display);
  if (display !== undefined) out.display = display;
  return out;
}

export function concept(text: string | undefined, ...codings: (Coding | undefined)[]): CodeableConcept | undefined {
  const list = codings.filter((c): c is Coding => c !== undefined);
  if (list.length === 0 && text === undefined) return undefined;
  const out: CodeableConcept = {};
  if (list.length > 0) out.coding = list;
  if (text !== undefined) out.text = text;
  return out;
}

export function annotation(text: string | undefined, extra: Omit<Annotation, 'text'> = {}): Annotation | undefined {
  return text === undefined ? undefined : { ...extra, text };
}

/** Arrays in FHIR JSON are never empty: an empty list is left out. */
export function list<T>(items: (T | undefined)[]): T[] | undefined {
  const kept = items.filter((i): i is T => i !== undefined);
  return kept.length > 0 ? kept : undefined;
}

/** Drops keys whose value is undefined, so the JSON holds no empty properties. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** The calendar day of `instant` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(instant),
  );
}
