import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { sectionOf } from '../../shared/plan-doc.ts';
import type { PlanDocumentJson } from '../../shared/plan.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually, waitForDoc } from '../fixtures/collab-client.ts';
import { join, type Member } from '../fixtures/plan-team.ts';
import { observation, postAs, watcher, type Watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL = '1203451237';

describe('results stream into the plan', () => {
  let hub: TestHub;
  let key: string;
  let planId: string;
  let hanne: Member;
  let hanneSocket: Watcher;
  let maja: Watcher;
  let gitte: Watcher;
  const rows = () => hub.sqlite().prepare('SELECT COUNT(*) FROM results').pluck().get() as number;
  const entry = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'results')
      .toArray()
      .find((e) => e.get('id') === id);

  beforeAll(async () => {
    hub = await startHub({ env: { CRITICAL_ESCALATE_SECONDS: '0.4' } });
    key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    planId = await hub.planOf('Carl Jensen');
    hanne = await join(hub, 'hanne', planId);
    hanneSocket = await watcher(hub, 'hanne', planId);
    maja = await watcher(hub, 'maja');
    gitte = await watcher(hub, 'gitte');
  });
  afterAll(async () => {
    hanne.leave();
    for (const s of [hanneSocket, maja, gitte]) s.close();
    await hub.stop();
  });

  it('files an Observation into the plan, pushes it live and tells the care team; a replay changes nothing', async () => {
    const id = randomUUID();
    const res = await postAs(hub, key, '/results', observation({ id, cpr: '120345-1237', value: 4.1 }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; plans?: string[] };
    // The answer names no plan (fix-b, finding 1: it would tell who is registered).
    expect(body.plans).toBeUndefined();
    await waitForDoc(hanne.doc, (d) => entry(d, body.id) !== undefined, 5000, 'the result in the live plan');
    expect(entry(hanne.doc, body.id)!.toJSON()).toMatchObject({
      kind: 'lab',
      value: 4.1,
      unit: 'mmol/L',
      code: { code: 'NPU03230' },
      referenceLow: 3.5,
      referenceHigh: 4.6,
      status: 'final',
    });
    await eventually(
      () => hanneSocket.filed.some((f) => (f.result as { id: string }).id === body.id),
      5000,
      'result:filed',
    );
    await eventually(() => maja.notifications.length === 1 && gitte.notifications.length === 1, 5000, 'notifications');
    expect(maja.notifications[0]).toMatchObject({ planId, severity: 'info' });

    const stored = rows();
    const replay = await postAs(hub, key, '/results', observation({ id, cpr: '120345-1237', value: 4.1 }));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({
      ...body,
      results: [{ ...(body as unknown as { results: object[] }).results[0], replay: true }],
    });
    expect(rows()).toBe(stored);

    // An amendment replaces the shown value and keeps the old one.
    const amended = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 4.4, status: 'amended' }));
    expect(amended.status).toBe(201);
    await waitForDoc(hanne.doc, (d) => entry(d, body.id)?.get('value') === 4.4, 5000, 'the amended value');
    expect(entry(hanne.doc, body.id)!.get('previous')).toMatchObject([{ value: 4.1, status: 'final' }]);
    expect(
      sectionOf(hanne.doc, 'results')
        .toArray()
        .filter((e) => e.get('id') === body.id),
    ).toHaveLength(1);
    // Other content under the same identifier without an amending status is a conflict.
    const clash = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 9.9 }));
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
    // Only the replay-free pushes happened: the first filing and the amendment.
    expect(hanneSocket.filed.filter((f) => (f.result as { id: string }).id === body.id)).toHaveLength(2);
  });

  it('keeps a critical result prominent until acknowledged, and escalates it', async () => {
    const res = await postAs(
      hub,
      key,
      '/results',
      observation({ id: randomUUID(), cpr: CARL, value: 6.9, flag: 'HH' }),
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitForDoc(hanne.doc, (d) => entry(d, id)?.get('critical') === true, 5000, 'the critical result');
    await eventually(
      () => maja.notifications.some((n) => n.severity === 'critical' && n.kind === 'result-critical'),
      5000,
      'the critical notification',
    );
    await eventually(() => maja.notifications.some((n) => n.kind === 'result-escalated'), 5000, 'the escalation');

    const ack = await hub.api(`/results/${id}/acknowledge`, { method: 'POST', token: await hub.token('hanne') });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ acknowledgedBy: 'Hanne Holm' });
    await waitForDoc(
      hanne.doc,
      (d) => entry(d, id)?.get('acknowledgedBy') === 'Hanne Holm',
      5000,
      'who acknowledged, in the plan',
    );
    // It stops asking anyone: maja's notifications about it (the critical one and its escalation)
    // leave her open bell, and are no longer listed for her.
    const asking = maja.notifications.filter((n) => n.kind !== 'result').map((n) => n.id!);
    expect(maja.notifications.find((n) => n.kind === 'result-critical')?.patient).toMatchObject({
      name: 'Carl Jensen',
      cpr: CARL,
    });
    await eventually(() => asking.every((n) => maja.resolved.includes(n)), 5000, "resolved on maja's bell");
    const listed = (await (await hub.api('/notifications', { token: await hub.token('maja') })).json()) as {
      id: string;
      patient: { name: string };
    }[];
    expect(listed.map((n) => n.id)).not.toContain(asking[0]);
    expect(listed.every((n) => n.patient.name === 'Carl Jensen')).toBe(true);
    const again = await hub.api(`/results/${id}/acknowledge`, { method: 'POST', token: await hub.token('maja') });
    expect(await again.json()).toMatchObject({ acknowledgedBy: 'Hanne Holm' });
    const outsider = await hub.api(`/results/${id}/acknowledge`, { method: 'POST', token: await hub.token('admin') });
    expect(outsider.status).toBe(403);
  });

  it('shows results to the citizen only once released', async () => {
    const citizenSocket = await watcher(hub, 'carl', planId);
    const changed = new Promise<void>((resolve) => citizenSocket.once('plan:changed', () => resolve()));
    const res = await postAs(
      hub,
      key,
      '/results',
      observation({ id: randomUUID(), cpr: CARL, code: 'NPU27300', display: 'HbA1c', value: 48, unit: 'mmol/mol' }),
    );
    const { id } = (await res.json()) as { id: string };
    const carl = await hub.token('carl');
    const citizenSees = async () =>
      ((await (await hub.api(`/plans/${planId}/document`, { token: carl })).json()) as PlanDocumentJson).results.some(
        (r) => r.id === id,
      );
    expect(await citizenSees()).toBe(false);
    // The citizen's watch says the plan changed, but never carries the result itself.
    await changed;
    expect(citizenSocket.filed).toEqual([]);
    citizenSocket.close();
    const fhir = JSON.stringify(await (await hub.api(`/plans/${planId}/fhir`, { token: carl })).json());
    expect(fhir).not.toContain(id);
    const released = await hub.api(`/results/${id}/release`, { method: 'POST', token: await hub.token('gitte') });
    expect(released.status).toBe(200);
    expect(await citizenSees()).toBe(true);
  });

  it('files hospital notifications and tells home care and the GP', async () => {
    const before = {
      maja: maja.notifications.length,
      gitte: gitte.notifications.length,
      hanne: hanneSocket.notifications.length,
    };
    const res = await postAs(
      hub,
      key,
      '/encounters',
      {
        identifier: `adm-${randomUUID()}`,
        cpr: CARL,
        event: 'admission',
        time: new Date().toISOString(),
        hospital: 'Rigshospitalet',
        department: 'Kardiologisk afdeling',
      },
      'application/json',
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await waitForDoc(hanne.doc, (d) => entry(d, id)?.get('kind') === 'notification', 5000, 'the admission in the plan');
    await eventually(
      () => maja.notifications.length > before.maja && gitte.notifications.length > before.gitte,
      5000,
      'home care and GP told',
    );
    expect(maja.notifications.at(-1)).toMatchObject({
      kind: 'encounter',
      severity: 'warning',
      params: { event: 'admission', place: 'Rigshospitalet, Kardiologisk afdeling' },
    });
    expect(hanneSocket.notifications.length).toBe(before.hanne);
  });

  it('keeps notifications for those who sign in later, until seen', async () => {
    const token = await hub.token('niels');
    const unseen = (await (await hub.api('/notifications', { token })).json()) as { id: string }[];
    expect(unseen.length).toBeGreaterThan(0);
    const seen = await hub.api('/notifications/seen', {
      method: 'POST',
      token,
      body: JSON.stringify({ ids: unseen.map((n) => n.id) }),
    });
    expect(seen.status).toBe(200);
    expect(await (await hub.api('/notifications', { token })).json()).toEqual([]);
  });

  it('answers bad input with an OperationOutcome and stores and pushes nothing', async () => {
    const stored = rows();
    const pushed = hanneSocket.filed.length;
    const revoked = await createApiKey(hub.server.store.results, 'old system');
    await hub.server.store.results.revokeApiKey(revoked.id);
    const cases: [string, string | null, unknown, number][] = [
      ['malformed JSON', key, '{"resourceType": "Observation",', 400],
      ['another resource type', key, { resourceType: 'Patient', id: 'x' }, 422],
      [
        'missing CPR',
        key,
        { ...observation({ id: randomUUID(), cpr: CARL }), subject: { reference: 'Patient/1' } },
        422,
      ],
      ['malformed CPR', key, observation({ id: randomUUID(), cpr: '3102451237' }), 422],
      ['missing key', null, observation({ id: randomUUID(), cpr: CARL }), 401],
      ['wrong key', `chk_${'0'.repeat(16)}_${'a'.repeat(43)}`, observation({ id: randomUUID(), cpr: CARL }), 401],
      ['revoked key', revoked.key, observation({ id: randomUUID(), cpr: CARL }), 401],
      ['value without unit', key, observation({ id: randomUUID(), cpr: CARL, unit: null }), 422],
      [
        'oversized body',
        key,
        { ...observation({ id: randomUUID(), cpr: CARL }), note: [{ text: 'x'.repeat(1_100_000) }] },
        413,
      ],
    ];
    for (const [what, k, body, status] of cases) {
      const res = await postAs(hub, k, '/results', body);
      expect(res.status, what).toBe(status);
      const outcome = (await res.json()) as { resourceType: string; issue: { diagnostics: string }[] };
      expect(outcome.resourceType, what).toBe('OperationOutcome');
      expect(outcome.issue[0]!.diagnostics.length, what).toBeGreaterThan(5);
      expect(JSON.stringify(outcome), what).not.toContain('1203451237');
    }
    expect(rows()).toBe(stored);
    expect(hanneSocket.filed.length).toBe(pushed);
  });
});

