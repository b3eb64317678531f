import type { MessageHeader, OperationOutcome } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  ACK_ERROR_CODE_SYSTEM,
  acknowledgementFor,
  buildAcknowledgement,
  isRefusal,
  MedcomBuildError,
  parseMedcomMessage,
  PROFILE,
} from '../../server/medcom/index.ts';
import { ACKNOWLEDGEMENT, failing, MESSAGING, schemaErrors } from '../fixtures/medcom-invariants.ts';
import {
  BRUNO_CPR,
  CARE_HOME,
  FIXTURES,
  HOSPITAL,
  load,
  ownProvenance,
  parse,
  parsed,
  resourceOf,
} from '../fixtures/medcom-messages.ts';

/**
 * Every message CareHub receives is answered: the acknowledgement goes from the message's
 * receiver back to its sender and names the message's MessageHeader.id; a refusal is answered
 * with fatal-error and an OperationOutcome that says why. Acknowledgements are never answered.
 */

const ACK_INVARIANTS = [...MESSAGING, ...ACKNOWLEDGEMENT];
const answerable = FIXTURES.filter((f) => !f.startsWith('acknowledgement-'));

describe('buildAcknowledgement', () => {
  it.each(answerable)('answers %s: ok to a message taken, fatal-error to one refused', (file) => {
    const incoming = parse(file);
    const messageId = load(file).entry?.[0]?.resource?.id;
    if (incoming.kind === 'malformed') throw new Error('every example has a MessageHeader');
    const refused = isRefusal(incoming);
    const target = refused ? incoming.message : incoming;
    const answer = refused ? acknowledgementFor(incoming) : null;
    const { bundle, messageId: ackId } = buildAcknowledgement(target, answer?.code ?? 'ok', answer?.issue);

    expect(failing(bundle, ACK_INVARIANTS)).toEqual([]);
    expect(schemaErrors(bundle)).toEqual([]);
    const header = bundle.entry?.[0]?.resource as MessageHeader;
    expect(header.response?.identifier).toBe(messageId);
    expect(header.response?.code).toBe(refused ? 'fatal-error' : 'ok');
    expect(header.eventCoding).toEqual({
      system: 'http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes',
      code: 'acknowledgement-message',
    });
    expect(ownProvenance(bundle)).toMatchObject({
      activity: { coding: [{ code: 'acknowledgement' }] },
      entity: [{ role: 'revision', what: { reference: `MessageHeader/${messageId}` } }],
    });

    const back = parsed(bundle, 'acknowledgement');
    expect(back).toMatchObject({
      messageId: ackId,
      acknowledgedMessageId: messageId,
      sender: { sor: target.receiver?.sor },
      receiver: { sor: target.sender?.sor },
    });
  });

  it('says why in an OperationOutcome with MedCom’s error code, and never repeats a CPR number', () => {
    const incoming = parsed('hospitalnotification-STIN.json', 'hospital-notification');
    const { bundle } = buildAcknowledgement(incoming, 'fatal-error', {
      issueType: 'not-found',
      detail: { system: ACK_ERROR_CODE_SYSTEM, code: 'MSG_Receiver_Identifier_UNKNOWN' },
      text: `no organisation with SOR ${incoming.receiver.sor} for patient ${BRUNO_CPR}`,
    });
    expect(failing(bundle, ACK_INVARIANTS)).toEqual([]);
    expect(JSON.stringify(bundle)).not.toContain(BRUNO_CPR);
    const outcome = resourceOf(bundle, 'OperationOutcome') as OperationOutcome;
    expect(outcome.meta?.profile).toEqual([PROFILE.acknowledgementOutcome]);
    expect(outcome.issue).toEqual([
      {
        severity: 'error',
        code: 'not-found',
        details: { coding: [{ system: ACK_ERROR_CODE_SYSTEM, code: 'MSG_Receiver_Identifier_UNKNOWN' }] },
        diagnostics: `no organisation with SOR ${CARE_HOME.sor} for patient [cpr]`,
      },
    ]);
    expect(parsed(bundle, 'acknowledgement')).toMatchObject({
      code: 'fatal-error',
      diagnostics: `MSG_Receiver_Identifier_UNKNOWN: no organisation with SOR ${CARE_HOME.sor} for patient [cpr]`,
    });
  });

  it('answers transient-error with an OperationOutcome even without a reason given (medcom-acknowledgement-1)', () => {
    const { bundle } = buildAcknowledgement(
      parsed('carecommunication-new.json', 'care-communication'),
      'transient-error',
    );
    expect(failing(bundle, ACK_INVARIANTS)).toEqual([]);
    expect(resourceOf(bundle, 'OperationOutcome').issue[0]).toMatchObject({
      code: 'processing',
      details: { coding: [{ code: 'MSG_LOCAL_FAIL' }] },
    });
  });

  it('an ok acknowledgement has no OperationOutcome', () => {
    const { bundle } = buildAcknowledgement(parsed('carecommunication-new.json', 'care-communication'), 'ok');
    expect(bundle.entry?.some((e) => e.resource?.resourceType === 'OperationOutcome')).toBe(false);
    expect((bundle.entry![0]!.resource as MessageHeader).response).toEqual({
      identifier: '42cb9200-f421-4d08-8391-7d51a2503cb4',
      code: 'ok',
    });
  });

  it('needs an addressee when the refused message named no sender, and takes it from the options', () => {
    const bundle = load('carecommunication-new.json') as { entry: { resource: { sender?: unknown } }[] };
    delete bundle.entry[0]?.resource.sender;
    const refused = parseMedcomMessage(bundle);
    if (refused.kind !== 'refused') throw new Error(`expected a refusal, got ${refused.kind}`);
    const why = acknowledgementFor(refused);
    expect(() => buildAcknowledgement(refused.message, why.code, why.issue)).toThrow(MedcomBuildError);
    const { bundle: ack } = buildAcknowledgement(refused.message, why.code, why.issue, {
      sender: { ...CARE_HOME },
      receiver: { ...HOSPITAL },
    });
    expect(failing(ack, ACK_INVARIANTS)).toEqual([]);
    expect(parsed(ack, 'acknowledgement')).toMatchObject({
      acknowledgedMessageId: '42cb9200-f421-4d08-8391-7d51a2503cb4',
      sender: CARE_HOME,
      receiver: HOSPITAL,
      code: 'fatal-error',
    });
  });

  it('refuses to answer a message id that is not a FHIR id', () => {
    expect(() => buildAcknowledgement({ messageId: 'not an id', sender: HOSPITAL, receiver: CARE_HOME }, 'ok')).toThrow(
      'messageId',
    );
  });
});
