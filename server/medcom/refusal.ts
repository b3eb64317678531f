import { ACK_ERROR_CODE_SYSTEM, OPERATION_OUTCOME_CODE_SYSTEM } from './systems.ts';
import type { MedcomParty } from './types.ts';

/**
 * Why a message is not taken. Two kinds, split by one question: can the message be answered?
 * - `malformed`: no MedCom message CareHub could acknowledge (not a JSON object, not a Bundle
 *   of type message, no MessageHeader first, no usable MessageHeader.id) → HTTP 400 with an
 *   OperationOutcome, no acknowledgement.
 * - `refused`: a message with an identity, refused for what it says or lacks → HTTP 422 with a
 *   fatal-error acknowledgement (transient-error for `internal-error`), built from `message`.
 * Diagnostics never repeat a CPR number: they name places and codes, and are scrubbed anyway.
 */
export const MALFORMED_CODES = [
  'not-an-object',
  'not-a-bundle',
  'not-a-message',
  'message-header-not-first',
  'invalid-message-id',
] as const;

export const REFUSED_CODES = [
  'unsupported-event',
  'unsupported-activity',
  'missing-provenance',
  'ambiguous-provenance',
  'no-receiver',
  'invalid-receiver',
  /** Never produced by the parser: for the intake when no organisation in CareHub has the receiver's SOR. */
  'unknown-receiver',
  'no-sender',
  'invalid-sender',
  'no-patient',
  'several-patients',
  'no-patient-identifier',
  'invalid-patient-identifier',
  'missing-element',
  'invalid-element',
  'unresolved-reference',
  'attachment-too-large',
  'unsupported-attachment-type',
  'text-too-long',
  'internal-error',
] as const;

export type MalformedCode = (typeof MALFORMED_CODES)[number];
export type RefusedCode = (typeof REFUSED_CODES)[number];
export type RefusalCode = MalformedCode | RefusedCode;

/** What is known of a refused message: enough to address its acknowledgement. */
export interface RefusedMessage {
  messageId: string;
  eventCode: string | null;
  sender: MedcomParty | null;
  receiver: MedcomParty | null;
}

export type MedcomRefusal =
  | { kind: 'malformed'; code: MalformedCode; diagnostics: string; expression: string | null; message: null }
  | { kind: 'refused'; code: RefusedCode; diagnostics: string; expression: string | null; message: RefusedMessage };

/** Thrown inside the parser, caught by `parseMedcomMessage`; never leaves the library. */
export class RefusalSignal extends Error {
  constructor(
    readonly code: RefusedCode,
    readonly diagnostics: string,
    readonly expression: string | null = null,
  ) {
    super(diagnostics);
  }
}

export function refuse(code: RefusedCode, diagnostics: string, expression: string | null = null): never {
  throw new RefusalSignal(code, diagnostics, expression);
}

// Ten digits (or six and four alphanumerics) standing alone: a longer run of digits, such as a
// SOR code, is not a CPR number and stays readable.
const CPR_LIKE = /(?<!\d)\d{6}-?\d{4}(?!\d)/g;
const ECPR_LIKE = /(?<![0-9a-z])[0-9]{6}-?[0-9a-z]{4}(?![0-9a-z])/gi;

/** Blanks out anything shaped like a CPR or replacement CPR number. */
export function redactCpr(text: string): string {
  return text.replace(CPR_LIKE, '[cpr]').replace(ECPR_LIKE, '[cpr]');
}

/** A value from the message, fit to appear in a diagnostic: short, one line, no CPR. */
export function quote(value: unknown): string {
  const s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const oneLine = s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return `"${redactCpr(oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine)}"`;
}

