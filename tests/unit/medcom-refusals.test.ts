import { describe, expect, it } from 'vitest';
import {
  acknowledgementFor,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  type MalformedCode,
  parseMedcomMessage,
  type ParseOptions,
  type RefusalCode,
  type RefusedCode,
} from '../../server/medcom/index.ts';
import { BRUNO_CPR, CARE_HOME, HOSPITAL, load } from '../fixtures/medcom-messages.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the tests break messages on purpose */

/**
 * Broken and unwelcome variants of MedCom's examples: a body that is no message CareHub could
 * answer is `malformed` (→ 400), a message it will not take is `refused` (→ 422 with a
 * fatal-error acknowledgement) and carries what is known to address that acknowledgement.
 * No diagnostic repeats the CPR number.
 */

type Mutate = (b: any) => unknown;
const entries = (b: any): any[] => b.entry;
const ofType = (b: any, type: string): any[] =>
  entries(b)
    .filter((e) => e.resource.resourceType === type)
    .map((e) => e.resource);
const first = (b: any, type: string): any => ofType(b, type)[0];
const header = (b: any): any => entries(b)[0].resource;
const ownProvenance = (b: any): any =>
  ofType(b, 'Provenance').find((p: any) => p.target[0].reference === `MessageHeader/${header(b).id}`);
const receiverOrg = (b: any): any =>
  entries(b).find((e) => `Organization/${e.resource.id}` === header(b).destination[0].receiver.reference).resource;

function outcome(file: string, mutate: Mutate, options?: ParseOptions) {
  const bundle = load(file);
  const replaced = mutate(bundle);
  return parseMedcomMessage(replaced === undefined ? bundle : replaced, options);
}

function expectRefusal(
  file: string,
  mutate: Mutate,
  kind: 'malformed' | 'refused',
  code: RefusalCode,
  options?: ParseOptions,
) {
  const r = outcome(file, mutate, options);
  expect(r, JSON.stringify(r).slice(0, 500)).toMatchObject({ kind, code });
  if (r.kind !== 'malformed' && r.kind !== 'refused') throw new Error('unreachable');
  expect(r.diagnostics).not.toContain(BRUNO_CPR);
  expect(r.diagnostics).not.toMatch(/(?<!\d)\d{10}(?!\d)/);
  return r;
}

const STIN = 'hospitalnotification-STIN.json';
const CC_NEW = 'carecommunication-new.json';
const CC_REPLY = 'carecommunication-reply.json';
const HCO = 'homecareobservation-new.json';
const ACK = 'acknowledgement-ok.json';

describe('malformed: nothing CareHub could acknowledge', () => {
  it.each<[string, Mutate, MalformedCode]>([
    ['null', () => null, 'not-an-object'],
    ['a number', () => 42, 'not-an-object'],
    ['a string', () => 'Bundle', 'not-an-object'],
    ['an array', (b: any) => [b], 'not-an-object'],
    ['a Patient', (b: any) => first(b, 'Patient'), 'not-a-bundle'],
    ['a Bundle of type collection', (b: any) => ({ ...b, type: 'collection' }), 'not-a-message'],
    ['a message without entries', (b: any) => ({ ...b, entry: [] }), 'message-header-not-first'],
    ['entry that is not an array', (b: any) => ({ ...b, entry: { resource: header(b) } }), 'message-header-not-first'],
    [
      'the MessageHeader second',
      (b: any) => ({ ...b, entry: [entries(b)[1], entries(b)[0], ...entries(b).slice(2)] }),
      'message-header-not-first',
    ],
    ['no MessageHeader at all', (b: any) => ({ ...b, entry: entries(b).slice(1) }), 'message-header-not-first'],
    ['a MessageHeader without id', (b: any) => void delete header(b).id, 'invalid-message-id'],
    ['a MessageHeader id with spaces', (b: any) => void (header(b).id = 'not an id'), 'invalid-message-id'],
    ['a MessageHeader id that is a number', (b: any) => void (header(b).id = 7), 'invalid-message-id'],
  ])('%s', (_what, mutate, code) => {
    const r = expectRefusal(STIN, mutate, 'malformed', code);
    expect(r.message).toBeNull();
  });
});

