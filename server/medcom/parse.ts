import { MessageBundle } from './bundle-index.ts';
import { messageShape, readEnvelope } from './envelope.ts';
import { parseAcknowledgement } from './parse-acknowledgement.ts';
import { parseCareCommunication } from './parse-care-communication.ts';
import { parseHomeCareObservation } from './parse-home-care-observation.ts';
import { parseHospitalNotification } from './parse-hospital-notification.ts';
import { type MedcomRefusal, quote, redactCpr, RefusalSignal, type RefusedMessage } from './refusal.ts';
import { EVENT } from './systems.ts';
import type { MedcomMessage } from './types.ts';

export interface ParseOptions {
  /** Largest attachment (decoded bytes) a CareCommunication may carry. Default 10 MiB. */
  maxAttachmentBytes?: number;
  /** Longest message text (characters) of one CareCommunication payload. Default 100 000. */
  maxTextLength?: number;
}

export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_TEXT_LENGTH = 100_000;

export type ParseResult = MedcomMessage | MedcomRefusal;

export const isRefusal = (r: ParseResult): r is MedcomRefusal => r.kind === 'malformed' || r.kind === 'refused';

/**
 * A MedCom message (parsed JSON) to what it says, or why CareHub does not take it. Pure, and no
 * input makes it throw: an unexpected failure inside becomes a refusal with code
 * `internal-error` (answered with a transient-error acknowledgement).
 */
export function parseMedcomMessage(json: unknown, options: ParseOptions = {}): ParseResult {
  let shape: ReturnType<typeof messageShape>;
  try {
    shape = messageShape(json);
  } catch {
    // A getter or proxy in a value that did not come from JSON.parse.
    return {
      kind: 'malformed',
      code: 'not-an-object',
      diagnostics: 'the body could not be read as JSON',
      expression: null,
      message: null,
    };
  }
  if ('kind' in shape) return shape;
  const known: RefusedMessage = {
    messageId: shape.messageId,
    eventCode: shape.eventCode,
    sender: null,
    receiver: null,
  };
  try {
    const bundle = new MessageBundle(shape.entries);
    const read = readEnvelope(bundle, shape, known);
    switch (read.envelope.eventCode) {
      case EVENT.hospitalNotification:
        return parseHospitalNotification(bundle, read);
      case EVENT.careCommunication:
        return parseCareCommunication(bundle, read, {
          maxAttachmentBytes: options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES,
          maxTextLength: options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH,
        });
      case EVENT.homeCareObservation:
        return parseHomeCareObservation(bundle, read);
      case EVENT.acknowledgement:
        return parseAcknowledgement(bundle, read);
      default:
        return {
          kind: 'refused',
          code: 'unsupported-event',
          diagnostics: `CareHub does not take ${quote(read.envelope.eventCode)} messages`,
          expression: 'Bundle.entry[0].resource.eventCoding',
          message: known,
        };
    }
  } catch (err) {
    if (err instanceof RefusalSignal) {
      return {
        kind: 'refused',
        code: err.code,
        diagnostics: redactCpr(err.diagnostics),
        expression: err.expression,
        message: known,
      };
    }
    return {
      kind: 'refused',
      code: 'internal-error',
      diagnostics: 'the message could not be processed',
      expression: null,
      message: known,
    };
  }
}
