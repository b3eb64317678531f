import { describe, expect, it } from 'vitest';
import { isRefusal } from '../../server/medcom/index.ts';
import {
  BRUNO_CPR,
  CARE_HOME,
  FIXTURES,
  HOSPITAL,
  load,
  parse,
  parsed,
  resources,
} from '../fixtures/medcom-messages.ts';

/**
 * Every example MedCom publishes parses to what it says (values read from the example files
 * and MedCom's implementation guides), and messages of one stay or thread correlate on CPR,
 * episode of care and the Provenance chain, not on resource ids.
 */

const SOR_EPISODE = 'https://sor2.sum.dsdn.dk/#id=265161000016000';
const STAY = 'bd481c38-a921-11ed-afa1-0242ac120002';
const STIN_ID = 'b9b4818e-02de-4cc4-b418-d20cbc7b5404';

describe('every published example', () => {
  it.each(FIXTURES)('%s is taken, except the empty message', (file) => {
    const r = parse(file);
    if (file === 'messaging-empty-message.json') {
      expect(r).toMatchObject({
        kind: 'refused',
        code: 'unsupported-event',
        message: { messageId: '3881874e-2042-4a00-aee8-23512799f512', eventCode: 'empty-message' },
      });
      return;
    }
    expect(isRefusal(r), JSON.stringify(r)).toBe(false);
    expect(r).toMatchObject({ messageId: load(file).entry?.[0]?.resource?.id });
  });
});

