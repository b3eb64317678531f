import type { MessageBundle } from './bundle-index.ts';
import type { ReadEnvelope } from './envelope.ts';
import * as F from './fhir-schemas.ts';
import { quote, redactCpr, refuse } from './refusal.ts';
import { ACKNOWLEDGEMENT_ACTIVITY, ACKNOWLEDGEMENT_CODES, type AcknowledgementCode } from './systems.ts';
import type { Acknowledgement, AcknowledgementIssue } from './types.ts';

/**
 * Acknowledgement 2.0 (kvittering): the answer to a message CareHub sent. The acknowledged
 * message is `MessageHeader.response.identifier`; the Provenance's entity may name another one
 * (MedCom's own fatal-error example does) and is not used to decide.
 */
export function parseAcknowledgement(bundle: MessageBundle, read: ReadEnvelope): Acknowledgement {
  const at = `${read.headerEntry.path}.response`;
  if (read.activity !== ACKNOWLEDGEMENT_ACTIVITY)
    refuse(
      'unsupported-activity',
      `${quote(read.activity)} is not the acknowledgement activity`,
      'Provenance.activity',
    );
  const response = read.header.response;
  const acknowledged = F.text(response?.identifier);
  if (!acknowledged)
    refuse(
      'missing-element',
      'MessageHeader.response.identifier is missing: which message is acknowledged?',
      `${at}.identifier`,
    );
  const code = response?.code;
  if (!(ACKNOWLEDGEMENT_CODES as readonly (string | undefined)[]).includes(code)) {
    refuse(
      'invalid-element',
      `MessageHeader.response.code must be one of ${ACKNOWLEDGEMENT_CODES.join(', ')}`,
      `${at}.code`,
    );
  }
  const outcomeEntry = response?.details
    ? bundle.resolvePresent(response.details.reference, ['OperationOutcome'], `${at}.details`)
    : (bundle.ofType('OperationOutcome')[0] ?? null);
  const issues: AcknowledgementIssue[] = outcomeEntry
    ? (bundle.read(outcomeEntry, F.OperationOutcome).issue ?? []).map((issue) => {
        const texts = [F.text(issue.details?.text), F.text(issue.diagnostics)].filter((t) => t !== null);
        return {
          severity: F.text(issue.severity) ?? 'error',
          code: F.text(issue.code) ?? 'unknown',
          details: (issue.details?.coding ?? []).map((c) => F.text(c.code)).filter((c) => c !== null),
          text: texts.length > 0 ? redactCpr(texts.join(' — ')) : null,
        };
      })
    : [];
  const summary = issues.map((i) => [...i.details, i.text].filter(Boolean).join(': ')).filter((s) => s !== '');
  return {
    kind: 'acknowledgement',
    ...read.envelope,
    acknowledgedMessageId: acknowledged,
    code: code as AcknowledgementCode,
    issues,
    diagnostics: summary.length > 0 ? summary.join('; ') : null,
  };
}