describe("the care team is told of a plan's ordinary results together, of critical ones at once", () => {
  let hub: TestHub;
  let key: string;
  let planId: string;
  let hanneSocket: Watcher;
  let maja: Watcher;

  beforeAll(async () => {
    // A window far longer than the test: what it holds is told only when settled() flushes it.
    hub = await startHub({ env: { RESULT_NOTIFY_COALESCE_MS: '600000' } });
    key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    planId = await hub.planOf('Carl Jensen');
    hanneSocket = await watcher(hub, 'hanne', planId);
    maja = await watcher(hub, 'maja');
  });
  afterAll(async () => {
    for (const s of [hanneSocket, maja]) s.close();
    await hub.stop();
  });

  const file = async (body: unknown): Promise<string> => {
    const res = await postAs(hub, key, '/results', body);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await eventually(() => hanneSocket.filed.some((f) => (f.result as { id: string }).id === id), 5000, 'result:filed');
    return id;
  };

  it('tells the first at once, gathers the next, and sends critical ones without waiting', async () => {
    await file(observation({ id: randomUUID(), cpr: CARL, value: 4.1 }));
    await eventually(() => maja.notifications.length === 1, 5000, 'the first result told at once');
    expect(maja.notifications[0]).toMatchObject({
      planId,
      kind: 'result',
      severity: 'info',
      params: { count: 1, tests: ['P-Kalium'], moreTests: false },
    });

    for (const value of [4.2, 4.3]) await file(observation({ id: randomUUID(), cpr: CARL, value }));
    await file(
      observation({ id: randomUUID(), cpr: CARL, code: 'NPU27300', display: 'HbA1c', value: 48, unit: 'mmol/mol' }),
    );
    // A critical result in the window is told at once, on its own; told after the three (in
    // filing order), it also shows that they were held back.
    await file(observation({ id: randomUUID(), cpr: CARL, value: 6.9, flag: 'HH' }));
    await eventually(() => maja.notifications.length === 2, 5000, 'the critical result told at once');
    expect(maja.notifications[1]).toMatchObject({ planId, kind: 'result-critical', severity: 'critical' });

    // Settling (as shutdown does) tells what the window gathered, as one notification.
    await hub.server.filing.settled();
    await eventually(() => maja.notifications.length === 3, 5000, 'the gathered results told together');
    expect(maja.notifications[2]).toMatchObject({
      planId,
      kind: 'result',
      severity: 'info',
      params: { count: 3, tests: ['P-Kalium', 'HbA1c'], moreTests: false },
    });
    // Stored as sent: a kind and its parameters, which the client words in the reader's language.
    const stored = (await (await hub.api('/notifications', { token: await hub.token('maja') })).json()) as {
      kind: string;
      params: unknown;
    }[];
    expect(stored.map(({ kind, params }) => ({ kind, params }))).toEqual([
      { kind: 'result', params: { count: 1, tests: ['P-Kalium'], moreTests: false } },
      {
        kind: 'result-critical',
        params: { results: [{ code: 'NPU03230', display: 'P-Kalium', value: 6.9, unit: 'mmol/L' }] },
      },
      { kind: 'result', params: { count: 3, tests: ['P-Kalium', 'HbA1c'], moreTests: false } },
    ]);
  });
});