describe('HospitalNotification', () => {
  const cases = [
    [
      'hospitalnotification-STIN.json',
      STIN_ID,
      'admit-inpatient',
      'STIN',
      'in-progress',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      null,
      null,
    ],
    [
      'hospitalnotification-RE_STIN.json',
      'cc47c1e2-78e6-4291-b071-f423a4f7fbfe',
      'revise-admit-inpatient',
      'RE_STIN',
      'in-progress',
      'IMP',
      '2022-12-07T13:00:00+02:00',
      null,
      { kind: 'fhir', messageId: STIN_ID, role: 'revision' },
    ],
    [
      'hospitalnotification-AN_STIN.json',
      'd8749b54-1aeb-4089-8941-8d876bdffc51',
      'cancel-admit-inpatient',
      'AN_STIN',
      'entered-in-error',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      null,
      { kind: 'fhir', messageId: STIN_ID, role: 'removal' },
    ],
    [
      'hospitalnotification-STOR.json',
      'e563a2b2-bf92-4b13-bbd2-0a021a95bded',
      'start-leave-inpatient',
      'STOR',
      'onleave',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      null,
      { kind: 'fhir', messageId: STIN_ID, role: 'revision' },
    ],
    [
      'hospitalnotification-SLOR.json',
      'f47254da-f170-46f0-b624-4778a9c92b1f',
      'end-leave-inpatient',
      'SLOR',
      'in-progress',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      null,
      { kind: 'fhir', messageId: 'e563a2b2-bf92-4b13-bbd2-0a021a95bded', role: 'revision' },
    ],
    [
      'hospitalnotification-SLHJ.json',
      'g1affa53-c157-4080-abb0-8e681524f969',
      'discharge-inpatient-home',
      'SLHJ',
      'finished',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      '2022-12-18T09:45:30+02:00',
      { kind: 'fhir', messageId: STIN_ID, role: 'revision' },
    ],
    [
      'hospitalnotification-MORS.json',
      'hefc6d95-6161-4493-99c9-f359488dedb8',
      'admit-inpatient',
      'MORS',
      'finished',
      'IMP',
      '2022-12-07T12:00:00+02:00',
      '2022-12-09T09:45:30+02:00',
      { kind: 'fhir', messageId: STIN_ID, role: 'revision' },
    ],
    [
      'hospitalnotification-STAA.json',
      'i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029',
      'admit-emergency',
      'STAA',
      'in-progress',
      'EMER',
      '2022-12-01T10:00:04+02:00',
      null,
      null,
    ],
    [
      'hospitalnotification-SLHJ-acute-ambulant.json',
      'm9bea09c-e662-4d59-b84f-9af570b57f42',
      'discharge-emergency-home',
      'SLHJ',
      'finished',
      'EMER',
      '2022-12-01T10:00:04+02:00',
      '2022-12-02T22:00:09+02:00',
      { kind: 'fhir', messageId: 'i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029', role: 'revision' },
    ],
    [
      'hospitalnotification-MORS-acute-ambulant.json',
      'nabb68aa-c97b-4905-a60c-71ff3209fd51',
      'admit-emergency',
      'MORS',
      'finished',
      'EMER',
      '2022-12-01T10:00:04+02:00',
      '2022-12-02T07:00:00+02:00',
      { kind: 'fhir', messageId: 'i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029', role: 'revision' },
    ],
    [
      'hospitalnotification-RE_STAA-v2.json',
      'k06f2487-7aab-4e35-9a80-70431060a7e8',
      'revise-admit-emergency',
      'RE_STAA',
      'in-progress',
      'EMER',
      '2022-10-01T10:00:05Z',
      null,
      { kind: 'fhir', messageId: 'i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029', role: 'revision' },
    ],
    [
      'hospitalnotification-AN_STAA-v2.json',
      'l3398a98-37ed-4bff-8e19-cc78ccb5b5f2',
      'cancel-admit-emergency',
      'AN_STAA',
      'entered-in-error',
      'EMER',
      '2022-10-01T10:00:05Z',
      null,
      { kind: 'fhir', messageId: 'i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029', role: 'removal' },
    ],
  ] as const;

  it.each(cases)(
    '%s: %s, %s (%s), %s %s from %s to %s',
    (file, messageId, activity, code, status, cls, start, end, previous) => {
      const hn = parsed(file, 'hospital-notification');
      expect(hn).toMatchObject({
        messageId,
        activity,
        code,
        previous,
        encounter: { status, class: cls, period: { start, end } },
      });
      expect(hn.patient).toMatchObject({
        cpr: BRUNO_CPR,
        cprSystem: 'urn:oid:1.2.208.176.1.2',
        replacement: false,
        name: { family: 'Elmer' },
      });
      expect(hn.sender).toMatchObject({ sor: HOSPITAL.sor, ean: HOSPITAL.ean });
      expect(hn.receiver).toMatchObject({ sor: CARE_HOME.sor, ean: CARE_HOME.ean });
      expect(hn.patient.deceased).toBe(code === 'MORS');
      expect(hn.correction).toBe(code.startsWith('RE_'));
      expect(hn.cancellation).toBe(code.startsWith('AN_'));
    },
  );

  it('reads the leave period of STOR and SLOR', () => {
    expect(parsed('hospitalnotification-STOR.json', 'hospital-notification').encounter.leavePeriod).toEqual({
      start: '2022-12-13T14:00:10+02:00',
      end: null,
    });
    expect(parsed('hospitalnotification-SLOR.json', 'hospital-notification').encounter.leavePeriod).toEqual({
      start: '2022-12-13T14:00:10+02:00',
      end: '2022-12-14T15:30:00+02:00',
    });
  });

  it('reads the request for a report of admission and its recipient', () => {
    const stin = parsed('hospitalnotification-STIN.json', 'hospital-notification');
    expect(stin.reportOfAdmission).toEqual({
      requested: true,
      recipient: { sor: HOSPITAL.sor, ean: HOSPITAL.ean, name: HOSPITAL.name },
    });
    expect(parsed('hospitalnotification-SLHJ.json', 'hospital-notification').reportOfAdmission).toEqual({
      requested: false,
      recipient: null,
    });
  });

  it('reads a service provider that is not the sender, with only a SOR code', () => {
    const hn = parsed('hospitalnotification-STIN-other-service-provider.json', 'hospital-notification');
    expect(hn.encounter.serviceProvider).toEqual({
      sor: '399841000016000',
      ean: null,
      name: 'Hjertemedicinsk sengeafs. S103',
    });
    expect(hn.sender.sor).toBe(HOSPITAL.sor);
  });

  it('takes the stay id under the hospital SOR system over the LPR one, and keeps both', () => {
    const hn = parsed('hospitalnotification-STIN-two-episodes.json', 'hospital-notification');
    expect(hn.episodeOfCare).toMatchObject({ system: SOR_EPISODE, value: `urn:uuid:${STAY}` });
    expect(hn.episodesOfCare.map((e) => e.system)).toEqual([
      'https://www.esundhed.dk/Registre/Landspatientregisteret',
      SOR_EPISODE,
    ]);
    expect(parsed('hospitalnotification-RE_STAA-v2.json', 'hospital-notification').episodeOfCare).toMatchObject({
      system: 'https://www.esundhed.dk/Registre/Landspatientregisteret',
      value: 'urn:uuid:fc60e762-b13b-5773-865e-67f3907bdcc7',
    });
  });

  it('correlates one stay on CPR, episode of care and the Provenance chain, though every message has fresh resource ids', () => {
    const stay = ['STIN', 'RE_STIN', 'AN_STIN', 'STOR', 'SLOR', 'SLHJ', 'MORS'].map(
      (c) => `hospitalnotification-${c}.json`,
    );
    const messages = stay.map((f) => parsed(f, 'hospital-notification'));
    expect(new Set(messages.map((m) => m.patient.cpr))).toEqual(new Set([BRUNO_CPR]));
    expect(new Set(messages.map((m) => m.episodeOfCare.key))).toEqual(new Set([`${SOR_EPISODE}|${STAY}`]));
    // `bd481c38-…` and `urn:uuid:bd481c38-…` are the same stay.
    expect(parsed('hospitalnotification-STIN-two-episodes.json', 'hospital-notification').episodeOfCare.key).toBe(
      `${SOR_EPISODE}|${STAY}`,
    );
    const patientIds = stay.map((f) => resources(load(f)).find((r) => r.resourceType === 'Patient')?.id);
    expect(new Set(patientIds).size).toBe(stay.length);
    // No resource id of Patient, Encounter or Organization is handed out to correlate on.
    for (const file of stay) {
      const text = JSON.stringify(parse(file));
      for (const r of resources(load(file)))
        if (['Patient', 'Encounter', 'Organization'].includes(r.resourceType)) expect(text).not.toContain(r.id);
    }
    const byId = new Map(messages.map((m) => [m.messageId, m]));
    const slor = parsed('hospitalnotification-SLOR.json', 'hospital-notification');
    const chain: string[] = [];
    for (
      let m = byId.get(slor.messageId);
      m;
      m = m.previous?.kind === 'fhir' ? byId.get(m.previous.messageId) : undefined
    )
      chain.push(m.code);
    expect(chain).toEqual(['SLOR', 'STOR', 'STIN']);
    expect(slor.provenanceChain.map((l) => l.activity)).toEqual([
      'admit-inpatient',
      'start-leave-inpatient',
      'end-leave-inpatient',
    ]);
  });
});

