import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CareTeamMember, PatientView } from '../../shared/api.ts';
import type { AccessLogEntry } from '../../shared/audit.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { auditRows, json } from '../fixtures/credentials.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL = '120345-1237';

type Row = ReturnType<typeof auditRows>[number];
const details = (r: Row) => JSON.parse(r.details) as Record<string, unknown>;

/**
 * Fix-b, finding 4: under a break-the-glass grant, acknowledging a result or listing the
 * patient's plans was audited without the flag (so the citizen's access log did not say it
 * was an emergency access); a plan could be created under a grant; an acknowledge answered 409
 * was audited as allowed; refusals of break-the-glass and of POST /plans were not audited.
 */
describe('break-the-glass in the audit', () => {
  let hub: TestHub;
  let carlPlan: string;
  let carlId: string;
  let lab: string;

  beforeAll(async () => {
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen');
    const patients = await json<PatientView[]>(await hub.api('/patients', { token: await hub.token('hanne') }));
    carlId = patients.find((p) => p.name === 'Carl Jensen')!.id;
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    // Gitte's practice leaves Carl's care team: she reaches him only by breaking the glass.
    const hanne = await hub.token('hanne');
    const team = await json<CareTeamMember[]>(await hub.api(`/plans/${carlPlan}/care-team`, { token: hanne }));
    const practice = team.find((m) => m.organisation?.sector === 'general_practice')!;
    expect(
      (await hub.api(`/plans/${carlPlan}/care-team/${practice.id}`, { method: 'DELETE', token: hanne })).status,
    ).toBe(204);
  });
  afterAll(() => hub.stop());

  const glass = async (username: string, reason: unknown) =>
    (
      await hub.api(`/plans/${carlPlan}/break-glass`, {
        method: 'POST',
        token: await hub.token(username),
        body: JSON.stringify({ reason }),
      })
    ).status;

  it('audits every refusal of break-the-glass and of creating a plan', async () => {
    const createPlan = async (username: string) =>
      (
        await hub.api('/plans', {
          method: 'POST',
          token: await hub.token(username),
          body: JSON.stringify({ patientId: carlId, title: 'Ny plan' }),
        })
      ).status;
    expect(await glass('carl', 'Bevidstløs i skadestuen, behov for medicinliste')).toBe(403);
    expect(await glass('hanne', 'Bevidstløs i skadestuen, behov for medicinliste')).toBe(409);
    expect(await glass('gitte', 'akut')).toBe(400);
    expect(await createPlan('gitte')).toBe(403);
    expect(await createPlan('carl')).toBe(403);
    await eventually(
      () => auditRows(hub, 'break-glass').filter((r) => r.outcome === 'refused').length >= 3,
      5000,
      'three break-the-glass refusals audited',
    );
    const refusals = auditRows(hub, 'break-glass').filter((r) => r.outcome === 'refused');
    expect(refusals.every((r) => details(r).breakTheGlass === true)).toBe(true);
    // The reason given is never kept when refused.
    expect(refusals.some((r) => r.details.includes('akut'))).toBe(false);
    await eventually(
      () => auditRows(hub, 'plan.create').filter((r) => r.outcome === 'refused').length >= 2,
      5000,
      'the plan creations refused and audited',
    );
  });

  it('flags every access under a grant, refuses a plan under it, audits a 409 as a refusal', async () => {
    const critical = await postAs(
      hub,
      lab,
      '/results',
      observation({ id: randomUUID(), cpr: CARL, value: 7.9, flag: 'HH' }),
    );
    const normal = await postAs(hub, lab, '/results', observation({ id: randomUUID(), cpr: CARL, value: 4.1 }));
    const criticalId = (await json<{ id: string }>(critical)).id;
    const normalId = (await json<{ id: string }>(normal)).id;

    expect(await glass('gitte', 'Bevidstløs i skadestuen, behov for medicinliste')).toBe(201);
    const gitte = await hub.token('gitte');
    expect((await hub.api(`/patients/${carlId}/plans`, { token: gitte })).status).toBe(200);
    expect((await hub.api(`/results/${normalId}/acknowledge`, { method: 'POST', token: gitte })).status).toBe(409);
    expect((await hub.api(`/results/${criticalId}/acknowledge`, { method: 'POST', token: gitte })).status).toBe(200);
    const plan = await hub.api('/plans', {
      method: 'POST',
      token: gitte,
      body: JSON.stringify({ patientId: carlId, title: 'Nødplan' }),
    });
    expect(plan.status).toBe(403);

    await eventually(
      () =>
        auditRows(hub, 'result.acknowledge').length >= 2 &&
        auditRows(hub, 'patient.plans').length >= 1 &&
        auditRows(hub, 'plan.create').some((r) => r.outcome === 'refused' && details(r).breakTheGlass === true),
      5000,
      'the accesses audited',
    );
    const plans = auditRows(hub, 'patient.plans').filter((r) => r.outcome === 'allowed');
    expect(plans.map((r) => details(r).breakTheGlass)).toContain(true);
    const acks = auditRows(hub, 'result.acknowledge');
    const ackOf = (id: string) => acks.filter((r) => details(r).resultId === id);
    expect(ackOf(normalId).map((r) => r.outcome)).toEqual(['refused']);
    expect(ackOf(criticalId).map((r) => [r.outcome, details(r).breakTheGlass])).toEqual([['allowed', true]]);
    expect(
      auditRows(hub, 'plan.create').some((r) => r.outcome === 'refused' && details(r).breakTheGlass === true),
    ).toBe(true);
    // No plan was made.
    const carlPlans = await json<{ id: string }[]>(await hub.api(`/patients/${carlId}/plans`, { token: gitte }));
    expect(carlPlans).toHaveLength(1);

    // The citizen's access log says it was an emergency access, once the result is theirs to see.
    expect(
      (await hub.api(`/results/${criticalId}/release`, { method: 'POST', token: await hub.token('hanne') })).status,
    ).toBe(200);
    const log = await json<AccessLogEntry[]>(await hub.api('/me/access-log', { token: await hub.token('carl') }));
    const ack = log.find((e) => e.actionCode === 'result.acknowledge' && !e.refused);
    expect(ack).toMatchObject({ person: 'Gitte Grønlund', breakTheGlass: true });
    expect(log.find((e) => e.actionCode === 'patient.plans')).toMatchObject({ breakTheGlass: true });
  });
});
