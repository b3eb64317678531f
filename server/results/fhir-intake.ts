import type { OperationOutcome } from 'fhir/r4';
import { parseCpr } from '../../shared/cpr.ts';
import { EncounterNotification, IncomingResult } from '../../shared/results.ts';
import { fail, IntakeError, isRec, optRec, optStr, optText, own, recs, type Rec } from './fhir-read.ts';
import { scopeOf, type BundleIndex, type IntakeOptions, type Located } from './intake-scope.ts';
import { observationResult } from './observation-intake.ts';
import { MAX_ITEMS, reportObservations, reportResults, type Filed } from './report-intake.ts';

/**
 * The result intake (docs/ARCHITECTURE.md, "The path of a result"): `POST /api/v1/results`
 * bodies, FHIR R4 JSON, to the IncomingResults CareHub files, and `POST /api/v1/encounters`
 * bodies to EncounterNotifications.
 * Pure: no I/O, and no input makes it throw; a submission it cannot file is answered with an
 * OperationOutcome that says what is wrong and where (a FHIRPath such as
 * `Bundle.entry[2].resource.subject`), with 400 when the body is not FHIR JSON we can read and
 * 422 when it is FHIR that CareHub cannot file. Diagnostics never repeat a CPR number.
 *
 * Accepted: an Observation; a DiagnosticReport with its Observations contained; a Bundle of type
 * transaction, batch, collection or message holding Observations, DiagnosticReports (their
 * Observations contained or in the Bundle) and the Patients they refer to.
 */

export type { IntakeOptions } from './intake-scope.ts';

export type IntakeRefusal = { ok: false; status: 400 | 422; outcome: OperationOutcome };
export type ResultSubmission = { ok: true; results: IncomingResult[] } | IntakeRefusal;
export type EncounterSubmission = { ok: true; notification: EncounterNotification } | IntakeRefusal;

const BUNDLE_TYPES = new Set(['transaction', 'batch', 'collection', 'message']);
/** Resources a Bundle may carry besides results: context CareHub reads (Patient) or passes over. */
const CONTEXT_TYPES = new Set([
  'Patient',
  'MessageHeader',
  'Specimen',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Encounter',
  'ServiceRequest',
  'Provenance',
  'ImagingStudy',
  'Media',
  'Device',
  'Location',
]);
const ACCEPTED = 'CareHub files Observation, DiagnosticReport and Bundle (transaction, batch, collection or message)';

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

function refuse(err: unknown): IntakeRefusal {
  if (err instanceof IntakeError) return { ok: false, status: err.status, outcome: err.outcome() };
  throw err;
}

function topLevel(body: Rec, type: string): Located {
  return { resource: body, type, path: type, scope: scopeOf(body, type, undefined) };
}

function bundleResults(bundle: Rec, opts: IntakeOptions): Filed[] {
  const type = optText(bundle, 'type', 'Bundle');
  if (!type) return fail(422, 'required', 'Bundle.type', `missing; ${ACCEPTED}`);
  if (!BUNDLE_TYPES.has(type))
    return fail(422, 'not-supported', 'Bundle.type', `a ${type.slice(0, 40)} bundle is not a submission; ${ACCEPTED}`);
  const entries = recs(bundle, 'entry', 'Bundle');
  if (entries.length === 0)
    return fail(
      422,
      'required',
      'Bundle.entry',
      'the bundle is empty; it should hold the Observations or DiagnosticReports to file',
    );
  if (entries.length > MAX_ITEMS)
    return fail(422, 'too-long', 'Bundle.entry', `more than ${MAX_ITEMS} entries in one bundle; send several`);

  const index: BundleIndex = { byFullUrl: new Map(), byTypeAndId: new Map() };
  const located: Located[] = [];
  for (const { rec: entry, path } of entries) {
    const resource = optRec(entry, 'resource', path);
    if (!resource)
      return fail(422, 'required', `${path}.resource`, 'missing; every entry of a submission holds a resource');
    const rpath = `${path}.resource`;
    const rtype = optStr(resource, 'resourceType', rpath);
    if (!rtype) return fail(400, 'structure', `${rpath}.resourceType`, 'missing; every resource says its resourceType');
    const request = optRec(entry, 'request', path);
    const method = request ? optText(request, 'method', `${path}.request`) : undefined;
    if (method !== undefined && method !== 'POST' && method !== 'PUT') {
      return fail(
        422,
        'not-supported',
        `${path}.request.method`,
        `${method.slice(0, 10)} is not supported; results are filed with POST (or PUT)`,
      );
    }
    const loc: Located = { resource, type: rtype, path: rpath, scope: scopeOf(resource, rpath, index) };
    const fullUrl = optText(entry, 'fullUrl', path);
    if (fullUrl !== undefined) {
      if (index.byFullUrl.has(fullUrl))
        return fail(
          422,
          'structure',
          `${path}.fullUrl`,
          `another entry has the same fullUrl (${index.byFullUrl.get(fullUrl)?.path})`,
        );
      index.byFullUrl.set(fullUrl, loc);
    }
    const id = optText(resource, 'id', rpath);
    if (id !== undefined && !index.byTypeAndId.has(`${rtype}/${id}`)) index.byTypeAndId.set(`${rtype}/${id}`, loc);
    located.push(loc);
  }

  // An Observation that a report in the bundle refers to is filed with (or as part of) that report.
  const used = new Set<Rec>();
  for (const loc of located)
    if (loc.type === 'DiagnosticReport') for (const obs of reportObservations(loc)) used.add(obs.resource);

  const filed: Filed[] = [];
  for (const loc of located) {
    if (loc.type === 'Observation') {
      if (!used.has(loc.resource)) filed.push({ result: observationResult(loc, opts), path: loc.path });
    } else if (loc.type === 'DiagnosticReport') {
      filed.push(...reportResults(loc, opts).results);
    } else if (!CONTEXT_TYPES.has(loc.type)) {
      return fail(422, 'not-supported', loc.path, `a ${loc.type.slice(0, 64)} is not a result; ${ACCEPTED}`);
    }
  }
  if (filed.length === 0)
    return fail(422, 'required', 'Bundle.entry', 'the bundle holds no Observation or DiagnosticReport to file');
  return filed;
}

