import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../../shared/audit.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Reads and refusals that told something about a patient without an audit entry (issue 14,
 * finding 13).
 */
describe('audit gaps', () => {
  let hub: TestHub;
  let carlPatient: string;
  let carlPlan: string;
  const rows = (action: string) =>
    hub
      .sqlite()
      .prepare(
        'SELECT actor_id AS actorId, patient_id AS patientId, plan_id AS planId, outcome, details FROM audit_log WHERE action = ?',
      )
      .all(action) as {
      actorId: string | null;
      patientId: string | null;
      planId: string | null;
      outcome: string;
      details: string;
    }[];

  beforeAll(async () => {
    hub = await startHub();
    carlPatient = (await hub.login('carl')).user.patientId!;
    carlPlan = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  it('audits a 409 from POST /patients (it confirms the CPR number is registered), with the actor, in the citizen’s access log', async () => {
    const niels = await hub.login('niels');
    const res = await hub.api('/patients', {
      method: 'POST',
      token: niels.token,
      body: JSON.stringify({ cpr: '120345-1237', name: 'Hvem som helst' }),
    });
    expect(res.status).toBe(409);
    await eventually(() => rows('patient.create').some((r) => r.outcome === 'refused'), 5000, 'the refusal on record');
    expect(rows('patient.create').find((r) => r.outcome === 'refused')).toMatchObject({
      actorId: niels.user.id,
      patientId: carlPatient,
    });
    const log = (await (
      await hub.api('/me/access-log', { token: await hub.token('carl') })
    ).json()) as AccessLogEntry[];
    expect(log.find((e) => e.actionCode === 'patient.create')).toMatchObject({
      person: 'Niels Nørgaard',
      refused: true,
    });
  });

  it('audits an emergency look-up of a CPR number that is not registered', async () => {
    const hanne = await hub.login('hanne');
    const res = await hub.api('/patients/emergency-lookup', {
      method: 'POST',
      token: hanne.token,
      body: JSON.stringify({ cpr: '0101011234' }),
    });
    expect(res.status).toBe(404);
    await eventually(
      () => rows('patient.emergency-lookup').some((r) => r.outcome === 'refused' && r.actorId === hanne.user.id),
      5000,
      'the miss on record',
    );
    expect(JSON.stringify(rows('patient.emergency-lookup'))).not.toContain('0101011234');
  });

  it('audits reading notifications (they carry result values and clinical text), per plan', async () => {
    // Breaking the glass on Aisha's plan tells her care team, the GP practice among them.
    const aisha = await hub.planOf('Aisha Khan', 'gitte');
    expect(
      (
        await hub.api(`/plans/${aisha}/break-glass`, {
          method: 'POST',
          token: await hub.token('hanne'),
          body: JSON.stringify({ reason: 'Bevidstløs i skadestuen, behov for medicinliste' }),
        })
      ).status,
    ).toBe(201);
    const gitte = await hub.login('gitte');
    await eventually(
      async () => ((await (await hub.api('/notifications', { token: gitte.token })).json()) as unknown[]).length > 0,
      5000,
      'the GP’s notification',
    );
    await eventually(
      () =>
        rows('notifications.read').some(
          (r) => r.actorId === gitte.user.id && r.planId === aisha && r.patientId !== null && r.outcome === 'allowed',
        ),
      5000,
      'the read on record',
    );
  });

  // Needs the line in server/realtime/realtime.ts that the lead merges (see the report of
  // branch i14-objections): enable it then.
  it('audits an allowed plan:watch (it receives result values), with the patient', async () => {
    const gitte = await hub.login('gitte');
    const socket = await watcher(hub, 'gitte', carlPlan);
    await eventually(
      () =>
        rows('plan.watch').some(
          (r) =>
            r.outcome === 'allowed' &&
            r.actorId === gitte.user.id &&
            r.planId === carlPlan &&
            r.patientId === carlPatient,
        ),
      5000,
      'the watch on record',
    );
    socket.close();
  });
});