describe('CareCommunication', () => {
  it('reads a new message: thread, category, topic, text, author, patient', () => {
    const cc = parsed('carecommunication-new.json', 'care-communication');
    expect(cc).toMatchObject({
      messageId: '42cb9200-f421-4d08-8391-7d51a2503cb4',
      activity: 'new-message',
      communicationId: 'urn:uuid:b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a',
      category: { code: 'examination-results', display: 'Examination Results' },
      topic: 'Forspørgsel på seneste resultater',
      priority: null,
      episodeOfCare: null,
      previous: null,
      sender: { sor: HOSPITAL.sor, ean: HOSPITAL.ean },
      receiver: { sor: CARE_HOME.sor, ean: CARE_HOME.ean },
      patient: { cpr: BRUNO_CPR, replacement: false, name: { family: 'Elmer', given: ['Bruno'], text: 'Bruno Elmer' } },
    });
    expect(cc.payloads).toHaveLength(1);
    expect(cc.payloads[0]).toMatchObject({
      identifier: 'urn:uuid:24d01288-ad36-4af2-96a8-fd1432dadee1',
      assigner: { sor: HOSPITAL.sor },
      writtenAt: '2024-05-01T12:00:00+02:00',
      author: { name: { text: 'Michael Burns' }, roleCode: 'sygeplejerske', role: 'Sygeplejerske', phone: '38683868' },
      isNew: true,
    });
    expect(cc.payloads[0]?.content).toMatchObject({ type: 'text' });
    expect(cc.payloads[0]?.content.type === 'text' && cc.payloads[0].content.text).toMatch(/^Til rette vedkommende\./);
  });

  it('reads a replacement CPR number', () => {
    const cc = parsed('carecommunication-new-replacement-cpr.json', 'care-communication');
    expect(cc.patient).toEqual({
      cpr: '0703921VJ4',
      cprSystem: 'urn:oid:1.2.208.176.1.6.1.1',
      replacement: true,
      name: { family: 'Berggren', given: ['Birgit'], text: 'Birgit Berggren' },
    });
  });

  it('reads priority, episode of care, the specific recipient and attachments (base64 and link)', () => {
    const cc = parsed('carecommunication-new-referral-attachments.json', 'care-communication');
    expect(cc).toMatchObject({
      category: { code: 'regarding-referral' },
      priority: 'asap',
      specificRecipient: 'Plejecenter Herlev Team 1',
      specificSender: 'Michael Burns, Sygeplejerske',
    });
    expect(cc.episodeOfCare).toMatchObject({ system: SOR_EPISODE, value: 'gfd00bc2-9c26-4174-934e-f6e4360845de' });
    const [, pdf, link] = cc.payloads.map((p) => p.content);
    expect(pdf).toMatchObject({
      type: 'attachment',
      contentType: 'application/pdf',
      title: 'Blodprøveresultater',
      size: 28416,
      url: null,
      createdAt: '2024-04-30T08:00:00+02:00',
    });
    expect(pdf?.type === 'attachment' && pdf.data?.length).toBe(37888);
    expect(link).toEqual({
      type: 'attachment',
      contentType: null,
      title: 'medcom.dk',
      size: null,
      data: null,
      url: 'https://medcom.dk/',
      createdAt: null,
    });
    expect(cc.payloads.every((p) => p.isNew)).toBe(true);
  });

  it('threads replies on the Communication identifier and the Provenance chain, marking what each adds', () => {
    const first = parsed('carecommunication-new.json', 'care-communication');
    const reply = parsed('carecommunication-reply.json', 'care-communication');
    const second = parsed('carecommunication-reply-second.json', 'care-communication');
    expect(reply).toMatchObject({
      messageId: 'd5bd2111-2576-48d3-84d4-8be0297a038d',
      activity: 'reply-message',
      sender: { sor: CARE_HOME.sor },
      receiver: { sor: HOSPITAL.sor },
    });
    expect(reply.communicationId).toBe(first.communicationId);
    expect(second.communicationId).toBe(first.communicationId);
    expect(reply.previous).toEqual({ kind: 'fhir', messageId: first.messageId, role: 'revision' });
    expect(second.previous).toEqual({ kind: 'fhir', messageId: reply.messageId, role: 'revision' });
    expect(reply.payloads.map((p) => [p.identifier, p.isNew])).toEqual([
      ['urn:uuid:24d01288-ad36-4af2-96a8-fd1432dadee1', false],
      ['urn:uuid:a9becf76-fc4c-49aa-8a68-6a0584871fcd', true],
      ['urn:uuid:cd422e42-5bad-11ed-9b6a-0242ac120002', true],
    ]);
    expect(reply.payloads[2]?.content).toMatchObject({
      type: 'attachment',
      contentType: 'application/pdf',
      size: 28416,
    });
    // The second reply repeats the attachment without its content.
    expect(
      second.payloads.find((p) => p.identifier === 'urn:uuid:cd422e42-5bad-11ed-9b6a-0242ac120002')?.content,
    ).toMatchObject({ data: null, size: null });
    expect(second.payloads.filter((p) => p.isNew).map((p) => p.identifier)).toEqual([
      'urn:uuid:07685582-3a8f-4bf3-bfa0-2f040133e922',
    ]);
  });

  it('reads a reply to an OIOXML letter: the previous message is an identifier', () => {
    const cc = parsed('carecommunication-reply-to-oioxml.json', 'care-communication');
    expect(cc.previous).toEqual({ kind: 'legacy', identifier: 'B300720181623#5790000121526', role: 'revision' });
    expect(cc.episodeOfCare?.value).toBe('fc60e762-b13b-5773-865e-67f3907bdcc7');
    expect(cc.payloads.every((p) => p.isNew)).toBe(true);
  });

  it('reads forwards: a new thread to a third organisation (whose Organization has no name)', () => {
    const fwd = parsed('carecommunication-forward.json', 'care-communication');
    expect(fwd).toMatchObject({
      activity: 'forward-message',
      communicationId: 'urn:uuid:546b19ba-3e50-4da8-b9ec-7caeefad6928',
      receiver: { sor: '1042981000016003', name: null },
    });
    // MedCom's forward keeps the first sender's source.endpoint; the sender Organization decides.
    expect(fwd.sender.sor).toBe(CARE_HOME.sor);
    expect(fwd.payloads.filter((p) => p.isNew).map((p) => p.author?.name?.text)).toEqual(['Emma Waters']);
    const link = parsed('carecommunication-forward-link.json', 'care-communication').payloads.find(
      (p) => p.content.type === 'attachment' && p.content.url,
    );
    expect(link?.content).toMatchObject({
      url: 'https://medcom.dk/projekter/korrespondancemeddelelse/',
      title: 'Link',
    });
  });
});

