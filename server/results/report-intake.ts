import type { IncomingResult, ResultCategory } from '../../shared/results.ts';
import {
  checkTextLength,
  conceptText,
  decodeBase64Text,
  fail,
  htmlToText,
  identifierOf,
  optArr,
  optRec,
  optText,
  primaryCoding,
  recs,
  tidy,
  type Rec,
} from './fhir-read.ts';
import { resolve, subjectCpr, whereTo, type IntakeOptions, type Located } from './intake-scope.ts';
import { effectiveOf, observationLine, observationResult, sectionOf, statusOf } from './observation-intake.ts';

/**
 * A FHIR R4 DiagnosticReport (http://hl7.org/fhir/R4/diagnosticreport.html) to results:
 * - a laboratory report (a panel) files each of its Observations as a result of its own;
 * - an imaging report (X-ray, CT, ultrasound…) or a pathology report is ONE result, its text
 *   the conclusion, the coded conclusions, its Observations summarised and the presented form
 *   (text/plain, or text/html as text); its identifier and code are the report's.
 */

/** At most this many results in one report (and entries in one Bundle): a bound on the work one request can ask for. */
export const MAX_ITEMS = 1000;

/** The Observations the report's `result` references point at, in order. */
export function reportObservations(report: Located): Located[] {
  const refs = recs(report.resource, 'result', report.path);
  if (refs.length > MAX_ITEMS)
    fail(422, 'too-long', `${report.path}.result`, `more than ${MAX_ITEMS} results in one report`);
  return refs.map(({ rec, path }) => {
    const reference = optText(rec, 'reference', path);
    if (!reference)
      return fail(422, 'required', `${path}.reference`, 'missing; a result reference points at an Observation');
    const target = resolve(reference, report.scope);
    if (!target) {
      return fail(
        422,
        'not-found',
        `${path}.reference`,
        `the Observation "${reference.slice(0, 100)}" is not ${whereTo(report.scope)}`,
      );
    }
    if (target.type !== 'Observation')
      return fail(422, 'value', `${path}.reference`, `refers to a ${target.type.slice(0, 64)}, not an Observation`);
    return target;
  });
}

const TEXT_TYPES = new Set(['text/plain']);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/** The readable text of the report's presented forms; forms CareHub cannot read (PDF, a URL) are passed over. */
function presentedText(report: Located): string[] {
  const texts: string[] = [];
  for (const { rec, path } of recs(report.resource, 'presentedForm', report.path)) {
    const contentType = optText(rec, 'contentType', path) ?? '';
    const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    const data = optText(rec, 'data', path);
    if (!data || !(TEXT_TYPES.has(mediaType) || HTML_TYPES.has(mediaType))) continue;
    const decoded = decodeBase64Text(data, contentType, path);
    const text = HTML_TYPES.has(mediaType) ? htmlToText(decoded) : tidy(decoded);
    if (text) texts.push(text);
  }
  return texts;
}

function narrativeReport(
  report: Located,
  observations: Located[],
  category: ResultCategory,
  opts: IntakeOptions,
): IncomingResult {
  const { resource, path } = report;
  const what =
    category === 'imaging' ? 'an imaging report' : category === 'pathology' ? 'a pathology report' : 'a report';
  const identifier = identifierOf(resource, path, what);
  const status = statusOf(resource, path, true);
  const code = primaryCoding(optRec(resource, 'code', path), `${path}.code`, what);
  const cpr = subjectCpr(report, opts);

  const parts: string[] = [];
  const conclusion = optText(resource, 'conclusion', path);
  if (conclusion) parts.push(tidy(conclusion));
  const coded = recs(resource, 'conclusionCode', path)
    .map(({ rec, path: p }) => conceptText(rec, p))
    .filter((t): t is string => !!t && !(conclusion ?? '').toLowerCase().includes(t.toLowerCase()));
  if (coded.length > 0) parts.push(coded.join('; '));
  const lines = observations.map((o) => observationLine(o)).filter((l): l is string => !!l);
  if (lines.length > 0) parts.push(lines.join('\n'));
  for (const text of presentedText(report)) if (!parts.includes(text)) parts.push(text);
  if (parts.length === 0) {
    return fail(
      422,
      'required',
      path,
      `${what} needs a conclusion, a conclusionCode or a readable presentedForm (text/plain or text/html, inline base64 data); a PDF or a link alone cannot be shown in the plan`,
    );
  }
  const result: IncomingResult = {
    identifier,
    cpr,
    kind: category === 'imaging' ? 'imaging' : 'lab',
    category,
    code,
    status,
    text: checkTextLength(parts.join('\n\n'), path),
  };
  const effective = effectiveOf(resource, path);
  if (effective) result.effective = effective;
  return result;
}

/** A result and where in the submission it comes from. */
export interface Filed {
  result: IncomingResult;
  path: string;
}

/** The results of one DiagnosticReport, and the Observations it used (not to be filed again on their own). */
export function reportResults(report: Located, opts: IntakeOptions): { results: Filed[]; used: Set<Rec> } {
  const { resource, path } = report;
  const imagingStudies = optArr(resource, 'imagingStudy', path).length > 0;
  const section = sectionOf(resource, path) ?? (imagingStudies ? 'imaging' : undefined);
  const observations = reportObservations(report);
  const used = new Set(observations.map((o) => o.resource));
  const hasNarrative =
    optText(resource, 'conclusion', path) !== undefined ||
    optArr(resource, 'conclusionCode', path).length > 0 ||
    optArr(resource, 'presentedForm', path).length > 0;

  if (section === 'imaging' || section === 'pathology')
    return { results: [{ result: narrativeReport(report, observations, section, opts), path }], used };
  if (observations.length === 0) {
    if (!hasNarrative)
      return fail(
        422,
        'required',
        `${path}.result`,
        'the report holds no results: reference its Observations (contained or in the Bundle)',
      );
    if (section === undefined) {
      // The category decides how long the citizen waits for the result: never guess it.
      return fail(
        422,
        'required',
        `${path}.category`,
        'a report without Observations must say whether it is imaging (v2-0074 RAD, CT, RUS…), pathology (PAT, SP, CP) or laboratory (LAB…)',
      );
    }
    return { results: [{ result: narrativeReport(report, observations, section, opts), path }], used };
  }
  // A laboratory panel: each Observation is a result; the report's subject stands in for theirs.
  const cpr = optRec(resource, 'subject', path) ? subjectCpr(report, opts) : undefined;
  const seen = new Set<Rec>();
  const results: Filed[] = [];
  for (const obs of observations) {
    if (seen.has(obs.resource)) continue; // the same Observation referenced twice
    seen.add(obs.resource);
    results.push({ result: observationResult(obs, opts, { cpr }), path: obs.path });
  }
  return { results, used };
}
