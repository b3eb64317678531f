import type { Bundle, MessageHeader, Observation } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../shared/audit.ts';
import type { Notification } from '../../shared/notifications.ts';
import type { MeasurementEntry } from '../../shared/plan.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { ACKNOWLEDGEMENT, failing, MESSAGING, schemaErrors } from '../fixtures/medcom-invariants.ts';
import { BRUNO_CPR, load } from '../fixtures/medcom-messages.ts';
import { postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/** The GP practice MedCom's HomeCareObservation examples are sent to, and the one of the receive-test examples. */
const PRACTICE = { sor: '52581000016005', ean: '5790000127092', name: 'Skødstrup Lægepraksis' };
const TEST_PRACTICE_SOR = '73091000016008';

const header = (b: Bundle) => b.entry![0]!.resource as MessageHeader;
const headerId = (b: Bundle) => header(b).id!;
const renamed = (bundle: Bundle, id: string): Bundle =>
  JSON.parse(JSON.stringify(bundle).replaceAll(headerId(bundle), id)) as Bundle;
const observations = (b: Bundle) =>
  b.entry!.map((e) => e.resource!).filter((r): r is Observation => r.resourceType === 'Observation');

/**
 * MedCom HomeCareObservation against a real hub (issue 18): the home-care team's measurements
 * reach the GP's plan of the citizen as structured measurements; a modified message amends
 * them (the previous value kept), a retracted one marks them entered-in-error, found through
 * the Provenance chain; replay changes nothing; a value the measurements section cannot hold
 * refuses the message naming its code; an unknown citizen's message waits in the inbox.
 */
describe('MedCom HomeCareObservation in: POST /api/v1/messages', () => {
  let hub: TestHub;
  let key: string;
  let planId: string;
  const post = (body: unknown) => postAs(hub, key, '/messages', body);
  const lene = () => hub.login('lene', 'a-long-password').then((l) => l.token);
  const expectAck = (body: Bundle, incoming: Bundle, code: 'ok' | 'fatal-error') => {
    expect(header(body).response).toMatchObject({ identifier: headerId(incoming), code });
    expect(failing(body, [...MESSAGING, ...ACKNOWLEDGEMENT])).toEqual([]);
    expect(schemaErrors(body)).toEqual([]);
  };
  const measurements = async (): Promise<MeasurementEntry[]> => {
    const res = await hub.api(`/plans/${planId}/document`, { token: await lene() });
    expect(res.status).toBe(200);
    return ((await res.json()) as { measurements: MeasurementEntry[] }).measurements;
  };

  beforeAll(async () => {
    // fhirpath.js and the R4 JSON Schema hold the event loop for seconds on first use; done
    // before the hub starts, so no idle keep-alive connection of the test's is reset meanwhile.
    failing(load('homecareobservation-new.json'), MESSAGING);
    schemaErrors(load('homecareobservation-new.json'));
    hub = await startHub();
    key = (await createApiKey(hub.server.store.results, 'Kommunens integrationsmotor')).key;
    const admin = await hub.token('admin');
    const org = await hub.api('/admin/organisations', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ name: PRACTICE.name, sector: 'general_practice', sor: PRACTICE.sor, ean: PRACTICE.ean }),
    });
    expect(org.status).toBe(201);
    const user = await hub.api('/admin/users', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({
        username: 'lene',
        name: 'Lene Læge',
        role: 'gp',
        organisationId: ((await org.json()) as { id: string }).id,
        password: 'a-long-password',
        reason: 'Praktiserende læge i Skødstrup, modtager hjemmeplejens målinger',
      }),
    });
    expect(user.status).toBe(201);
  });
  afterAll(() => hub.stop());

  it('keeps a new message about a citizen CareHub does not know in the practice’s inbox; the plan started from it holds the measurements, the practice told', async () => {
    const hco = load('homecareobservation-new.json');
    const res = await post(hco);
    expect(res.status).toBe(200);
    expectAck((await res.json()) as Bundle, hco, 'ok');
    const inbox = (await (await hub.api('/messages/inbox', { token: await lene() })).json()) as {
      id: string;
      code: string;
      knownPatient: boolean;
    }[];
    expect(inbox).toEqual([expect.objectContaining({ code: 'HomeCareObservation', knownPatient: false })]);

    const started = await hub.api(`/messages/inbox/${inbox[0]!.id}/plan`, { method: 'POST', token: await lene() });
    expect(started.status).toBe(201);
    const body = (await started.json()) as { planId: string; filed: number };
    expect(body.filed).toBe(1);
    planId = body.planId;
    const list = await measurements();
    expect(list).toHaveLength(6);
    for (const m of list) {
      expect(m.status).toBe('final');
      expect(m.performer).toMatchObject({
        user: null,
        organisation: 'Pleje og Rehabilitering',
        sector: 'municipality',
      });
    }
    // MedCom's codes CareHub measures itself: UCUM units; others kept with their code and unit.
    expect(list.find((m) => m.code.code === 'NPU21692')).toMatchObject({
      value: 92,
      unit: '/min',
      effective: new Date('2023-09-13T09:24:09+02:00').toISOString(),
    });
    expect(list.find((m) => m.code.code === 'NPU08676')).toMatchObject({ value: 38.7, unit: 'Cel' });
    expect(list.find((m) => m.code.code === 'MCS88122')).toMatchObject({
      value: 19,
      unit: '1/min',
      code: { system: 'http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-observation-codes' },
    });
    const told = (await (await hub.api('/notifications', { token: await lene() })).json()) as Notification[];
    expect(told).toEqual([
      expect.objectContaining({ kind: 'result', planId, params: expect.objectContaining({ count: 6 }) }),
    ]);
  });

  it('a modified message amends the entries (the previous value kept); a retracted one marks them entered-in-error; replays change nothing', async () => {
    const modified = load('homecareobservation-modified.json');
    // The published modified message repeats the values: give the pulse a new one, as a correction would.
    const pulse = observations(modified).find((o) => o.code.coding![0]!.code === 'NPU21692')!;
    pulse.valueQuantity!.value = 88;
    const res = await post(modified);
    expect(res.status).toBe(200);
    const ack = (await res.json()) as Bundle;
    expectAck(ack, modified, 'ok');
    let list = await measurements();
    expect(list).toHaveLength(6);
    const amendedPulse = list.find((m) => m.code.code === 'NPU21692')!;
    expect(amendedPulse).toMatchObject({ value: 88, status: 'amended' });
    expect(amendedPulse.previous).toEqual([expect.objectContaining({ value: 92, unit: '/min', status: 'final' })]);
    expect(list.every((m) => m.status === 'amended')).toBe(true);

    // The same message again: the same acknowledgement, the plan as it was.
    const again = await post(modified);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(ack);
    expect(await measurements()).toEqual(list);

    const retracted = load('homecareobservation-retracted.json');
    const r = await post(retracted);
    expect(r.status).toBe(200);
    expectAck((await r.json()) as Bundle, retracted, 'ok');
    list = await measurements();
    expect(list).toHaveLength(6);
    expect(list.every((m) => m.status === 'entered-in-error')).toBe(true);
    expect(list.find((m) => m.code.code === 'NPU21692')!.previous).toHaveLength(2);
    expect((await post(retracted)).status).toBe(200);
    expect(await measurements()).toEqual(list);

    // Nothing changes a withdrawn measurement: a later modification is refused, naming why.
    const late = renamed(modified, 'f0000000-0000-4000-8000-0000000000a1');
    const refused = await post(late);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as Bundle;
    expectAck(body, late, 'fatal-error');
    expect(JSON.stringify(body)).toMatch(/entered-in-error/);
    expect(await measurements()).toEqual(list);
  });

  it("a modification or retraction from another sender than the original's is refused and changes nothing", async () => {
    const before = await measurements();
    // The municipality's SOR code replaced by another (made-up, well-formed) organisation's.
    const otherSender = (b: Bundle, id: string): Bundle =>
      JSON.parse(JSON.stringify(renamed(b, id)).replaceAll('1144561000016002', '1144561000016999')) as Bundle;
    for (const [file, id] of [
      ['homecareobservation-modified.json', 'f0000000-0000-4000-8000-0000000000c1'],
      ['homecareobservation-retracted.json', 'f0000000-0000-4000-8000-0000000000c2'],
    ] as const) {
      const forged = otherSender(load(file), id);
      const res = await post(forged);
      expect(res.status, file).toBe(422);
      const body = (await res.json()) as Bundle;
      expectAck(body, forged, 'fatal-error');
      expect(JSON.stringify(body)).toMatch(/another organisation/);
    }
    expect(await measurements()).toEqual(before);
  });

  it('a modification of a message CareHub never took is refused', async () => {
    const modified = load('homecareobservation-modified.json');
    const orphan = JSON.parse(
      JSON.stringify(renamed(modified, 'f0000000-0000-4000-8000-0000000000a2')).replaceAll(
        '489de4f2-0d8d-4de2-a7ce-ccb93568799f',
        'facefeed-cafe-4bad-8bee-deadbeefcafe',
      ),
    ) as Bundle;
    const res = await post(orphan);
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/no HomeCareObservation facefeed-cafe-4bad-8bee-deadbeefcafe/);
  });

  it('takes each published example: lab values and the receive tests into the plan, an unknown citizen into the inbox, a text value refused naming its code', async () => {
    const before = (await measurements()).length;
    const lab = load('homecareobservation-new-lab-media.json');
    const res = await post(lab);
    expect(res.status).toBe(200);
    expectAck((await res.json()) as Bundle, lab, 'ok');
    expect((await measurements()).length).toBe(before + 10);

    // The urine test's "Negative" is no number: the whole message is refused, nothing added.
    const urine = load('homecareobservation-new-urine.json');
    const u = await post(urine);
    expect(u.status).toBe(422);
    const uBody = (await u.json()) as Bundle;
    expectAck(uBody, urine, 'fatal-error');
    expect(JSON.stringify(uBody)).toMatch(/NPU21578/);
    expect((await measurements()).length).toBe(before + 10);

    // MedCom's receive tests, addressed to the practice CareHub knows.
    const toPractice = (file: string) =>
      JSON.parse(JSON.stringify(load(file)).replaceAll(TEST_PRACTICE_SOR, PRACTICE.sor)) as Bundle;
    for (const [file, added] of [
      ['homecareobservation-test-example-1.json', 2],
      ['homecareobservation-test-example-2.json', 2],
      ['homecareobservation-test-example-4.json', 9],
    ] as const) {
      const count = (await measurements()).length;
      const bundle = toPractice(file);
      const r = await post(bundle);
      expect(r.status, file).toBe(200);
      expectAck((await r.json()) as Bundle, bundle, 'ok');
      expect((await measurements()).length, file).toBe(count + added);
    }
    // "< 7.1": the comparator stays with the value.
    const glucose = (await measurements()).find((m) => m.code.code === 'NPU22089' && m.value === 7.1);
    expect(glucose?.comment).toMatch(/^< 7\.1/);
    // A citizen with a replacement CPR number CareHub does not know: the inbox.
    const peter = toPractice('homecareobservation-test-example-3.json');
    const p = await post(peter);
    expect(p.status).toBe(200);
    const inbox = (await (await hub.api('/messages/inbox', { token: await lene() })).json()) as { code: string }[];
    expect(inbox).toEqual([expect.objectContaining({ code: 'HomeCareObservation' })]);
  });

  it('refuses a message with a value its code cannot have, or an unknown code without a number, naming the code', async () => {
    const count = (await measurements()).length;
    const impossible = renamed(load('homecareobservation-new.json'), 'f0000000-0000-4000-8000-0000000000b1');
    observations(impossible).find((o) => o.code.coding![0]!.code === 'NPU21692')!.valueQuantity!.value = 600;
    const a = await post(impossible);
    expect(a.status).toBe(422);
    expect(JSON.stringify(await a.json())).toMatch(/NPU21692/);

    const unknown = renamed(load('homecareobservation-new.json'), 'f0000000-0000-4000-8000-0000000000b2');
    const o = observations(unknown)[0]!;
    o.code = { coding: [{ system: 'urn:example:codes', code: 'XYZ123', display: 'Noget andet' }] };
    delete o.valueQuantity;
    o.valueString = 'lidt';
    const b = await post(unknown);
    expect(b.status).toBe(422);
    const body = (await b.json()) as Bundle;
    expectAck(body, unknown, 'fatal-error');
    expect(JSON.stringify(body)).toMatch(/XYZ123/);
    expect((await measurements()).length).toBe(count);
  });

  it('audits every HomeCareObservation with its outcome, never a CPR number', async () => {
    const audit = (await (
      await hub.api('/audit?limit=1000', { token: await hub.token('admin') })
    ).json()) as AuditEntryView[];
    const received = audit.filter((e) => e.action === 'message.receive');
    expect(received.some((e) => e.outcome === 'allowed' && e.patientId)).toBe(true);
    expect(received.some((e) => e.outcome === 'refused')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(BRUNO_CPR);
  });
});
