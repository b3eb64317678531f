import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/results/api-keys.ts';
import { auditRows, json } from '../fixtures/credentials.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const REGISTERED = '070452-1228'; // Ingrid Madsen, a demo patient
const UNREGISTERED = '050555-1234'; // a well-formed CPR number nobody in CareHub has

type Answer = { id: string; results: { id: string; identifier: string; replay: boolean }[] };

/** The answer with its ids and identifiers blanked: what may differ between two patients. */
const shape = (status: number, body: Record<string, unknown>) =>
  JSON.stringify({ status, body })
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID')
    .replace(/"identifier":"[^"]*"/g, 'IDENT')
    .replace(/urn:lab:test\|[^ "]+/g, 'IDENT');

/**
 * Fix-b, finding 1: a lab key posting a result for a CPR number was answered "result 1:
 * unknown patient" when nobody had it, so any key holder could test whether a CPR number is
 * registered in CareHub. Now a result for an unregistered CPR number is answered exactly like
 * one for a registered patient (first time, replay, conflicting resend), held unmatched and
 * audited, and shown to an administrator without the CPR number or the value.
 */
describe('result intake does not tell who is registered', () => {
  let hub: TestHub;
  let lab: string;

  beforeAll(async () => {
    hub = await startHub();
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
  });
  afterAll(() => hub.stop());

  async function post(cpr: string, identifier: string, value = 4.1, status?: string) {
    const res = await postAs(hub, lab, '/results', observation({ id: identifier, cpr, value, status }));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('answers alike for a registered and an unregistered CPR number: filed, replayed, conflicting, amended', async () => {
    const known = `id-Known${randomUUID().slice(0, 4)}`;
    const unknown = `id-Unknown${randomUUID().slice(0, 4)}`;
    const steps = [
      (cpr: string, id: string) => post(cpr, id),
      (cpr: string, id: string) => post(cpr, id),
      (cpr: string, id: string) => post(cpr, id, 5.2),
      (cpr: string, id: string) => post(cpr, id, 5.2, 'amended'),
    ];
    const statuses: number[] = [];
    for (const step of steps) {
      const a = await step(REGISTERED, known);
      const b = await step(UNREGISTERED, unknown);
      expect(shape(b.status, b.body)).toBe(shape(a.status, a.body));
      statuses.push(a.status);
    }
    expect(statuses).toEqual([201, 200, 409, 201]);
    const first = await post(UNREGISTERED, unknown, 5.2, 'amended');
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['id', 'results']);
    expect((first.body as unknown as Answer).results[0]).toMatchObject({
      identifier: `urn:lab:test|${unknown}`,
      replay: true,
    });
  });

  it('holds the unregistered one unmatched: audited without the CPR number, listed for the administrator', async () => {
    const identifier = `held-${randomUUID()}`;
    const filed = await post(UNREGISTERED, identifier);
    expect(filed.status).toBe(201);
    const heldId = (filed.body as unknown as Answer).id;
    const rows = auditRows(hub, 'result.hold');
    const row = rows.find((r) => JSON.parse(r.details).heldId === heldId);
    expect(row).toMatchObject({ outcome: 'allowed', patient_id: null });
    expect(row!.details).toContain('Region H lab');
    for (const r of rows) expect(r.details).not.toMatch(/0505551234|050555-1234/);

    const admin = await hub.api('/admin/held-results', { token: await hub.token('admin') });
    expect(admin.status).toBe(200);
    const text = await admin.text();
    expect(text).not.toMatch(/0505551234|050555-1234/);
    const list = JSON.parse(text) as { id: string; identifier: string; system: string }[];
    expect(list).toContainEqual(
      expect.objectContaining({ id: heldId, identifier: `urn:lab:test|${identifier}`, system: 'Region H lab' }),
    );
    // Care staff do not see the administrator's list.
    expect((await hub.api('/admin/held-results', { token: await hub.token('hanne') })).status).toBe(403);
  });

  it('a bundle with both kinds is filed whole, with one answer per result', async () => {
    const a = observation({ id: `b-${randomUUID()}`, cpr: REGISTERED });
    const b = observation({ id: `b-${randomUUID()}`, cpr: UNREGISTERED });
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: a }, { resource: b }],
    };
    const res = await postAs(hub, lab, '/results', bundle);
    expect(res.status).toBe(201);
    const body = await json<Answer>(res);
    expect(body.results.map((r) => r.replay)).toEqual([false, false]);
  });
});
