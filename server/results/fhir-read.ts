import type { OperationOutcome } from 'fhir/r4';
import { z } from 'zod';
import type { Coding } from '../../shared/plan.ts';
import { LOINC_SYSTEM, NPU_SYSTEM, SNOMED_SYSTEM } from '../../shared/fhir-systems.ts';
import { operationOutcome, type IssueType } from '../fhir/operation-outcome.ts';

/**
 * Reading untrusted FHIR R4 JSON (http://hl7.org/fhir/R4/json.html) for the result intake:
 * typed getters that say exactly where a submission is wrong. Every problem is an
 * `IntakeError` naming the FHIRPath of the element; the intake turns it into an
 * OperationOutcome. Nothing here reads a property the JSON does not own, so `constructor`
 * or `__proto__` in a submission are just unknown keys.
 */

export type Rec = Record<string, unknown>;

/**
 * 400: the body is not FHIR JSON we can read (wrong JSON types); 422: FHIR we read but cannot
 * file (FHIR's http.html: 400 for parse and basic validation, 422 for business rules).
 */
export class IntakeError extends Error {
  constructor(
    readonly status: 400 | 422,
    readonly issue: IssueType,
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }

  outcome(): OperationOutcome {
    return operationOutcome(this.issue, this.message, 'error', this.path || undefined);
  }
}

export const fail = (status: 400 | 422, issue: IssueType, path: string, detail: string): never => {
  throw new IntakeError(status, issue, path, detail);
};

/** The longest narrative CareHub keeps for one result (IncomingResult.text). */
const MAX_TEXT = 100_000;

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only: inherited names (`constructor`, `toString`) are not FHIR elements. */
export function own(obj: Rec, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

export function optRec(obj: Rec, key: string, path: string): Rec | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (!isRec(v)) fail(400, 'structure', `${path}.${key}`, `must be an object, not ${typeName(v)}`);
  return v as Rec;
}

/** A FHIR array element; a lone object where an array belongs is a structure error, as FHIR JSON says. */
export function optArr(obj: Rec, key: string, path: string): unknown[] {
  const v = own(obj, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(400, 'structure', `${path}.${key}`, `must be an array, not ${typeName(v)}`);
  return v as unknown[];
}

/** The objects of an array element, each checked to be an object. */
export function recs(obj: Rec, key: string, path: string): { rec: Rec; path: string }[] {
  return optArr(obj, key, path).map((item, i) => {
    const p = `${path}.${key}[${i}]`;
    if (!isRec(item)) fail(400, 'structure', p, `must be an object, not ${typeName(item)}`);
    return { rec: item as Rec, path: p };
  });
}

export function optStr(obj: Rec, key: string, path: string): string | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(400, 'structure', `${path}.${key}`, `must be a string, not ${typeName(v)}`);
  return v as string;
}

/** A FHIR string that says something: trimmed, empty treated as absent. */
export function optText(obj: Rec, key: string, path: string): string | undefined {
  const s = optStr(obj, key, path)?.trim();
  return s ? s : undefined;
}

export function optNum(obj: Rec, key: string, path: string): number | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail(400, 'structure', `${path}.${key}`, `must be a number, not ${typeName(v)}`);
  return v as number;
}

export function checkTextLength(text: string, path: string): string {
  if (text.length > MAX_TEXT) {
    fail(
      422,
      'too-long',
      path,
      `the text is ${text.length} characters; CareHub keeps at most ${MAX_TEXT.toLocaleString('en')} per result`,
    );
  }
  return text;
}

// --- Codings -------------------------------------------------------------------------------

export interface SourceCoding {
  system?: string;
  code?: string;
  display?: string;
}

export function codings(concept: Rec, path: string): SourceCoding[] {
  return recs(concept, 'coding', path).map(({ rec, path: p }) => ({
    system: optText(rec, 'system', p),
    code: optText(rec, 'code', p),
    display: optText(rec, 'display', p),
  }));
}

const PREFERRED_SYSTEMS = [NPU_SYSTEM, LOINC_SYSTEM, SNOMED_SYSTEM];

/**
 * The code a result is filed (and trended) under: the NPU coding if there is one, then LOINC,
 * then SNOMED CT, then the first coding with a system and a code.
 */
export function primaryCoding(concept: Rec | undefined, path: string, what: string): Coding {
  if (!concept) return fail(422, 'required', path, `missing; ${what} needs a code (NPU, LOINC or SNOMED CT)`);
  const list = codings(concept, path).filter(
    (c): c is Required<Pick<SourceCoding, 'system' | 'code'>> & SourceCoding => !!c.system && !!c.code,
  );
  const chosen = PREFERRED_SYSTEMS.map((s) => list.find((c) => c.system === s)).find((c) => c !== undefined) ?? list[0];
  if (!chosen)
    return fail(
      422,
      'required',
      `${path}.coding`,
      `no coding with both a system and a code; ${what} needs a code (NPU, LOINC or SNOMED CT)`,
    );
  const display = chosen.display ?? optText(concept, 'text', path) ?? chosen.code;
  return { system: chosen.system, code: chosen.code, display };
}

