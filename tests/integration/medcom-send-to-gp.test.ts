import type { Bundle, MessageHeader, Observation, Organization } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../shared/audit.ts';
import { MEASUREMENTS } from '../../shared/measurements.ts';
import { addMeasurements } from '../../server/measurements/add-measurements.ts';
import { acknowledgementFor, buildAcknowledgement, parseMedcomMessage } from '../../server/medcom/index.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import {
  ACKNOWLEDGEMENT,
  failing,
  HOME_CARE_OBSERVATION,
  MESSAGING,
  PATIENT,
  schemaErrors,
} from '../fixtures/medcom-invariants.ts';
import { postAs, watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const GP = { sor: '900041000016004', ean: '5790000900046', ydernummer: '090041' };
const KK = { sor: '900031000016003', ean: '5790000900039' };
const PROVIDER_NUMBER_SYSTEM = 'urn:oid:1.2.208.176.1.4';

interface OutboxMessage {
  id: string;
  messageId: string;
  event: string;
  bundle: Bundle;
}
interface Report {
  id: string;
  messageId: string;
  receiver: { sor: string; name: string | null };
  measurements: { kind: string | null; value: unknown; unit: string | null }[];
  state: 'sent' | 'received' | 'refused';
  refusal: string | null;
}

/**
 * "Send til egen læge" against a real hub (issue 18): Maja, the municipality's nurse on Carl's
 * care team, sends chosen measurements of his plan to his GP practice (the demo's, with SOR,
 * EAN and ydernummer). The outbound HomeCareObservation holds MedCom's invariants and the R4
 * schema, waits in the outbox for the practice's SOR code, and the practice's Acknowledgement
 * marks it received or refused, told live to the plan's watchers. Bad requests are 4xx with an
 * error body and queue nothing; the send is audited without a CPR number.
 */
describe('MedCom HomeCareObservation out: POST /correspondence/:planId/home-care-reports', () => {
  let hub: TestHub;
  let key: string;
  let planId: string;
  let ids: string[];
  let cpr = '';
  /** The HomeCareObservation sent and the practice's acknowledgement of it. */
  const built: Bundle[] = [];
  const send = async (username: string, body: unknown) =>
    hub.api(`/correspondence/${planId}/home-care-reports`, {
      method: 'POST',
      token: await hub.token(username),
      body: JSON.stringify(body),
    });
  const reports = async (): Promise<Report[]> => {
    const res = await hub.api(`/correspondence/${planId}/home-care-reports`, { token: await hub.token('maja') });
    expect(res.status).toBe(200);
    return (await res.json()) as Report[];
  };
  const outbox = async (): Promise<OutboxMessage[]> => {
    const res = await hub.api(`/messages/outbox?receiver=${GP.sor}`, { token: key });
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: OutboxMessage[] }).messages.filter(
      (m) => m.event === 'homecareobservation-message',
    );
  };

  beforeAll(async () => {
    // fhirpath.js and the R4 JSON Schema hold the event loop for seconds on first use; done
    // before the hub starts, so no idle keep-alive connection of the test's is reset meanwhile.
    failing({ resourceType: 'Bundle', type: 'message', entry: [] }, MESSAGING);
    schemaErrors({ entry: [] });
    hub = await startHub();
    key = (await createApiKey(hub.server.store.results, 'Regionens integrationsmotor')).key;
    planId = await hub.planOf('Carl Jensen', 'maja');
    const written = await addMeasurements(
      hub.server.rooms,
      planId,
      [
        {
          code: MEASUREMENTS.bloodPressure.code,
          value: { systolic: 142, diastolic: 88 },
          unit: 'mm[Hg]',
          effective: '2026-03-02T08:10:00.000Z',
        },
        { code: MEASUREMENTS.pulse.code, value: 78, unit: '/min', effective: '2026-03-02T08:11:00.000Z' },
        { code: MEASUREMENTS.weight.code, value: 81.4, unit: 'kg', effective: '2026-03-02T08:12:00.000Z' },
      ],
      {
        user: null,
        name: 'Maja Mortensen',
        role: 'municipal_nurse',
        organisation: 'Københavns Kommune hjemmesygepleje',
        sector: 'municipality',
      },
    );
    ids = written.map((m) => m.id);
  });
  afterAll(() => hub.stop());

  it('refuses bad requests with an error body and queues nothing', async () => {
    const cases: [string, unknown, number][] = [
      ['maja', { measurementIds: [], phone: '+45 33 66 33 66' }, 400],
      ['maja', { measurementIds: [ids[0]], phone: 'ring mig' }, 400],
      ['maja', { measurementIds: [ids[0], ids[0]], phone: '33663366' }, 400],
      ['maja', { measurementIds: [crypto.randomUUID()], phone: '33663366' }, 400],
      ['maja', { measurementIds: [ids[0]], phone: '33663366', extra: true }, 400],
      // Not a GP practice on the care team (the municipality itself, then an unknown id).
      [
        'maja',
        {
          measurementIds: [ids[0]],
          phone: '33663366',
          organisationId: (await hub.server.store.getOrganisationBySor(KK.sor))!.id,
        },
        400,
      ],
      ['maja', { measurementIds: [ids[0]], phone: '33663366', organisationId: crypto.randomUUID() }, 400],
      // The hospital's doctor and the GP do not send home-care measurements to the GP.
      ['hanne', { measurementIds: [ids[0]], phone: '33663366' }, 403],
      ['gitte', { measurementIds: [ids[0]], phone: '33663366' }, 403],
    ];
    for (const [who, body, status] of cases) {
      const res = await send(who, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as { error?: unknown }).error).toBeTruthy();
    }
    const bad = await hub.api(`/correspondence/${planId}/home-care-reports`, {
      method: 'POST',
      token: await hub.token('maja'),
      body: '{"measurementIds": [',
    });
    expect(bad.status).toBe(400);
    expect(await outbox()).toEqual([]);
    expect(await reports()).toEqual([]);
  });

  it('refuses (409) while the practice has no ydernummer, and queues nothing', async () => {
    const gp = (await hub.server.store.getOrganisationBySor(GP.sor))!;
    await hub.server.store.updateOrganisationCodes(gp.id, { sor: GP.sor, ean: GP.ean, ydernummer: null });
    try {
      const res = await send('maja', { measurementIds: [ids[1]], phone: '33663366' });
      expect(res.status).toBe(409);
      expect(JSON.stringify(await res.json())).toContain('ydernummer');
      expect(await outbox()).toEqual([]);
    } finally {
      await hub.server.store.updateOrganisationCodes(gp.id, GP);
    }
  });

  it('sends the chosen measurements as a conformant HomeCareObservation to the practice, acknowledged live', async () => {
    const gitte = await watcher(hub, 'gitte', planId);
    const changed: string[] = [];
    gitte.on('correspondence:changed', (m) => changed.push(m.planId));
    try {
      const res = await send('maja', {
        measurementIds: [ids[0], ids[1]],
        phone: '+45 33 66 33 66',
        comment: 'Blodtrykket er steget siden sidste uge.',
      });
      expect(res.status).toBe(201);
      const { id, messageId } = (await res.json()) as { id: string; messageId: string };
      await eventually(() => changed.includes(planId), 5000, 'correspondence:changed');

      const [queued, ...more] = await outbox();
      expect(more).toEqual([]);
      expect(queued).toMatchObject({ id, messageId });
      const bundle = queued!.bundle;
      const header = bundle.entry![0]!.resource as MessageHeader;
      expect(header.id).toBe(messageId);
      const receiver = bundle.entry!.find(
        (e) => `${e.resource!.resourceType}/${e.resource!.id}` === header.destination![0]!.receiver!.reference,
      )!.resource as Organization;
      expect(receiver.identifier).toEqual(
        expect.arrayContaining([
          { system: 'urn:oid:1.2.208.176.1.1', value: GP.sor },
          { system: 'https://www.gs1.org/gln', value: GP.ean },
          { system: PROVIDER_NUMBER_SYSTEM, value: GP.ydernummer },
        ]),
      );
      const parsed = parseMedcomMessage(bundle);
      expect(parsed.kind).toBe('home-care-observation');
      if (parsed.kind !== 'home-care-observation') return;
      expect(parsed.sender.sor).toBe(KK.sor);
      cpr = parsed.patient.cpr ?? '';
      expect(cpr).toMatch(/^[0-9]{10}$/);
      expect(parsed.report.conclusion).toBe('Blodtrykket er steget siden sidste uge.');
      const observations = bundle.entry!.map((e) => e.resource!).filter((r) => r.resourceType === 'Observation');
      expect(observations.map((o) => (o as Observation).code.coding![0]!.code).sort()).toEqual(['85354-9', 'NPU21692']);

      expect(await reports()).toMatchObject([
        {
          id,
          messageId,
          receiver: { sor: GP.sor },
          state: 'sent',
          measurements: [
            { kind: 'bloodPressure', value: { systolic: 142, diastolic: 88 }, unit: 'mm[Hg]' },
            { kind: 'pulse', value: 78, unit: '/min' },
          ],
        },
      ]);

      // The practice's system collects it and answers ok.
      expect((await postAs(hub, key, `/messages/outbox/${id}/delivered`, {})).status).toBe(200);
      changed.length = 0;
      const ack = buildAcknowledgement(parsed, 'ok');
      expect((await postAs(hub, key, '/messages', ack.bundle)).status).toBe(200);
      await eventually(() => changed.includes(planId), 5000, 'correspondence:changed');
      expect((await reports())[0]).toMatchObject({ id, state: 'received', refusal: null });
      built.push(bundle, ack.bundle);
    } finally {
      gitte.disconnect();
    }
  });

  it('shows a refusal with its reason when the practice answers fatal-error', async () => {
    const res = await send('maja', { measurementIds: [ids[2]], phone: '33663366' });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const queued = (await outbox()).find((m) => m.id === id)!;
    const parsed = parseMedcomMessage(queued.bundle);
    if (parsed.kind !== 'home-care-observation') throw new Error('not a HomeCareObservation');
    const { code, issue } = acknowledgementFor({
      code: 'invalid-element',
      diagnostics: 'Patienten er ikke tilknyttet praksis',
    });
    const ack = buildAcknowledgement(parsed, code, issue);
    expect((await postAs(hub, key, '/messages', ack.bundle)).status).toBe(200);
    expect((await reports()).find((r) => r.id === id)).toMatchObject({
      state: 'refused',
      refusal: expect.stringContaining('Patienten er ikke tilknyttet praksis'),
    });
  });

  it('audits each send as message.send by the nurse, naming no CPR number', async () => {
    const res = await hub.api('/audit?limit=1000', { token: await hub.token('admin') });
    expect(res.status).toBe(200);
    const entries = (await res.json()) as AuditEntryView[];
    const sends = entries.filter(
      (e) => e.action === 'message.send' && e.details?.event === 'homecareobservation-message',
    );
    expect(sends).toHaveLength(2);
    expect(sends[0]).toMatchObject({ outcome: 'allowed', details: { receiver: GP.sor, sender: KK.sor } });
    expect(cpr).toMatch(/^[0-9]{10}$/);
    expect(JSON.stringify(sends)).not.toContain(cpr);
  });

  // Checked last, when no request follows: fhirpath.js and the R4 JSON Schema hold the event
  // loop for seconds the first time, which the hub in this process shares (an idle keep-alive
  // connection is then reset under the next request).
  it('builds the HomeCareObservation to MedCom’s invariants and HL7’s R4 JSON schema', () => {
    const [sent, ack] = built;
    expect(failing(sent, [...MESSAGING, ...PATIENT, ...HOME_CARE_OBSERVATION])).toEqual([]);
    expect(schemaErrors(sent as Bundle)).toEqual([]);
    expect(failing(ack, [...MESSAGING, ...ACKNOWLEDGEMENT])).toEqual([]);
  });
});