function submissionResults(body: unknown, opts: IntakeOptions): Filed[] {
  if (!isRec(body))
    return fail(400, 'structure', '', `the body must be a FHIR resource (a JSON object), not ${kindOf(body)}`);
  const type = own(body, 'resourceType');
  if (type === undefined || type === null)
    return fail(400, 'structure', 'resourceType', `missing; not a FHIR resource. ${ACCEPTED}`);
  if (typeof type !== 'string') return fail(400, 'structure', 'resourceType', `must be a string, not ${kindOf(type)}`);
  switch (type) {
    case 'Observation': {
      const loc = topLevel(body, type);
      return [{ result: observationResult(loc, opts), path: loc.path }];
    }
    case 'DiagnosticReport':
      return reportResults(topLevel(body, type), opts).results;
    case 'Bundle':
      return bundleResults(body, opts);
    default:
      return fail(
        422,
        'not-supported',
        'resourceType',
        `a ${type.slice(0, 64) || 'resource without type'} is not a result; ${ACCEPTED}`,
      );
  }
}

/** Checks the results against the contract, and that no two of them claim the same identifier. */
function checked(filed: Filed[]): IncomingResult[] {
  const byIdentifier = new Map<string, string>();
  return filed.map(({ result, path }) => {
    const earlier = byIdentifier.get(result.identifier);
    if (earlier !== undefined) {
      fail(
        422,
        'value',
        `${path}.identifier`,
        `the same identifier as ${earlier}; each result in one submission needs its own`,
      );
    }
    byIdentifier.set(result.identifier, path);
    const parsed = IncomingResult.safeParse(result);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(422, 'value', path, `${issue?.path.join('.') || 'result'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data as IncomingResult;
  });
}

/**
 * A `POST /api/v1/results` body to the results it files. `opts.isRegisteredReplacementCpr`
 * decides whether a CPR replacement number (letters in it) is one CareHub knows.
 */
export function parseResultSubmission(body: unknown, opts: IntakeOptions): ResultSubmission {
  try {
    return { ok: true, results: checked(submissionResults(body, opts)) };
  } catch (err) {
    return refuse(err);
  }
}

/** A `POST /api/v1/encounters` body (plain JSON, shared/results.ts EncounterNotification), its CPR normalised. */
export function parseEncounterNotification(body: unknown, opts: IntakeOptions): EncounterSubmission {
  try {
    if (!isRec(body)) return fail(400, 'structure', '', `the body must be a JSON object, not ${kindOf(body)}`);
    const parsed = EncounterNotification.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      const missing = issue?.code === 'invalid_type' && own(body, String(issue.path[0])) === undefined;
      return fail(422, missing ? 'required' : 'value', field, missing ? 'missing' : (issue?.message ?? 'invalid'));
    }
    const cpr = parseCpr(parsed.data.cpr, { allowReplacement: true });
    if (!cpr.ok) return fail(422, 'value', 'cpr', `not a valid CPR number: ${cpr.reason}`);
    if (cpr.replacement && !opts.isRegisteredReplacementCpr(cpr.cpr)) {
      return fail(422, 'value', 'cpr', 'a CPR replacement number (with letters) that is not registered in CareHub');
    }
    return { ok: true, notification: { ...parsed.data, cpr: cpr.cpr } };
  } catch (err) {
    return refuse(err);
  }
}
