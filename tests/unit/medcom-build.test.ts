import type { Bundle, Communication, Observation, Organization, Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import {
  buildCareCommunication,
  buildHomeCareObservation,
  type CareCommunicationInput,
  earlierPayloads,
  type HomeCareObservationInput,
  MedcomBuildError,
  OBSERVATION_CODE_SYSTEMS,
  PROFILE,
} from '../../server/medcom/index.ts';
import {
  CARE_COMMUNICATION,
  failing,
  HOME_CARE_OBSERVATION,
  MESSAGING,
  PATIENT,
  schemaErrors,
} from '../fixtures/medcom-invariants.ts';
import {
  BRUNO_CPR,
  CARE_HOME,
  HOSPITAL,
  ownProvenance,
  parsed,
  resourceOf,
  resources,
} from '../fixtures/medcom-messages.ts';

/**
 * Outbound CareCommunication and HomeCareObservation: MedCom's profile invariants hold on what
 * the builders make (evaluated with fhirpath.js, see tests/fixtures/medcom-invariants.ts), HL7's
 * FHIR R4 JSON Schema accepts it, and CareHub's own parser reads back what went in.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WITH_ZONE = /T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const NOW = new Date('2026-03-02T09:15:00Z');

const bruno = { cpr: BRUNO_CPR, name: { family: 'Elmer', given: ['Bruno'] } };
const nurse = { name: 'Mia Hansen', role: 'sygeplejerske', phone: '+45 44 55 66 77' };
const gp = {
  name: 'Skødstrup Lægepraksis',
  sor: '52581000016005',
  ean: '5790000127092',
  providerNumber: '061654',
  requesterInitials: 'OKM',
};
const pdf = Buffer.from('%PDF-1.4\n% CareHub test\n').toString('base64');

function expectConformant(bundle: Bundle, invariants: typeof MESSAGING) {
  expect(failing(bundle, invariants)).toEqual([]);
  const errors = schemaErrors(bundle);
  expect(errors, JSON.stringify(errors).slice(0, 2000)).toEqual([]);
  // Fresh UUIDs, zoned timestamps, a MedCom profile on the Bundle and every resource.
  expect(bundle.id).toMatch(UUID);
  expect(bundle.timestamp).toMatch(WITH_ZONE);
  for (const e of bundle.entry ?? []) {
    expect(e.resource?.id).toMatch(UUID);
    expect(e.fullUrl).toBe(`https://carehub.invalid/fhir/${e.resource?.resourceType}/${e.resource?.id}`);
    expect(e.resource?.meta?.profile?.[0]).toMatch(/^http:\/\/medcomfhir\.dk\/ig\//);
    expect((e.resource as { text?: { div: string } }).text?.div).toMatch(
      /^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">/,
    );
  }
}

const CC_INVARIANTS = [...MESSAGING, ...PATIENT, ...CARE_COMMUNICATION];
const HCO_INVARIANTS = [...MESSAGING, ...PATIENT, ...HOME_CARE_OBSERVATION];

const newMessage: CareCommunicationInput = {
  sender: { ...CARE_HOME },
  receiver: { ...HOSPITAL },
  patient: bruno,
  category: 'carecoordination',
  topic: 'Udskrivelse af Bruno',
  text: 'Vi er klar til at tage imod Bruno i morgen.\nHilsen Mia',
  author: nurse,
  attachments: [
    { contentType: 'application/pdf', title: 'Plejeplan', data: pdf, createdAt: new Date('2026-03-01T08:00:00Z') },
  ],
};

describe('buildCareCommunication', () => {
  it('builds a new message to MedCom’s profiles', () => {
    const { bundle, messageId, communicationId, payloadIdentifiers } = buildCareCommunication(newMessage, { now: NOW });
    expectConformant(bundle, CC_INVARIANTS);
    expect(bundle.meta?.profile).toEqual([PROFILE.careCommunicationMessage]);
    const header = bundle.entry?.[0]?.resource;
    expect(header).toMatchObject({
      resourceType: 'MessageHeader',
      id: messageId,
      eventCoding: { code: 'care-communication-message' },
    });
    expect(bundle.timestamp).toBe('2026-03-02T10:15:00+01:00');
    expect(communicationId).toMatch(/^urn:uuid:/);
    expect(payloadIdentifiers).toHaveLength(2);
    const provenance = ownProvenance(bundle);
    expect(provenance.activity?.coding?.[0]?.code).toBe('new-message');
    expect(provenance.entity?.map((e) => [e.role, e.what.identifier?.value])).toEqual(
      payloadIdentifiers.map((id) => ['source', id]),
    );
    const orgs = resources(bundle).filter((r): r is Organization => r.resourceType === 'Organization');
    expect(orgs.map((o) => o.identifier?.map((i) => `${i.system}|${i.value}`))).toEqual([
      [`https://www.gs1.org/gln|${CARE_HOME.ean}`, `urn:oid:1.2.208.176.1.1|${CARE_HOME.sor}`],
      [`https://www.gs1.org/gln|${HOSPITAL.ean}`, `urn:oid:1.2.208.176.1.1|${HOSPITAL.sor}`],
    ]);
    expect(resourceOf(bundle, 'Patient').identifier).toEqual([{ system: 'urn:oid:1.2.208.176.1.2', value: BRUNO_CPR }]);
  });

  it('reads back what went in', () => {
    const built = buildCareCommunication(newMessage, { now: NOW });
    const cc = parsed(built.bundle, 'care-communication');
    expect(cc).toMatchObject({
      messageId: built.messageId,
      activity: 'new-message',
      communicationId: built.communicationId,
      sender: CARE_HOME,
      receiver: HOSPITAL,
      patient: { cpr: BRUNO_CPR, replacement: false, name: { text: 'Bruno Elmer' } },
      category: { code: 'carecoordination' },
      topic: 'Udskrivelse af Bruno',
      priority: null,
      previous: null,
    });
    expect(cc.payloads).toEqual([
      {
        identifier: built.payloadIdentifiers[0],
        assigner: CARE_HOME,
        writtenAt: '2026-03-02T10:15:00+01:00',
        author: {
          name: { family: 'Hansen', given: ['Mia'], text: 'Mia Hansen' },
          roleCode: 'sygeplejerske',
          role: 'Sygeplejerske',
          phone: nurse.phone,
          organisation: CARE_HOME,
        },
        content: { type: 'text', text: newMessage.text },
        isNew: true,
      },
      expect.objectContaining({
        identifier: built.payloadIdentifiers[1],
        content: {
          type: 'attachment',
          contentType: 'application/pdf',
          title: 'Plejeplan',
          size: 24,
          data: pdf,
          url: null,
          createdAt: '2026-03-01T09:00:00+01:00',
        },
      }),
    ]);
  });

  it('makes every message unique: fresh ids each time', () => {
    const a = buildCareCommunication(newMessage);
    const b = buildCareCommunication(newMessage);
    const ids = (x: Bundle) => [x.id, ...(x.entry ?? []).map((e) => e.resource?.id)];
    expect(ids(a.bundle).filter((id) => ids(b.bundle).includes(id))).toEqual([]);
    expect(a.communicationId).not.toBe(b.communicationId);
  });

  it('carries the stay: an Encounter with the episode-of-care identifier (medcom-careCommunication-9, -15)', () => {
    const episodeOfCare = {
      system: 'https://sor2.sum.dsdn.dk/#id=265161000016000',
      value: 'bd481c38-a921-11ed-afa1-0242ac120002',
      encounterStatus: 'in-progress' as const,
      encounterClass: 'IMP' as const,
    };
    const built = buildCareCommunication({
      ...newMessage,
      category: 'regarding-referral',
      priority: 'asap',
      episodeOfCare,
    });
    expectConformant(built.bundle, CC_INVARIANTS);
    const cc = parsed(built.bundle, 'care-communication');
    const stin = parsed('hospitalnotification-STIN.json', 'hospital-notification');
    expect(cc.episodeOfCare?.key).toBe(stin.episodeOfCare.key);
    expect(cc.priority).toBe('asap');
  });

  it.each([
    'carecommunication-new.json',
    'carecommunication-reply.json',
    'carecommunication-reply-second.json',
    'carecommunication-new-referral-attachments.json',
    'carecommunication-forward.json',
    'carecommunication-new-replacement-cpr.json',
  ])('replies to %s in its thread, carrying the thread and naming the message it answers', (file) => {
    const incoming = parsed(file, 'care-communication');
    const reply = buildCareCommunication(
      {
        sender: {
          name: incoming.receiver.name ?? 'Modtager',
          sor: incoming.receiver.sor,
          ean: incoming.receiver.ean ?? '5790000000005',
        },
        receiver: {
          name: incoming.sender.name ?? 'Afsender',
          sor: incoming.sender.sor,
          ean: incoming.sender.ean ?? '5790000000005',
        },
        patient: {
          cpr: incoming.patient.cpr,
          name: { family: incoming.patient.name?.family ?? 'Ukendt', given: incoming.patient.name?.given ?? [] },
        },
        category: 'examination-results',
        text: 'Tak for beskeden.',
        author: nurse,
        replyTo: {
          messageId: incoming.messageId,
          communicationId: incoming.communicationId,
          earlierPayloads: earlierPayloads(incoming.payloads),
        },
      },
      { now: NOW },
    );
    expectConformant(
      reply.bundle,
      incoming.patient.replacement ? [...MESSAGING, ...CARE_COMMUNICATION] : CC_INVARIANTS,
    );
    const back = parsed(reply.bundle, 'care-communication');
    expect(back).toMatchObject({
      activity: 'reply-message',
      communicationId: incoming.communicationId,
      previous: { kind: 'fhir', messageId: incoming.messageId, role: 'revision' },
    });
    expect(back.patient).toMatchObject({ cpr: incoming.patient.cpr, replacement: incoming.patient.replacement });
    expect(back.payloads.map((p) => p.identifier)).toEqual([
      ...incoming.payloads.map((p) => p.identifier),
      reply.payloadIdentifiers[0],
    ]);
    expect(back.payloads.filter((p) => p.isNew).map((p) => p.identifier)).toEqual(reply.payloadIdentifiers);
    // The thread's texts, authors and attachment content come through unchanged.
    expect(
      back.payloads
        .slice(0, -1)
        .map((p) => [p.content, p.writtenAt, p.author?.name?.text ?? null, p.assigner?.sor ?? null]),
    ).toEqual(
      incoming.payloads.map((p) => [p.content, p.writtenAt, p.author?.name?.text ?? null, p.assigner?.sor ?? null]),
    );
  });

  it.each([
    ['a priority outside regarding-referral (medcom-careCommunication-5)', { priority: 'asap' }, 'priority'],
    ['category other without topic (medcom-careCommunication-6)', { category: 'other', topic: undefined }, 'topic'],
    ['an HTML attachment', { attachments: [{ contentType: 'text/html', title: 'x', data: pdf }] }, 'attachments'],
    ['a SOR code with letters', { receiver: { ...HOSPITAL, sor: 'ABC' } }, 'receiver.sor'],
    ['no EAN', { receiver: { ...HOSPITAL, ean: undefined } }, 'receiver.ean'],
    ['an author without phone', { author: { name: 'Mia Hansen', role: 'sygeplejerske' } }, 'author.phone'],
  ] as const)('refuses %s', (_what, change, field) => {
    expect(() => buildCareCommunication({ ...newMessage, ...change } as CareCommunicationInput)).toThrow(
      MedcomBuildError,
    );
    expect(() => buildCareCommunication({ ...newMessage, ...change } as CareCommunicationInput)).toThrow(field);
  });

  it('refuses an invalid CPR number without repeating it', () => {
    let error: unknown;
    try {
      buildCareCommunication({ ...newMessage, patient: { cpr: '3209479989', name: { family: 'Elmer' } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MedcomBuildError);
    expect(String((error as Error).message)).toContain('patient.cpr');
    expect(String((error as Error).message)).not.toContain('3209479989');
  });

  it('refuses an attachment over the limit', () => {
    expect(() => buildCareCommunication(newMessage, { maxAttachmentBytes: 10 })).toThrow(/over 10 bytes/);
  });
});

const measurements: HomeCareObservationInput = {
  sender: { name: 'Akutteam Aarhus Kommune', sor: '1144561000016002', ean: '5790000123117' },
  receiver: gp,
  patient: bruno,
  performer: nurse,
  conclusion: 'Bruno har feber og lavt blodtryk.',
  observations: [
    {
      code: { system: OBSERVATION_CODE_SYSTEMS.NPU, code: 'NPU08676', display: 'Pt—Legeme; temp. = ? °C' },
      value: { quantity: 38.7, unit: 'Cel' },
      effectiveAt: new Date('2026-03-02T08:00:00Z'),
    },
    {
      code: { system: OBSERVATION_CODE_SYSTEMS.MedCom, code: 'MCS88122' },
      value: { quantity: 25, unit: '/min', comparator: '>' },
      effectiveAt: new Date('2026-03-02T08:01:00Z'),
      comment: 'Besværet',
    },
    {
      code: { system: OBSERVATION_CODE_SYSTEMS.LOINC, code: '85354-9', display: 'Blood pressure panel' },
      value: {
        components: [
          {
            code: { system: OBSERVATION_CODE_SYSTEMS.LOINC, code: '8480-6', display: 'Systolic' },
            value: { quantity: 97, unit: 'mm[Hg]' },
          },
          {
            code: { system: OBSERVATION_CODE_SYSTEMS.LOINC, code: '8462-4', display: 'Diastolic' },
            value: { quantity: 61, unit: 'mm[Hg]' },
          },
        ],
      },
      effectiveAt: new Date('2026-03-02T08:02:00Z'),
    },
    {
      code: { system: OBSERVATION_CODE_SYSTEMS.NPU, code: 'NPU21578', display: 'U—Nitrit' },
      value: { text: 'Negativ' },
      effectiveAt: new Date('2026-03-02T08:03:00Z'),
    },
  ],
};

describe('buildHomeCareObservation', () => {
  it('builds the day’s measurements to MedCom’s profiles', () => {
    const { bundle } = buildHomeCareObservation(measurements, { now: NOW });
    expectConformant(bundle, HCO_INVARIANTS);
    const producer = resources(bundle).find(
      (r): r is Organization =>
        r.resourceType === 'Organization' && r.meta?.profile?.[0] === PROFILE.producerOrganization,
    );
    const requester = resources(bundle).find(
      (r): r is Organization =>
        r.resourceType === 'Organization' && r.meta?.profile?.[0] === PROFILE.requesterOrganization,
    );
    expect(producer?.identifier?.at(-1)).toEqual({
      system: 'http://medcomfhir.dk/ig/terminology/CodeSystem/MedComProducentID',
      value: 'KAF',
    });
    expect(requester?.identifier?.at(-1)).toEqual({ system: 'urn:oid:1.2.208.176.1.4', value: '061654' });
    expect(requester?.contact).toEqual([{ name: { given: ['OKM'] } }]);
    const temperature = resources(bundle).find((r): r is Observation => r.resourceType === 'Observation');
    expect(temperature?.valueQuantity).toEqual({
      value: 38.7,
      unit: 'Cel',
      system: 'http://unitsofmeasure.org',
      code: 'Cel',
    });
    expect(temperature?.effectiveDateTime).toBe('2026-03-02T09:00:00+01:00');
  });

  it('reads back what went in', () => {
    const built = buildHomeCareObservation(measurements, { now: NOW });
    const hco = parsed(built.bundle, 'home-care-observation');
    expect(hco).toMatchObject({
      messageId: built.messageId,
      activity: 'new-message',
      previous: null,
      sender: { sor: '1144561000016002' },
      receiver: { sor: gp.sor, ean: gp.ean },
      requester: { providerNumber: '061654', initials: 'OKM' },
      report: { status: 'final', conclusion: measurements.conclusion },
      performer: {
        name: { text: 'Mia Hansen' },
        roleCode: 'sygeplejerske',
        phone: nurse.phone,
        organisation: { sor: '1144561000016002', producentId: 'KAF' },
      },
    });
    expect(hco.observations.map((o) => [o.code.terminology, o.code.code, o.value, o.effectiveAt])).toEqual([
      [
        'NPU',
        'NPU08676',
        { type: 'quantity', value: 38.7, comparator: null, unit: 'Cel', ucum: 'Cel' },
        '2026-03-02T09:00:00+01:00',
      ],
      [
        'MedCom',
        'MCS88122',
        { type: 'quantity', value: 25, comparator: '>', unit: '/min', ucum: '/min' },
        '2026-03-02T09:01:00+01:00',
      ],
      [
        'LOINC',
        '85354-9',
        {
          type: 'components',
          components: [
            {
              code: { system: 'http://loinc.org', code: '8480-6', display: 'Systolic', terminology: 'LOINC' },
              value: { type: 'quantity', value: 97, comparator: null, unit: 'mm[Hg]', ucum: 'mm[Hg]' },
            },
            {
              code: { system: 'http://loinc.org', code: '8462-4', display: 'Diastolic', terminology: 'LOINC' },
              value: { type: 'quantity', value: 61, comparator: null, unit: 'mm[Hg]', ucum: 'mm[Hg]' },
            },
          ],
        },
        '2026-03-02T09:02:00+01:00',
      ],
      ['NPU', 'NPU21578', { type: 'string', value: 'Negativ' }, '2026-03-02T09:03:00+01:00'],
    ]);
    expect(hco.observations[1]?.notes).toEqual(['Besværet']);
    expect(hco.observations.every((o) => o.performer?.name?.text === 'Mia Hansen')).toBe(true);
  });

  it.each([
    ['modified-message', 'revision'],
    ['retract-message', 'removal'],
  ] as const)('builds a %s that names the message it changes (%s)', (activity, role) => {
    const original = buildHomeCareObservation(measurements);
    const change = buildHomeCareObservation({
      ...measurements,
      activity,
      previousMessageId: original.messageId,
      receiver: { ...gp, requesterInitials: null },
    });
    expectConformant(change.bundle, HCO_INVARIANTS);
    expect(parsed(change.bundle, 'home-care-observation')).toMatchObject({
      activity,
      previous: { kind: 'fhir', messageId: original.messageId, role },
      requester: { initials: null },
    });
    const requester = resources(change.bundle).find(
      (r): r is Organization => r.meta?.profile?.[0] === PROFILE.requesterOrganization,
    );
    expect(requester?.contact).toEqual([
      { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] },
    ]);
  });

  it('writes a replacement CPR number under its own system', () => {
    const { bundle } = buildHomeCareObservation({
      ...measurements,
      patient: { cpr: '0703921VJ4', name: { family: 'Berggren', given: ['Birgit'] } },
    });
    expectConformant(bundle, [...MESSAGING, ...HOME_CARE_OBSERVATION]);
    expect(resources(bundle).find((r): r is Patient => r.resourceType === 'Patient')?.identifier).toEqual([
      { use: 'temp', system: 'urn:oid:1.2.208.176.1.6.1.1', value: '0703921VJ4' },
    ]);
    expect(parsed(bundle, 'home-care-observation').patient).toMatchObject({ cpr: '0703921VJ4', replacement: true });
  });

  it.each([
    ['a modification without the message it changes', { activity: 'modified-message' }, 'previousMessageId'],
    ['a GP without ydernummer', { receiver: { ...gp, providerNumber: undefined } }, 'receiver.providerNumber'],
    [
      'a value longer than MedCom’s 12 characters',
      { observations: [{ ...measurements.observations[0], value: { quantity: 0.1 + 0.2, unit: '1' } }] },
      'observations',
    ],
    ['no observations', { observations: [] }, 'observations'],
  ] as const)('refuses %s', (_what, change, field) => {
    expect(() => buildHomeCareObservation({ ...measurements, ...change } as HomeCareObservationInput)).toThrow(field);
  });
});

describe('the Communication narrative', () => {
  it('escapes what staff wrote', () => {
    const { bundle } = buildCareCommunication({ ...newMessage, text: '<script>alert(1)</script> & co' });
    const div = (resourceOf(bundle, 'Communication') as Communication).text?.div ?? '';
    expect(div).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(div).not.toContain('<script>');
  });
});
