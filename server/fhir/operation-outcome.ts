import type { Response } from 'express';
import type { OperationOutcome } from 'fhir/r4';
import type { ErrorCode } from '../../shared/errors.ts';

/**
 * FHIR routes answer errors with an OperationOutcome (docs/ARCHITECTURE.md, "Interfaces";
 * http://hl7.org/fhir/R4/operationoutcome.html) with the proper HTTP status.
 */

export const FHIR_JSON = 'application/fhir+json';

/** The issue types (http://hl7.org/fhir/R4/valueset-issue-type.html) CareHub answers with. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'not-supported'
  | 'too-long'
  | 'conflict'
  | 'throttled'
  | 'transient'
  | 'exception';

/**
 * One issue. `expression` (FHIRPath, e.g. `Bundle.entry[2].resource.subject`) says where in the
 * submitted resource the problem is; `diagnostics` says what, for the sender's developers.
 */
export function operationOutcome(
  code: IssueType,
  diagnostics: string,
  severity: 'fatal' | 'error' | 'warning' = 'error',
  expression?: string,
): OperationOutcome {
  const issue: OperationOutcome['issue'][number] = { severity, code, diagnostics };
  if (expression) issue.expression = [expression];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

/** The issue type for one of the REST error codes of shared/errors.ts. */
export function issueTypeFor(code: ErrorCode): IssueType {
  switch (code) {
    case 'unauthorized':
      return 'login';
    case 'forbidden':
      return 'forbidden';
    case 'not_found':
      return 'not-found';
    case 'bad_request':
    case 'validation_failed':
      return 'invalid';
    case 'payload_too_large':
      return 'too-long';
    case 'conflict':
      return 'conflict';
    case 'rate_limited':
      return 'throttled';
    case 'unavailable':
      return 'transient';
    case 'internal':
      return 'exception';
  }
}

/** Sends `resource` as FHIR JSON; patient data is never cached on the way. */
export function sendFhir(res: Response, status: number, resource: object): void {
  res.status(status).set('Cache-Control', 'no-store').type(FHIR_JSON).json(resource);
}

export function sendOperationOutcome(res: Response, status: number, code: IssueType, diagnostics: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer');
  sendFhir(res, status, operationOutcome(code, diagnostics));
}
