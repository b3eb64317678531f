import type { Bundle, OperationOutcome, Organization } from 'fhir/r4';
import { z } from 'zod';
import {
  allocate,
  type BuildOptions,
  MedcomBuildError,
  MessageAssembly,
  messageHeader,
  narrative,
  OrganisationInput,
  provenance,
  validInput,
  type MedcomOrganisation,
} from './build-common.ts';
import { FHIR_ID } from './fhir-schemas.ts';
import { EAN_CODE, SOR_CODE } from './parties.ts';
import { type AcknowledgementIssueInput, redactCpr } from './refusal.ts';
import {
  ACKNOWLEDGEMENT_ACTIVITY,
  ACKNOWLEDGEMENT_CODES,
  type AcknowledgementCode,
  EAN_SYSTEM,
  EVENT,
  MESSAGE_DEFINITION,
  PROFILE,
  SOR_SYSTEM,
} from './systems.ts';

/**
 * Acknowledgement 2.0: CareHub's answer to every message it receives. It goes from the
 * message's receiver back to its sender, names the message in `response.identifier`, and says
 * why in an OperationOutcome when the code is not ok (medcom-acknowledgement-1).
 */

export interface BuiltMessage {
  /** MessageHeader.id: what the answer to this message will name. */
  messageId: string;
  bundle: Bundle;
}

/** A parsed message or refusal: who sent it, to whom, under which id. */
export interface AcknowledgeableMessage {
  messageId: string;
  sender: { sor: string; ean: string | null; name: string | null } | null;
  receiver: { sor: string; ean: string | null; name: string | null } | null;
}

export interface AcknowledgementOptions extends BuildOptions {
  /** The acknowledgement's sender when the incoming message named no usable receiver (CareHub's organisation). */
  sender?: MedcomOrganisation;
  /** Its receiver when the incoming message named no usable sender. */
  receiver?: MedcomOrganisation;
}

const Party = z.object({
  sor: z.string().regex(SOR_CODE, 'a SOR code is 5 to 18 digits'),
  ean: z.string().regex(EAN_CODE, 'an EAN location number is 13 digits').nullable(),
  name: z.string().trim().min(1).max(500).nullable(),
});

const Input = z.object({
  messageId: z.string().regex(FHIR_ID, 'not a FHIR id'),
  code: z.enum(ACKNOWLEDGEMENT_CODES),
  sender: Party,
  receiver: Party,
});

function organisation(party: z.output<typeof Party>): Omit<Organization, 'id'> {
  return {
    resourceType: 'Organization',
    meta: { profile: [PROFILE.messagingOrganization] },
    text: narrative([party.name, `SOR ${party.sor}`, party.ean ? `EAN ${party.ean}` : null]),
    identifier: [
      ...(party.ean ? [{ system: EAN_SYSTEM, value: party.ean }] : []),
      { system: SOR_SYSTEM, value: party.sor },
    ],
    ...(party.name ? { name: party.name } : {}),
  };
}

const DEFAULT_ISSUE: AcknowledgementIssueInput = {
  issueType: 'processing',
  detail: { system: 'http://terminology.hl7.org/CodeSystem/operation-outcome', code: 'MSG_LOCAL_FAIL' },
};

export function buildAcknowledgement(
  incoming: AcknowledgeableMessage,
  code: AcknowledgementCode,
  issue?: AcknowledgementIssueInput,
  options: AcknowledgementOptions = {},
): BuiltMessage {
  const fallback = (o: MedcomOrganisation | undefined) => (o ? { ...validInput(OrganisationInput, o) } : null);
  const sender = fallback(options.sender) ?? incoming.receiver;
  const receiver = fallback(options.receiver) ?? incoming.sender;
  if (!sender || !receiver) {
    throw new MedcomBuildError([
      `${sender ? 'receiver' : 'sender'}: unknown; pass options.${sender ? 'receiver' : 'sender'} for a message that named none`,
    ]);
  }
  const input = validInput(Input, { messageId: incoming.messageId, code, sender, receiver });

  const m = new MessageAssembly(options);
  const headerId = crypto.randomUUID();
  const from = allocate('Organization');
  const to = allocate('Organization');
  const outcome = allocate('OperationOutcome');
  const notOk = input.code !== 'ok';
  messageHeader(m, headerId, {
    profile: PROFILE.acknowledgementHeader,
    event: EVENT.acknowledgement,
    sender: { ref: { reference: from.reference }, sor: input.sender.sor },
    receiver: { ref: { reference: to.reference }, sor: input.receiver.sor },
    definition: MESSAGE_DEFINITION.acknowledgement,
    response: {
      identifier: input.messageId,
      code: input.code,
      ...(notOk ? { details: { reference: outcome.reference } } : {}),
    },
  });
  m.add({ ...organisation(input.sender), id: from.id });
  m.add({ ...organisation(input.receiver), id: to.id });
  provenance(m, {
    profile: PROFILE.messagingProvenance,
    headerId,
    activity: ACKNOWLEDGEMENT_ACTIVITY,
    agent: { reference: from.reference },
    previous: { messageId: input.messageId, role: 'revision' },
  });
  if (notOk) {
    const why = issue ?? DEFAULT_ISSUE;
    const text = why.text ? redactCpr(why.text).slice(0, 2000) : undefined;
    m.add<OperationOutcome>({
      resourceType: 'OperationOutcome',
      id: outcome.id,
      meta: { profile: [PROFILE.acknowledgementOutcome] },
      text: narrative([`${input.code}: ${why.detail.code}`, text]),
      issue: [
        {
          severity: 'error',
          code: why.issueType,
          details: { coding: [why.detail] },
          ...(text ? { diagnostics: text } : {}),
        },
      ],
    });
  }
  return { messageId: headerId, bundle: m.bundle(PROFILE.acknowledgementMessage) };
}