describe('refused: a message CareHub does not take, answered with a fatal-error acknowledgement', () => {
  it('an unknown event, with what is needed to acknowledge it', () => {
    const r = expectRefusal(
      STIN,
      (b) => void (header(b).eventCoding.code = 'referral-message'),
      'refused',
      'unsupported-event',
    );
    expect(r.message).toEqual({
      messageId: 'b9b4818e-02de-4cc4-b418-d20cbc7b5404',
      eventCode: 'referral-message',
      sender: { ...HOSPITAL, name: HOSPITAL.name },
      receiver: CARE_HOME,
    });
    expect(acknowledgementFor(r)).toMatchObject({
      code: 'fatal-error',
      issue: { issueType: 'not-supported', detail: { code: 'MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE' } },
    });
  });

  it.each<[string, Mutate, RefusedCode]>([
    [
      'an event code from another system',
      (b: any) => void (header(b).eventCoding.system = 'http://example.org/events'),
      'unsupported-event',
    ],
    ['no eventCoding', (b: any) => void delete header(b).eventCoding, 'unsupported-event'],
    [
      'no Provenance',
      (b: any) => ({ ...b, entry: entries(b).filter((e) => e.resource.resourceType !== 'Provenance') }),
      'missing-provenance',
    ],
    [
      'a Provenance about another message only',
      (b: any) => void (ownProvenance(b).target[0].reference = 'MessageHeader/other'),
      'missing-provenance',
    ],
    [
      'two Provenances about this message',
      (b: any) => void entries(b).push({ resource: { ...ownProvenance(b), id: 'second' } }),
      'ambiguous-provenance',
    ],
    [
      'an activity that is not a HospitalNotification activity',
      (b: any) => void (ownProvenance(b).activity.coding[0].code = 'new-message'),
      'unsupported-activity',
    ],
    [
      'an activity from another code system',
      (b: any) => void (ownProvenance(b).activity.coding[0].system = 'http://example.org'),
      'unsupported-activity',
    ],
    ['no patient identifier', (b: any) => void delete first(b, 'Patient').identifier, 'no-patient-identifier'],
    [
      'a patient identifier of another system',
      (b: any) => void (first(b, 'Patient').identifier[0].system = 'urn:oid:1.2.208.176.1.6.1.3.8'),
      'no-patient-identifier',
    ],
    [
      'a CPR number with a date that does not exist',
      (b: any) => void (first(b, 'Patient').identifier[0].value = '3209479989'),
      'invalid-patient-identifier',
    ],
    [
      'two different CPR numbers',
      (b: any) => void first(b, 'Patient').identifier.push({ system: 'urn:oid:1.2.208.176.1.2', value: '0101010000' }),
      'invalid-patient-identifier',
    ],
    [
      'no Patient',
      (b: any) => ({ ...b, entry: entries(b).filter((e) => e.resource.resourceType !== 'Patient') }),
      'no-patient',
    ],
    [
      'two Patients',
      (b: any) => void entries(b).push({ resource: { ...first(b, 'Patient'), id: 'other' } }),
      'several-patients',
    ],
    ['no destination', (b: any) => void delete header(b).destination, 'no-receiver'],
    ['a destination without receiver', (b: any) => void delete header(b).destination[0].receiver, 'no-receiver'],
    [
      'a receiver that is not in the Bundle',
      (b: any) => void (header(b).destination[0].receiver.reference = 'Organization/elsewhere'),
      'no-receiver',
    ],
    [
      'a receiver without SOR code and a non-SOR endpoint',
      (b: any) => {
        receiverOrg(b).identifier = receiverOrg(b).identifier.filter(
          (i: any) => i.system !== 'urn:oid:1.2.208.176.1.1',
        );
        header(b).destination[0].endpoint = 'http://medcomfhir.dk/unknown';
      },
      'no-receiver',
    ],
    [
      'a destination object instead of a list',
      (b: any) => void (header(b).destination = header(b).destination[0]),
      'invalid-receiver',
    ],
    [
      'a receiver reference that is a number',
      (b: any) => void (header(b).destination[0].receiver.reference = 17),
      'invalid-receiver',
    ],
    [
      'a carbon-copy destination',
      (b: any) => void (header(b).destination[0].extension[0].valueCoding.code = 'cc'),
      'invalid-receiver',
    ],
    ['no destinationUse', (b: any) => void delete header(b).destination[0].extension, 'invalid-receiver'],
    ['two destinations', (b: any) => void header(b).destination.push(header(b).destination[0]), 'invalid-receiver'],
    [
      'an endpoint naming another SOR code than the receiver',
      (b: any) => void (header(b).destination[0].endpoint = 'https://sor2.sum.dsdn.dk/#id=123456789012345'),
      'invalid-receiver',
    ],
    [
      'a receiver SOR code with letters',
      (b: any) => void (receiverOrg(b).identifier[1].value = '95374100001600X'),
      'invalid-receiver',
    ],
    ['no sender', (b: any) => void delete header(b).sender, 'no-sender'],
    [
      'a sender that is not an Organization',
      (b: any) => void (header(b).sender.reference = `Patient/${first(b, 'Patient').id}`),
      'no-sender',
    ],
    [
      'an Encounter without episode of care',
      (b: any) => void delete first(b, 'Encounter').episodeOfCare,
      'missing-element',
    ],
    ['an Encounter without start', (b: any) => void delete first(b, 'Encounter').period, 'missing-element'],
    [
      'an Encounter on leave without leave period (medcom-hospitalNotification-6)',
      (b: any) => void (first(b, 'Encounter').status = 'onleave'),
      'missing-element',
    ],
    [
      'a start without zone',
      (b: any) => void (first(b, 'Encounter').period.start = '2022-12-07T12:00:00'),
      'invalid-element',
    ],
    [
      'an Encounter status outside the HospitalNotification set',
      (b: any) => void (first(b, 'Encounter').status = 'planned'),
      'invalid-element',
    ],
    [
      'an Encounter class outside IMP and EMER',
      (b: any) => void (first(b, 'Encounter').class.code = 'AMB'),
      'invalid-element',
    ],
    [
      'a focus that names nothing',
      (b: any) => void (header(b).focus[0].reference = 'Encounter/elsewhere'),
      'unresolved-reference',
    ],
    ['an entry without resource', (b: any) => void entries(b).push({ fullUrl: 'x' }), 'missing-element'],
    ['an entry that is not an object', (b: any) => void entries(b).push('Patient'), 'invalid-element'],
    [
      'two Organizations with one id',
      (b: any) => void entries(b).push({ resource: { ...receiverOrg(b) } }),
      'unresolved-reference',
    ],
  ])('HospitalNotification with %s', (_what, mutate, code) => {
    const r = expectRefusal(STIN, mutate, 'refused', code);
    expect(r.message?.messageId).toBe('b9b4818e-02de-4cc4-b418-d20cbc7b5404');
  });

  it('never repeats the CPR number it refuses', () => {
    const r = expectRefusal(
      STIN,
      (b) => void (first(b, 'Patient').identifier[0].value = '3209479989'),
      'refused',
      'invalid-patient-identifier',
    );
    expect(r.diagnostics).not.toContain('3209479989');
    const ack = acknowledgementFor(r);
    expect(JSON.stringify(ack)).not.toContain('3209479989');
  });

  it.each<[string, Mutate, RefusedCode, ParseOptions | undefined]>([
    [
      'a huge attachment (default limit)',
      (b: any) => {
        const att = first(b, 'Communication').payload.find((p: any) => p.contentAttachment?.data).contentAttachment;
        att.data = 'QUFB'.repeat(Math.ceil((DEFAULT_MAX_ATTACHMENT_BYTES + 3) / 3));
      },
      'attachment-too-large',
      undefined,
    ],
    ['an attachment over a set limit', () => undefined, 'attachment-too-large', { maxAttachmentBytes: 10_000 }],
    ['a text over a set limit', () => undefined, 'text-too-long', { maxTextLength: 50 }],
    [
      'an HTML attachment',
      (b: any) =>
        void (first(b, 'Communication').payload.find((p: any) => p.contentAttachment).contentAttachment.contentType =
          'text/html'),
      'unsupported-attachment-type',
      undefined,
    ],
    [
      'a javascript: link',
      (b: any) =>
        void (first(b, 'Communication').payload.find((p: any) => p.contentAttachment).contentAttachment = {
          title: 'x',
          url: 'javascript:alert(1)',
        }),
      'invalid-element',
      undefined,
    ],
    [
      'attachment data that is not base64',
      (b: any) =>
        void (first(b, 'Communication').payload.find((p: any) => p.contentAttachment).contentAttachment.data =
          '<html>'),
      'invalid-element',
      undefined,
    ],
    [
      'a payload with text and attachment',
      (b: any) => void (first(b, 'Communication').payload[0].contentAttachment = { title: 'x' }),
      'invalid-element',
      undefined,
    ],
    [
      'no thread identifier',
      (b: any) => void delete first(b, 'Communication').identifier,
      'missing-element',
      undefined,
    ],
    ['no category', (b: any) => void delete first(b, 'Communication').category, 'missing-element', undefined],
    [
      'a priority outside routine and asap',
      (b: any) => void (first(b, 'Communication').priority = 'stat'),
      'invalid-element',
      undefined,
    ],
    [
      'an author that is not in the Bundle',
      (b: any) => {
        const ext = first(b, 'Communication').payload[0].extension.find((e: any) => e.valueReference);
        ext.valueReference.reference = 'PractitionerRole/elsewhere';
      },
      'unresolved-reference',
      undefined,
    ],
    [
      'an activity that is not a CareCommunication activity',
      (b: any) => void (ownProvenance(b).activity.coding[0].code = 'admit-inpatient'),
      'unsupported-activity',
      undefined,
    ],
  ])('CareCommunication with %s', (_what, mutate, code, options) => {
    expectRefusal(CC_REPLY, mutate, 'refused', code, options);
  });

  it('keeps a huge attachment out without reading it: the size is known from its length', () => {
    const bundle = load(CC_REPLY) as any;
    first(bundle, 'Communication').payload.find((p: any) => p.contentAttachment?.data).contentAttachment.data =
      '!'.repeat(DEFAULT_MAX_ATTACHMENT_BYTES * 2);
    expect(parseMedcomMessage(bundle)).toMatchObject({ kind: 'refused', code: 'attachment-too-large' });
  });

  it.each<[string, Mutate, RefusedCode]>([
    [
      'a reply-message (MedCom allows it; CareHub does not know what it would mean)',
      (b: any) => void (ownProvenance(b).activity.coding[0].code = 'reply-message'),
      'unsupported-activity',
    ],
    [
      'a modification naming no earlier message',
      (b: any) => void (ownProvenance(b).activity.coding[0].code = 'modified-message'),
      'missing-element',
    ],
    [
      'a focus that is not a DiagnosticReport',
      (b: any) => void (header(b).focus[0].reference = `Patient/${first(b, 'Patient').id}`),
      'unresolved-reference',
    ],
    [
      'a result that is not in the Bundle',
      (b: any) => void first(b, 'DiagnosticReport').result.push({ reference: 'Observation/elsewhere' }),
      'unresolved-reference',
    ],
    [
      'a value that is a string where a number belongs',
      (b: any) => void (first(b, 'Observation').valueQuantity.value = '19'),
      'invalid-element',
    ],
    ['an Observation without code', (b: any) => void delete first(b, 'Observation').code, 'missing-element'],
  ])('HomeCareObservation with %s', (_what, mutate, code) => {
    expectRefusal(HCO, mutate, 'refused', code);
  });

  it.each<[string, Mutate, RefusedCode]>([
    ['no response', (b: any) => void delete header(b).response, 'missing-element'],
    [
      'a response code outside ok, transient-error and fatal-error',
      (b: any) => void (header(b).response.code = 'maybe'),
      'invalid-element',
    ],
    [
      'details that name nothing',
      (b: any) => void (header(b).response.details = { reference: 'OperationOutcome/elsewhere' }),
      'unresolved-reference',
    ],
  ])(
    'Acknowledgement with %s; the refusal says it is an acknowledgement, which is never answered',
    (_what, mutate, code) => {
      const r = expectRefusal(ACK, mutate, 'refused', code);
      expect(r.message?.eventCode).toBe('acknowledgement-message');
    },
  );

  it('a refusal before the sender is read has no one to address the acknowledgement to', () => {
    const r = expectRefusal(CC_NEW, (b) => void delete header(b).sender, 'refused', 'no-sender');
    expect(r.message).toMatchObject({
      messageId: '42cb9200-f421-4d08-8391-7d51a2503cb4',
      sender: null,
      receiver: null,
    });
  });

  it('says where: a FHIRPath to the element', () => {
    const r = expectRefusal(
      STIN,
      (b) => void (first(b, 'Encounter').period.start = '2022-12-07T12:00:00'),
      'refused',
      'invalid-element',
    );
    expect(r.expression).toBe('Bundle.entry[2].resource.period.start');
  });
});