describe('HomeCareObservation', () => {
  it('reads the measurements, their codes, values, units, time and performer', () => {
    const hco = parsed('homecareobservation-new.json', 'home-care-observation');
    expect(hco).toMatchObject({
      messageId: '489de4f2-0d8d-4de2-a7ce-ccb93568799f',
      activity: 'new-message',
      patient: { cpr: BRUNO_CPR },
      sender: { sor: '1144561000016002', ean: '5790000123117', name: 'Pleje og Rehabilitering' },
      receiver: { sor: '52581000016005', ean: '5790000127092', name: 'Skødstrup Lægepraksis' },
      requester: { providerNumber: '061654', initials: 'O.K.M.' },
      report: { status: 'final', issuedAt: '2023-09-12T12:24:19+02:00' },
    });
    expect(hco.performer).toMatchObject({
      name: { text: 'Mia' },
      roleCode: 'sygeplejerske',
      phone: '+45 05577668',
      organisation: { sor: '1144561000016002', producentId: 'KAF' },
    });
    expect(
      hco.observations.map((o) => [
        o.code.terminology,
        o.code.code,
        o.value?.type === 'quantity' ? [o.value.value, o.value.unit] : null,
      ]),
    ).toEqual([
      ['MedCom', 'MCS88122', [19, '1/min']],
      ['NPU', 'NPU21692', [92, '1/min']],
      ['NPU', 'DNK05472', [147, 'mmHg']],
      ['MedCom', 'MCS88126', [0, '1']],
      ['NPU', 'NPU08676', [38.7, '°C']],
      ['MedCom', 'MCS88125', [3, '1']],
    ]);
    expect(hco.observations[1]).toMatchObject({
      status: 'final',
      effectiveAt: '2023-09-13T09:24:09+02:00',
      interpretation: 'NI',
      notes: ['Patienten har været ud og går lige inden målingen.'],
    });
    expect(hco.observations[3]?.value).toMatchObject({ ucum: '1' });
    expect(hco.observations[0]?.performer?.name?.text).toBe('Mia');
  });

  it('chains modified and retracted messages to the message they change', () => {
    const original = parsed('homecareobservation-new.json', 'home-care-observation');
    expect(parsed('homecareobservation-modified.json', 'home-care-observation')).toMatchObject({
      activity: 'modified-message',
      previous: { kind: 'fhir', messageId: original.messageId, role: 'revision' },
    });
    expect(parsed('homecareobservation-retracted.json', 'home-care-observation')).toMatchObject({
      activity: 'retract-message',
      previous: { kind: 'fhir', messageId: original.messageId, role: 'removal' },
    });
  });

  it('reads text values, comparators, notes, replacement CPR and ids that are not UUIDs', () => {
    const urine = parsed('homecareobservation-new-urine.json', 'home-care-observation');
    expect(urine.observations.map((o) => o.value)).toEqual([
      { type: 'quantity', value: 1, comparator: null, unit: '+', ucum: null },
      { type: 'string', value: 'Negative' },
      { type: 'quantity', value: 2, comparator: null, unit: '+', ucum: null },
    ]);
    const two = parsed('homecareobservation-test-example-2.json', 'home-care-observation');
    expect(two.messageId).toBe('ReceiveTestExample2-MessageHeader');
    expect(two.observations[0]).toMatchObject({
      value: { value: 7.1, comparator: '<', unit: 'mmol/L' },
      notes: ['Glucose measurement expected. Patient was not fasting as requested'],
    });
    expect(two.requester).toEqual({ providerNumber: '045861', initials: null });
    expect(parsed('homecareobservation-test-example-3.json', 'home-care-observation').patient).toMatchObject({
      cpr: '0703921VJ5',
      replacement: true,
    });
  });

  it('keeps two messages apart that reuse one Bundle id', () => {
    const lab = parsed('homecareobservation-new-lab-media.json', 'home-care-observation');
    const cc = parsed('carecommunication-new.json', 'care-communication');
    expect(lab.bundleId).toBe(cc.bundleId);
    expect(lab.messageId).not.toBe(cc.messageId);
    expect(lab.observations).toHaveLength(10);
  });
});

