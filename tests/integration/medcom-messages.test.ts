import type { Bundle, MessageHeader } from 'fhir/r4';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisitsResponse } from '../../shared/api.ts';
import type { AuditEntryView } from '../../shared/audit.ts';
import type { Notification } from '../../shared/notifications.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import {
  ACKNOWLEDGEMENT,
  CARE_COMMUNICATION,
  failing,
  MESSAGING,
  PATIENT,
  schemaErrors,
} from '../fixtures/medcom-invariants.ts';
import { buildAcknowledgement, parseMedcomMessage } from '../../server/medcom/index.ts';
import { BRUNO_CPR, CARE_HOME, FIXTURES, HOSPITAL, load } from '../fixtures/medcom-messages.ts';
import { postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

interface OutboxMessage {
  id: string;
  messageId: string;
  event: string;
  sender: string;
  receiver: string;
  created: string;
  bundle: Bundle;
}

const header = (b: Bundle) => b.entry![0]!.resource as MessageHeader;
const headerId = (b: Bundle) => header(b).id!;

/** The same message under another MessageHeader.id (every reference to it follows). */
function renamed(bundle: Bundle, id: string): Bundle {
  return JSON.parse(JSON.stringify(bundle).replaceAll(headerId(bundle), id)) as Bundle;
}
/** The same message to another receiver SOR code (organisation and endpoint), under a new id. */
function toReceiver(bundle: Bundle, sor: string, id: string): Bundle {
  return renamed(JSON.parse(JSON.stringify(bundle).replaceAll(CARE_HOME.sor, sor)) as Bundle, id);
}

/**
 * MedCom messages against a real hub (issue 18): every published example and variants (wrong
 * receiver, unknown patient, replay, conflicting replay, malformed) posted to POST
 * /api/v1/messages with a system's intake key; the acknowledgements answered and queued for
 * the sender; hospital notifications into the inbox and, once a nurse started a plan, into the
 * plan (corrected, cancelled) with the care team told; the audit trail without CPR numbers.
 */
describe('MedCom messages in: POST /api/v1/messages', () => {
  let hub: TestHub;
  let key: string;
  let practiceKey: string;
  const post = (body: unknown, k: string | null = key, type?: string) => postAs(hub, k, '/messages', body, type);
  const outbox = async (receiver: string): Promise<OutboxMessage[]> => {
    const res = await hub.api(`/messages/outbox?receiver=${receiver}`, { token: key });
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: OutboxMessage[] }).messages;
  };
  const expectAck = (body: Bundle, incoming: Bundle, code: 'ok' | 'fatal-error') => {
    const h = header(body);
    expect(h.response).toMatchObject({ identifier: headerId(incoming), code });
    expect(failing(body, [...MESSAGING, ...ACKNOWLEDGEMENT])).toEqual([]);
    expect(schemaErrors(body)).toEqual([]);
  };

  beforeAll(async () => {
    // fhirpath.js and the R4 JSON Schema hold the event loop for seconds on first use; done
    // before the hub starts, so no idle keep-alive connection of the test's is reset meanwhile.
    failing(load('homecareobservation-new.json'), MESSAGING);
    schemaErrors(load('homecareobservation-new.json'));
    hub = await startHub();
    key = (await createApiKey(hub.server.store.results, 'Region H integrationsmotor')).key;
    const gp = (await hub.login('gitte')).user.organisation!.id;
    practiceKey = (await createApiKey(hub.server.store.results, 'praksis', { scope: 'practice', organisationId: gp }))
      .key;
    const admin = await hub.token('admin');
    const org = await hub.api('/admin/organisations', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ name: CARE_HOME.name, sector: 'municipality', sor: CARE_HOME.sor, ean: CARE_HOME.ean }),
    });
    expect(org.status).toBe(201);
    const user = await hub.api('/admin/users', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({
        username: 'pia',
        name: 'Pia Plejer',
        role: 'municipal_nurse',
        organisationId: ((await org.json()) as { id: string }).id,
        password: 'a-long-password',
        reason: 'Sygeplejerske på Plejecenter Herlev, modtager hospitalsmeddelelser',
      }),
    });
    expect(user.status).toBe(201);
  });
  afterAll(() => hub.stop());

  /** What the municipality's visits list says of citizens in hospital. */
  const stays = async (token: string) => {
    const res = await hub.api('/visits/today', { token });
    expect(res.status).toBe(200);
    return ((await res.json()) as VisitsResponse).visits.map((v) => v.stay).filter(Boolean);
  };
  const piaToken = () => hub.login('pia', 'a-long-password').then((l) => l.token);

  it('refuses without an intake key, and with a practice key', async () => {
    const stin = load('hospitalnotification-STIN.json');
    expect((await post(stin, null)).status).toBe(401);
    expect((await post(stin, practiceKey)).status).toBe(403);
    expect((await post(stin, 'not-a-key')).status).toBe(401);
  });

  it('answers malformed bodies with 400/413 and an OperationOutcome, storing nothing', async () => {
    for (const body of ['{"resourceType": "Bundle", ', '[]', { resourceType: 'Patient' }]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    }
    // Too large: on a connection of its own (the server closes it without reading the rest).
    const huge = JSON.stringify({ resourceType: 'Bundle', type: 'message', padding: 'x'.repeat(2 * 1024 * 1024) });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${hub.server.url}/api/v1/messages`,
        {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(huge);
    });
    expect(status).toBe(413);
    expect(await outbox(HOSPITAL.sor)).toEqual([]);
  });

  it('puts an admission for a patient CareHub does not know into the receiving organisation’s inbox; ok, acknowledged and queued', async () => {
    const stin = load('hospitalnotification-STIN.json');
    const res = await post(stin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/fhir\+json/);
    const ack = (await res.json()) as Bundle;
    expectAck(ack, stin, 'ok');
    const queued = await outbox(HOSPITAL.sor);
    expect(queued.map((m) => m.messageId)).toEqual([headerId(ack)]);
    expect(queued[0]!.bundle).toEqual(ack);
    const inbox = await hub.api('/messages/inbox', { token: await piaToken() });
    expect(inbox.status).toBe(200);
    const items = (await inbox.json()) as { id: string; code: string; patientName: string; knownPatient: boolean }[];
    expect(items).toEqual([expect.objectContaining({ code: 'STIN', knownPatient: false })]);
    expect(items[0]!.patientName).toBe('Elmer'); // MedCom's test citizen has only a family name
    // Staff of other organisations do not see it.
    const maja = (await (await hub.api('/messages/inbox', { token: await hub.token('maja') })).json()) as unknown[];
    expect(maja).toEqual([]);
  });

  it('answers the same message again with the same acknowledgement and changes nothing; other content under its id is 409', async () => {
    const stin = load('hospitalnotification-STIN.json');
    const before = await outbox(HOSPITAL.sor);
    const again = await post(stin);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(before.at(-1)!.bundle);
    // Key order does not make it another message.
    const reordered = Object.fromEntries(Object.entries(stin).reverse());
    expect((await post(reordered)).status).toBe(200);
    expect(await outbox(HOSPITAL.sor)).toHaveLength(before.length);
    const other = load('hospitalnotification-STIN.json');
    other.timestamp = '2030-01-01T00:00:00+01:00';
    const conflict = await post(other);
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    expect(await outbox(HOSPITAL.sor)).toHaveLength(before.length);
  });

  it('refuses a message to a receiver CareHub does not know: 422 with a fatal-error acknowledgement, queued', async () => {
    const wrong = toReceiver(
      load('hospitalnotification-STIN.json'),
      '111111111111111',
      'f0000000-0000-4000-8000-000000000001',
    );
    const res = await post(wrong);
    expect(res.status).toBe(422);
    const ack = (await res.json()) as Bundle;
    expectAck(ack, wrong, 'fatal-error');
    expect(JSON.stringify(ack)).toMatch(/111111111111111/);
    expect((await outbox(HOSPITAL.sor)).at(-1)!.messageId).toBe(headerId(ack));
  });

  it('a nurse starts a plan from the inbox: the patient is registered, the admission moves into the plan; corrections and cancellations follow it there, the team told', async () => {
    const pia = await piaToken();
    const [item] = (await (await hub.api('/messages/inbox', { token: pia })).json()) as { id: string }[];
    const started = await hub.api(`/messages/inbox/${item!.id}/plan`, { method: 'POST', token: pia });
    expect(started.status).toBe(201);
    const { planId, filed } = (await started.json()) as { planId: string; filed: number };
    expect(filed).toBe(1);
    expect((await hub.api(`/messages/inbox/${item!.id}/plan`, { method: 'POST', token: pia })).status).toBe(404);
    expect(await (await hub.api('/messages/inbox', { token: pia })).json()).toEqual([]);
    const patient = await hub.server.store.getPatientByCpr(BRUNO_CPR);
    expect(patient?.name).toBe('Elmer');

    const results = async () => {
      const res = await hub.api(`/plans/${planId}/document`, { token: pia });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: Record<string, unknown>[] }).results;
    };
    const [admission] = await results();
    expect(admission).toMatchObject({
      kind: 'notification',
      category: 'hospital-notification',
      code: { code: 'admission', display: 'STIN' },
      status: 'final',
      encounter: { code: 'STIN', status: 'in-progress', class: 'IMP', deceased: false },
    });
    expect(String((admission!.encounter as { episodeOfCare: string }).episodeOfCare)).toMatch(/\|/);
    // The hospital asked for a report of admission: a task for the municipality.
    const doc = (await (await hub.api(`/plans/${planId}/document`, { token: pia })).json()) as {
      tasks: { title: string; sector: string; status: string }[];
    };
    expect(doc.tasks).toEqual([
      expect.objectContaining({
        title: expect.stringMatching(/^Send indlæggelsesrapport til /),
        sector: 'municipality',
        status: 'planned',
      }),
    ]);

    const correction = load('hospitalnotification-RE_STIN.json');
    const re = await post(correction);
    expect(re.status).toBe(200);
    expectAck((await re.json()) as Bundle, correction, 'ok');
    await eventually(async () => (await results())[0]?.status === 'corrected', 5000, 'the correction in the plan');
    expect(await results()).toHaveLength(1);
    const notifications = async () =>
      (await (await hub.api('/notifications', { token: pia })).json()) as Notification[];
    await eventually(
      async () => (await notifications()).some((n) => n.kind === 'encounter'),
      5000,
      'the municipality told',
    );
    // While admitted, the municipality's visits list says where.
    expect(await stays(pia)).toEqual([{ place: 'Hjerteafdelingen på Herlev og Gentofte hospital', onLeave: false }]);

    const cancellation = load('hospitalnotification-AN_STIN.json');
    expect((await post(cancellation)).status).toBe(200);
    await eventually(async () => (await results())[0]?.status === 'entered-in-error', 5000, 'the cancellation');
    const [cancelled] = await results();
    expect(cancelled).toMatchObject({ encounter: { code: 'AN_STIN' } });
    expect((cancelled!.previous as unknown[]).length).toBe(2);
    expect(await stays(pia)).toEqual([]);
  });

  it('files the rest of the stay (leave, back, discharge, death) into the plan', async () => {
    const pia = await piaToken();
    const expected: [string, unknown[]][] = [
      ['hospitalnotification-STOR.json', [{ place: 'Hjerteafdelingen på Herlev og Gentofte hospital', onLeave: true }]],
      [
        'hospitalnotification-SLOR.json',
        [{ place: 'Hjerteafdelingen på Herlev og Gentofte hospital', onLeave: false }],
      ],
      ['hospitalnotification-SLHJ.json', []],
      ['hospitalnotification-MORS.json', []],
    ];
    for (const [file, stay] of expected) {
      const res = await post(load(file));
      expect(res.status, file).toBe(200);
      expect(await stays(pia), file).toEqual(stay);
    }
    const patient = (await hub.server.store.getPatientByCpr(BRUNO_CPR))!;
    const [plan] = await hub.server.store.listPlansForPatient(patient.id);
    const doc = (await (await hub.api(`/plans/${plan!.id}/document`, { token: await piaToken() })).json()) as {
      results: { code: { code: string } }[];
    };
    expect(doc.results.map((r) => r.code.code).sort()).toEqual(
      ['admission', 'death', 'discharge', 'leave-end', 'leave-start'].sort(),
    );
  });

  it('takes every published example: hospital notifications and care communications ok, acknowledgements recorded; home-care observations to GP practices CareHub does not know refused', async () => {
    for (const file of FIXTURES) {
      const bundle = load(file);
      const res = await post(bundle);
      const body = (await res.json()) as Bundle & { resourceType: string };
      if (file.startsWith('acknowledgement-')) {
        expect(res.status, file).toBe(200);
        expect(body.resourceType, file).toBe('OperationOutcome');
      } else if (file.startsWith('hospitalnotification-') || file.startsWith('carecommunication-')) {
        // Receivers in the examples: the care home CareHub knows, or another (refused).
        expect([200, 422], file).toContain(res.status);
        expectAck(body, bundle, res.status === 200 ? 'ok' : 'fatal-error');
      } else {
        // The examples' GP practices are not in this hub: refused (medcom-home-care-observations.test.ts files them).
        expect(res.status, file).toBe(422);
        expectAck(body, bundle, 'fatal-error');
      }
    }
  });

  it('keeps a CareCommunication as a thread in the plan, the care home told; its attachment is viewable', async () => {
    const pia = await piaToken();
    const patient = (await hub.server.store.getPatientByCpr(BRUNO_CPR))!;
    const [plan] = await hub.server.store.listPlansForPatient(patient.id);
    const res = await hub.api(`/correspondence/${plan!.id}`, { token: pia });
    expect(res.status).toBe(200);
    const threads = (await res.json()) as {
      communicationId: string;
      topic: string | null;
      messages: {
        id: string;
        direction: string;
        sender: { sor: string };
        segments: { text: string | null; attachment: { index: number; stored: boolean } | null }[];
      }[];
    }[];
    const fromHospital = threads.flatMap((t) => t.messages).filter((m) => m.direction === 'in');
    expect(fromHospital.length).toBeGreaterThan(0);
    expect(fromHospital.some((m) => m.sender.sor === HOSPITAL.sor)).toBe(true);
    expect(fromHospital.some((m) => m.segments.some((s) => s.text))).toBe(true);
    const withFile = fromHospital.find((m) => m.segments.some((s) => s.attachment?.stored));
    if (withFile) {
      const { index } = withFile.segments.find((s) => s.attachment?.stored)!.attachment!;
      const file = await hub.api(`/correspondence/${plan!.id}/messages/${withFile.id}/attachments/${index}`, {
        token: pia,
      });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const told = (await (await hub.api('/notifications', { token: pia })).json()) as Notification[];
    expect(told.some((n) => n.kind === 'correspondence')).toBe(true);
    // Outside the care team: refused.
    expect((await hub.api(`/correspondence/${plan!.id}`, { token: await hub.token('maja') })).status).toBe(403);
  });

  it('a reply from the plan leaves as a CareCommunication in the outbox; the hospital’s acknowledgement marks it received or refused', async () => {
    const pia = await piaToken();
    const patient = (await hub.server.store.getPatientByCpr(BRUNO_CPR))!;
    const [plan] = await hub.server.store.listPlansForPatient(patient.id);
    const threads = async () =>
      (await (await hub.api(`/correspondence/${plan!.id}`, { token: pia })).json()) as {
        communicationId: string;
        messages: { id: string; direction: string; messageId: string; state: string | null; refusal: string | null }[];
      }[];
    const thread = (await threads()).find((t) => t.messages.some((m) => m.direction === 'in'))!;
    const incoming = thread.messages.find((m) => m.direction === 'in')!;
    const send = (body: unknown) =>
      hub.api(`/correspondence/${plan!.id}`, { method: 'POST', token: pia, body: JSON.stringify(body) });
    expect((await send({ text: 'Tak', phone: '12345678' })).status).toBe(400);
    const reply = await send({
      replyTo: incoming.id,
      text: 'Tak for beskeden. Vi har set det.',
      phone: '+45 44 55 66 77',
    });
    expect(reply.status, await reply.clone().text()).toBe(201);
    const { messageId } = (await reply.json()) as { messageId: string };
    const queued = (await outbox(HOSPITAL.sor)).find((m) => m.messageId === messageId)!;
    expect(queued.event).toBe('care-communication-message');
    expect(failing(queued.bundle, [...MESSAGING, ...PATIENT, ...CARE_COMMUNICATION])).toEqual([]);
    expect(schemaErrors(queued.bundle)).toEqual([]);
    expect(JSON.stringify(queued.bundle)).toContain(thread.communicationId.replace(/^urn:uuid:/, ''));
    const mine = async () => (await threads()).flatMap((t) => t.messages).find((m) => m.messageId === messageId)!;
    expect(await mine()).toMatchObject({ direction: 'out', state: 'sent' });

    // The hospital acknowledges it.
    const outbound = parseMedcomMessage(queued.bundle);
    if (outbound.kind !== 'care-communication') throw new Error('not a CareCommunication');
    const ok = buildAcknowledgement(outbound, 'ok');
    expect((await post(ok.bundle)).status).toBe(200);
    expect(await mine()).toMatchObject({ state: 'received' });

    // A new message to another organisation on the care team needs its SOR code: the hospital is not on the team.
    const again = await send({ replyTo: incoming.id, text: 'En opfølgning.', phone: '44556677' });
    const second = ((await again.json()) as { messageId: string }).messageId;
    const secondBundle = (await outbox(HOSPITAL.sor)).find((m) => m.messageId === second)!.bundle;
    const parsedSecond = parseMedcomMessage(secondBundle);
    if (parsedSecond.kind !== 'care-communication') throw new Error('not a CareCommunication');
    const refused = buildAcknowledgement(parsedSecond, 'fatal-error', {
      issueType: 'value',
      detail: {
        system: 'http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-acknowledgement-error-codes',
        code: 'MSG_VALUESET_VALUE_UNKNOWN',
      },
      text: 'ukendt kategori',
    });
    expect((await post(refused.bundle)).status).toBe(200);
    const rejected = (await threads()).flatMap((t) => t.messages).find((m) => m.messageId === second)!;
    expect(rejected.state).toBe('refused');
    expect(rejected.refusal).toMatch(/ukendt kategori/);
    const other = await send({
      organisationId: '00000000-0000-4000-8000-000000000000',
      text: 'Hej',
      phone: '44556677',
      topic: 'Hej',
    });
    expect(other.status).toBe(400);
  });

  it('the integration engine collects the outbox, oldest first, and marks each delivered once', async () => {
    const waiting = await outbox(HOSPITAL.sor);
    expect(waiting.length).toBeGreaterThan(3);
    const times = waiting.map((m) => m.created);
    expect([...times].sort()).toEqual(times);
    const first = waiting[0]!;
    const done = await postAs(hub, key, `/messages/outbox/${first.id}/delivered`, {});
    expect(done.status).toBe(200);
    expect((await postAs(hub, key, `/messages/outbox/${first.id}/delivered`, {})).status).toBe(404);
    expect((await outbox(HOSPITAL.sor)).map((m) => m.id)).not.toContain(first.id);
    expect((await hub.api('/messages/outbox?receiver=abc', { token: key })).status).toBe(400);
    expect((await hub.api(`/messages/outbox?receiver=${HOSPITAL.sor}`, { token: practiceKey })).status).toBe(403);
  });

  it('audits every message in and out, with sender and outcome, never a CPR number', async () => {
    const audit = async () =>
      (await (await hub.api('/audit?limit=1000', { token: await hub.token('admin') })).json()) as AuditEntryView[];
    await eventually(async () => (await audit()).some((e) => e.action === 'message.deliver'), 5000, 'audited');
    const entries = (await audit()).filter((e) => e.action.startsWith('message.'));
    const received = entries.filter((e) => e.action === 'message.receive');
    expect(received.some((e) => e.outcome === 'refused' && e.details.reason === 'conflicting-replay')).toBe(true);
    expect(received.some((e) => e.outcome === 'allowed' && e.details.sender === HOSPITAL.sor)).toBe(true);
    expect(entries.some((e) => e.action === 'message.queue' && e.details.receiver === HOSPITAL.sor)).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(BRUNO_CPR);
  });
});