/** Words for a CodeableConcept: its text, else its first coding's display, else its first code. */
export function conceptText(concept: Rec, path: string): string | undefined {
  const text = optText(concept, 'text', path);
  if (text) return text;
  const list = codings(concept, path);
  return list.find((c) => c.display)?.display ?? list.find((c) => c.code)?.code;
}

/** The identifier a submission is recognised by: `system|value` of the first identifier with a value. */
export function identifierOf(resource: Rec, path: string, what: string): string {
  for (const { rec, path: p } of recs(resource, 'identifier', path)) {
    const value = optText(rec, 'value', p);
    if (value) return `${optText(rec, 'system', p) ?? ''}|${value}`;
  }
  return fail(
    422,
    'required',
    `${path}.identifier`,
    `missing; ${what} needs an identifier (system and value) so that a resubmission or a correction is recognised as the same result`,
  );
}

// --- Date and time -------------------------------------------------------------------------

// The `dateTime` pattern of the R4 specification (datatypes.html#dateTime): a time needs a zone.
const DATE_TIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const ISO_TIME = z.iso.datetime({ offset: true });

function realDay(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  if (m === undefined || d === undefined) return true;
  return d <= new Date(Date.UTC(y as number, m, 0)).getUTCDate();
}

/**
 * A FHIR dateTime: undefined when absent, `{ partial }` for a date without a time, else the
 * full time with its zone. A value that is not a dateTime at all is refused.
 */
export function dateTimeAt(obj: Rec, key: string, path: string): { full?: string; partial?: string } | undefined {
  const s = optStr(obj, key, path)?.trim();
  if (!s) return undefined;
  const p = `${path}.${key}`;
  if (!DATE_TIME.test(s) || (s.length >= 10 && !realDay(s))) {
    fail(
      422,
      'value',
      p,
      'not a FHIR dateTime (YYYY-MM-DDThh:mm:ss with a zone, e.g. 2024-03-05T08:30:00+01:00), or the day does not exist',
    );
  }
  if (!s.includes('T')) return { partial: s };
  if (!ISO_TIME.safeParse(s).success)
    fail(422, 'value', p, 'a time CareHub cannot file (leap seconds are not supported)');
  return { full: s };
}

// --- Narrative -----------------------------------------------------------------------------

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  aelig: 'æ',
  AElig: 'Æ',
  oslash: 'ø',
  Oslash: 'Ø',
  aring: 'å',
  Aring: 'Å',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  eacute: 'é',
  deg: '°',
  micro: 'µ',
  plusmn: '±',
  times: '×',
  ndash: '–',
  mdash: '—',
  hellip: '…',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '';
    }
    return ENTITIES[name] ?? whole;
  });
}

/** Removes everything from each `open` to the end of its `close` (or to the end): linear, whatever the input. */
function cut(html: string, open: RegExp, close: (m: RegExpExecArray) => RegExp): string {
  let out = '';
  let at = 0;
  open.lastIndex = 0;
  for (let m = open.exec(html); m; m = open.exec(html)) {
    out += html.slice(at, m.index);
    const end = close(m);
    end.lastIndex = m.index + m[0].length;
    const e = end.exec(html);
    at = e ? e.index + e[0].length : html.length;
    open.lastIndex = at;
  }
  return out + html.slice(at);
}

/**
 * HTML to plain text: comments, scripts and styles dropped, blocks on their own lines, tags
 * removed, entities decoded. Every pattern is linear in the input (no backtracking over
 * unclosed tags), so a hostile presented form cannot stall the server.
 */
export function htmlToText(html: string): string {
  let text = cut(html, /<!--/g, () => /-->/g);
  text = cut(text, /<(script|style|head|title)\b/gi, (m) => new RegExp(`</${m[1]}[^<>]*>`, 'gi'));
  text = text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|h[1-6]|li|ul|ol|tr|table|section|article|header|footer|blockquote|pre)\b[^<>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, '\t')
    .replace(/<[^<>]*>/g, '');
  return tidy(decodeEntities(text));
}

/** Trims every line, keeps at most one blank line between paragraphs. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The text of an Attachment's inline `data` (base64) in the charset its contentType names (UTF-8 by default). */
export function decodeBase64Text(data: string, contentType: string, path: string): string {
  const compact = data.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) fail(422, 'value', `${path}.data`, 'not base64 (RFC 4648)');
  // Refuse before decoding what could only decode to more than the text limit.
  if ((compact.length / 4) * 3 > MAX_TEXT * 4) {
    fail(
      422,
      'too-long',
      `${path}.data`,
      `the presented form is larger than CareHub keeps (${MAX_TEXT.toLocaleString('en')} characters per result)`,
    );
  }
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    return fail(422, 'not-supported', `${path}.contentType`, `charset "${charset.slice(0, 40)}" is not supported`);
  }
  try {
    return decoder.decode(Buffer.from(compact, 'base64'));
  } catch {
    return fail(422, 'value', `${path}.data`, `the decoded bytes are not ${charset.slice(0, 40)} text`);
  }
}