describe('Acknowledgement', () => {
  it.each([
    [
      'acknowledgement-ok.json',
      'aba2d9bf-2c6c-47e8-bce4-7928bcd51019',
      '42cb9200-f421-4d08-8391-7d51a2503cb4',
      'ok',
      [],
      null,
    ],
    [
      'acknowledgement-fatal-error.json',
      'b879c81e-0607-4ccb-b358-24a72208e30d',
      '53128d9b-cede-4c7f-8904-809eab322d7d',
      'fatal-error',
      ['MSG_VALUESET_VALUE_UNKNOWN'],
      'MSG_VALUESET_VALUE_UNKNOWN',
    ],
    [
      'acknowledgement-transient-error.json',
      'c9a0b728-0807-11ed-861d-0242ac120002',
      '53128d9b-cede-4c7f-8904-809eab322d7d',
      'transient-error',
      ['MSG_Mailbox_Out_Of_Operation'],
      'MSG_Mailbox_Out_Of_Operation',
    ],
  ] as const)('%s acknowledges %s', (file, messageId, acknowledged, code, details, diagnostics) => {
    const ack = parsed(file, 'acknowledgement');
    expect(ack).toMatchObject({
      messageId,
      acknowledgedMessageId: acknowledged,
      code,
      diagnostics,
      sender: { sor: CARE_HOME.sor },
      receiver: { sor: HOSPITAL.sor },
    });
    expect(ack.issues.flatMap((i) => i.details)).toEqual(details);
  });

  it('trusts response.identifier over the Provenance entity, which MedCom’s fatal-error example sets to another message', () => {
    const ack = parsed('acknowledgement-fatal-error.json', 'acknowledgement');
    expect(ack.previous).toEqual({ kind: 'fhir', messageId: '42cb9200-f421-4d08-8391-7d51a2503cb4', role: 'revision' });
    expect(ack.acknowledgedMessageId).toBe('53128d9b-cede-4c7f-8904-809eab322d7d');
  });
});
