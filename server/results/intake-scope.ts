import { parseCpr } from '../../shared/cpr.ts';
import { CPR_SYSTEM } from '../../shared/fhir-systems.ts';
import { fail, optRec, optStr, optText, recs, type Rec } from './fhir-read.ts';

/**
 * What a reference in a submission can point at (http://hl7.org/fhir/R4/references.html): a
 * resource contained in the same resource (`#id`), or another entry of the same Bundle, by its
 * fullUrl (`urn:uuid:…`) or by `Type/id`. References that leave the submission are not followed:
 * the intake is pure and never fetches.
 */

export interface IntakeOptions {
  /** Whether a CPR replacement number (letters in it, normalised to ten characters) is registered in CareHub. */
  isRegisteredReplacementCpr(cpr: string): boolean;
}

export interface Located {
  resource: Rec;
  type: string;
  /** FHIRPath of the resource in the submission, e.g. `Bundle.entry[2].resource`. */
  path: string;
  /** Where the references in this resource resolve. */
  scope: Scope;
}

export interface BundleIndex {
  byFullUrl: Map<string, Located>;
  byTypeAndId: Map<string, Located>;
}

export interface Scope {
  contained: Map<string, Located>;
  bundle?: BundleIndex;
}

/** The scope of a resource: its own contained resources (which share it) and the Bundle it is in. */
export function scopeOf(resource: Rec, path: string, bundle: BundleIndex | undefined): Scope {
  const scope: Scope = { contained: new Map(), bundle };
  for (const { rec, path: p } of recs(resource, 'contained', path)) {
    const type = optStr(rec, 'resourceType', p);
    if (!type) fail(400, 'structure', `${p}.resourceType`, 'missing; every contained resource says its resourceType');
    const id = optText(rec, 'id', p);
    if (id === undefined) continue; // unreferenceable; FHIR requires contained resources to be referenced, CareHub ignores it
    if (scope.contained.has(id))
      fail(422, 'structure', `${p}.id`, `two contained resources have the id "${id.slice(0, 64)}"`);
    scope.contained.set(id, { resource: rec, type: type as string, path: p, scope });
  }
  return scope;
}

const TYPE_AND_ID = /^(?:.*\/)?([A-Z][A-Za-z]{1,63})\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Longer references are never resolved (and never run through a regular expression). */
const MAX_REFERENCE = 2048;

export function resolve(reference: string, scope: Scope): Located | undefined {
  if (reference.length > MAX_REFERENCE) return undefined;
  if (reference.startsWith('#')) return scope.contained.get(reference.slice(1));
  const bundle = scope.bundle;
  if (!bundle) return undefined;
  const exact = bundle.byFullUrl.get(reference);
  if (exact) return exact;
  const m = TYPE_AND_ID.exec(reference);
  return m ? bundle.byTypeAndId.get(`${m[1]}/${m[2]}`) : undefined;
}

/** Where a reference may be found, for the error message. */
export function whereTo(scope: Scope): string {
  return scope.bundle ? 'in the resource (contained) or in the Bundle' : "among the resource's contained resources";
}

/** A CPR identifier (system urn:oid:1.2.208.176.1.2) normalised; undefined when the identifier has another system. */
function cprFromIdentifier(identifier: Rec, path: string, opts: IntakeOptions): string | undefined {
  if (optText(identifier, 'system', path) !== CPR_SYSTEM) return undefined;
  const value = optText(identifier, 'value', path);
  if (!value) return fail(422, 'required', `${path}.value`, 'missing CPR identifier: the CPR identifier has no value');
  const parsed = parseCpr(value, { allowReplacement: true });
  // Never echo the number: diagnostics end up in logs.
  if (!parsed.ok) return fail(422, 'value', `${path}.value`, `not a valid CPR number: ${parsed.reason}`);
  if (parsed.replacement && !opts.isRegisteredReplacementCpr(parsed.cpr)) {
    return fail(
      422,
      'value',
      `${path}.value`,
      'a CPR replacement number (with letters) that is not registered in CareHub; only registered replacement numbers are accepted',
    );
  }
  return parsed.cpr;
}

/**
 * The CPR number of the patient a resource is about: `subject.identifier`, or the CPR
 * identifier of the Patient that `subject.reference` points at. `inherited` is the CPR of the
 * report an Observation belongs to, used when the Observation names no subject.
 */
export function subjectCpr(of: Located, opts: IntakeOptions, inherited?: string): string {
  const path = `${of.path}.subject`;
  const subject = optRec(of.resource, 'subject', of.path);
  if (!subject) {
    if (inherited) return inherited;
    return fail(
      422,
      'required',
      path,
      'missing CPR identifier: the subject must be the patient, identified by CPR (system urn:oid:1.2.208.176.1.2)',
    );
  }
  const identifier = optRec(subject, 'identifier', path);
  const direct = identifier ? cprFromIdentifier(identifier, `${path}.identifier`, opts) : undefined;
  let cpr = direct;
  const reference = optText(subject, 'reference', path);
  if (cpr === undefined && reference !== undefined) {
    const target = resolve(reference, of.scope);
    if (!target) {
      return fail(
        422,
        'required',
        `${path}.reference`,
        `missing CPR identifier: the referenced Patient is not ${whereTo(of.scope)}, and the subject has no CPR identifier`,
      );
    }
    if (target.type !== 'Patient')
      return fail(422, 'value', `${path}.reference`, `refers to a ${target.type.slice(0, 64)}, not a Patient`);
    for (const { rec, path: p } of recs(target.resource, 'identifier', target.path)) {
      cpr = cprFromIdentifier(rec, p, opts);
      if (cpr !== undefined) break;
    }
    if (cpr === undefined) {
      return fail(
        422,
        'required',
        `${target.path}.identifier`,
        `missing CPR identifier: the Patient that ${path} refers to has no identifier with system urn:oid:1.2.208.176.1.2`,
      );
    }
  }
  if (cpr === undefined) {
    return fail(
      422,
      'required',
      path,
      'missing CPR identifier: give subject.identifier with system urn:oid:1.2.208.176.1.2, or reference a Patient in the submission that has one',
    );
  }
  if (inherited !== undefined && cpr !== inherited) {
    return fail(422, 'value', path, 'a different patient from the subject of the DiagnosticReport it belongs to');
  }
  return cpr;
}
