import { operationOutcome } from '../fhir/operation-outcome.ts';
import { acknowledgementFor, parseMedcomMessage } from '../medcom/index.ts';
import { contentHash } from './content-hash.ts';
import {
  type Handling,
  type MessageIntakeDeps,
  noteAcknowledgement,
  receiveCareCommunication,
  receiveHomeCareObservation,
  receiveHospitalNotification,
} from './intake-handlers.ts';
import { type IntakeAnswer, IntakeLedger, type MessageSender, type Received } from './intake-ledger.ts';

export type { MessageIntakeDeps } from './intake-handlers.ts';
export type { IntakeAnswer, MessageSender } from './intake-ledger.ts';

/**
 * MedCom messages in (issue 18): the routing. Each message is parsed (server/medcom); a
 * malformed one is answered with an OperationOutcome, the same message again with the same
 * answer (other content under its id: 409), a refused one with a fatal-error acknowledgement.
 * The rest is routed on its kind (MessageHeader.eventCoding, then the Provenance's activity)
 * and, but for an acknowledgement, on its receiver's SOR code to the handling of that kind
 * (intake-handlers.ts); the bookkeeping every message shares is intake-ledger.ts.
 */
export class MessageIntake {
  private readonly handling: Handling;

  constructor(private readonly deps: MessageIntakeDeps) {
    this.handling = { deps, ledger: new IntakeLedger(deps) };
  }

  async receive(from: MessageSender, json: unknown): Promise<IntakeAnswer> {
    const { ledger } = this.handling;
    const parsed = parseMedcomMessage(json, { maxAttachmentBytes: this.deps.maxAttachmentBytes });
    if (parsed.kind === 'malformed') {
      ledger.audit(from, null, 'refused', { reason: parsed.code });
      return {
        status: 400,
        body: operationOutcome('structure', parsed.diagnostics, 'error', parsed.expression ?? undefined),
      };
    }
    const messageId = parsed.kind === 'refused' ? parsed.message.messageId : parsed.messageId;
    const r: Received = { from, hash: contentHash(json), json };
    const earlier = await this.deps.store.messages.getIncoming(messageId);
    if (earlier) return ledger.replay(from, earlier, r.hash);

    if (parsed.kind === 'refused') {
      const { code, issue } = acknowledgementFor(parsed);
      return ledger.refuse(r, parsed.message, parsed.message.eventCode, code, issue, parsed.code);
    }
    if (parsed.kind === 'acknowledgement') return noteAcknowledgement(this.handling, r, parsed);

    const receiver = await this.deps.store.getOrganisationBySor(parsed.receiver.sor);
    if (!receiver) {
      const why = `no organisation in CareHub has the receiver's SOR code ${parsed.receiver.sor}`;
      const { code, issue } = acknowledgementFor({ code: 'unknown-receiver', diagnostics: why });
      return ledger.refuse(r, parsed, parsed.eventCode, code, issue, 'unknown-receiver');
    }
    switch (parsed.kind) {
      case 'care-communication':
        return receiveCareCommunication(this.handling, r, parsed, receiver);
      case 'home-care-observation':
        return receiveHomeCareObservation(this.handling, r, parsed, receiver);
      case 'hospital-notification':
        return receiveHospitalNotification(this.handling, r, parsed, receiver);
    }
  }
}