export interface AcknowledgementIssueInput {
  /** OperationOutcome.issue.code (FHIR issue-type). */
  issueType:
    | 'structure'
    | 'required'
    | 'value'
    | 'not-supported'
    | 'not-found'
    | 'too-long'
    | 'exception'
    | 'processing';
  /** A code from MedCom's medcom-acknowledgement-issue-details value set. */
  detail: { system: string; code: string };
  /** Human-readable; goes to OperationOutcome.issue.diagnostics (scrubbed of CPR numbers). */
  text?: string;
}

const medcom = (code: string) => ({ system: ACK_ERROR_CODE_SYSTEM, code });
const hl7 = (code: string) => ({ system: OPERATION_OUTCOME_CODE_SYSTEM, code });

const ISSUES: Record<RefusalCode, Omit<AcknowledgementIssueInput, 'text'>> = {
  'not-an-object': { issueType: 'structure', detail: hl7('MSG_JSON_OBJECT') },
  'not-a-bundle': { issueType: 'structure', detail: hl7('MSG_BAD_FORMAT') },
  'not-a-message': { issueType: 'structure', detail: hl7('MSG_BAD_FORMAT') },
  'message-header-not-first': { issueType: 'structure', detail: hl7('MSG_BAD_FORMAT') },
  'invalid-message-id': { issueType: 'value', detail: hl7('MSG_ID_INVALID') },
  'unsupported-event': { issueType: 'not-supported', detail: medcom('MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE') },
  'unsupported-activity': { issueType: 'not-supported', detail: medcom('MSG_VALUESET_VALUE_UNKNOWN') },
  'missing-provenance': { issueType: 'required', detail: hl7('MSG_RESOURCE_REQUIRED') },
  'ambiguous-provenance': { issueType: 'structure', detail: hl7('MSG_BAD_FORMAT') },
  'no-receiver': { issueType: 'required', detail: medcom('MSG_Receiver_Identifier_MISSING') },
  'invalid-receiver': { issueType: 'value', detail: medcom('MSG_Receiver_Identifier_UNKNOWN') },
  'unknown-receiver': { issueType: 'not-found', detail: medcom('MSG_Receiver_Identifier_UNKNOWN') },
  'no-sender': { issueType: 'required', detail: hl7('MSG_RESOURCE_REQUIRED') },
  'invalid-sender': { issueType: 'value', detail: hl7('MSG_PARAM_INVALID') },
  'no-patient': { issueType: 'required', detail: hl7('MSG_RESOURCE_REQUIRED') },
  'several-patients': { issueType: 'structure', detail: hl7('MSG_RESOURCE_NOT_ALLOWED') },
  'no-patient-identifier': { issueType: 'required', detail: hl7('MSG_RESOURCE_ID_MISSING') },
  'invalid-patient-identifier': { issueType: 'value', detail: medcom('MSG_Datatype_Wrong') },
  'missing-element': { issueType: 'required', detail: hl7('MSG_RESOURCE_REQUIRED') },
  'invalid-element': { issueType: 'value', detail: medcom('MSG_Datatype_Wrong') },
  'unresolved-reference': { issueType: 'not-found', detail: hl7('MSG_RESOURCE_ID_FAIL') },
  'attachment-too-large': { issueType: 'too-long', detail: medcom('MSG_Element_To_Long') },
  'unsupported-attachment-type': { issueType: 'value', detail: medcom('MSG_VALUESET_VALUE_UNKNOWN') },
  'text-too-long': { issueType: 'too-long', detail: medcom('MSG_Element_To_Long') },
  'internal-error': { issueType: 'exception', detail: hl7('MSG_LOCAL_FAIL') },
};

/** The acknowledgement a refusal earns: its code and the OperationOutcome issue saying why. */
export function acknowledgementFor(refusal: { code: RefusalCode; diagnostics: string }): {
  code: 'fatal-error' | 'transient-error';
  issue: AcknowledgementIssueInput;
} {
  return {
    code: refusal.code === 'internal-error' ? 'transient-error' : 'fatal-error',
    issue: { ...ISSUES[refusal.code], text: refusal.diagnostics },
  };
}
