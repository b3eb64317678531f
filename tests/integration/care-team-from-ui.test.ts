import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CareTeamMember, PatientView, PlanView } from '../../shared/api.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * What the UI does for patients, plans and care teams, through the same API and so with the same
 * audit: register a patient by the CPR rules, start a plan, give the care team an organisation
 * and take it away again; for the roles allowed, every refusal a code the UI words.
 */
describe('patients, plans and care teams', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.stop());

  const call = async (username: string, path: string, method: string, body?: unknown) => {
    const res = await hub.api(path, {
      method,
      token: await hub.token(username),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };
  /** Waits until the audit log (written in batches) holds one such entry. */
  const audited = async (action: string, outcome: 'allowed' | 'refused', patientId: string | null) => {
    const count = () =>
      hub
        .sqlite()
        .prepare('SELECT COUNT(*) FROM audit_log WHERE action = ? AND outcome = ? AND patient_id IS ?')
        .pluck()
        .get(action, outcome, patientId) as number;
    await eventually(() => count() > 0, 5000, `${action} ${outcome} on record`);
    return count();
  };

  it('registers a patient, starts a plan, adds and removes an organisation on the care team', async () => {
    const created = await call('maja', '/patients', 'POST', { cpr: '010190-2000', name: 'Bodil Berg' });
    expect(created.status).toBe(201);
    const patient = created.body as PatientView;
    expect(patient).toMatchObject({ cpr: '0101902000', name: 'Bodil Berg', plans: [] });
    expect(await audited('patient.create', 'allowed', patient.id)).toBe(1);

    const plan = await call('maja', '/plans', 'POST', { patientId: patient.id, title: 'Sårpleje' });
    expect(plan.status).toBe(201);
    const planId = (plan.body as PlanView).id;
    expect(await audited('plan.create', 'allowed', patient.id)).toBe(1);

    // The organisations to choose from, by name and sector.
    const orgs = (await call('maja', '/organisations', 'GET')).body as { id: string; name: string; sector: string }[];
    const practice = orgs.find((o) => o.name === 'Lægehuset Nørrebro')!;
    expect(practice.sector).toBe('general_practice');

    expect((await call('gitte', `/plans/${planId}`, 'GET')).status).toBe(403);
    const added = await call('maja', `/plans/${planId}/care-team`, 'POST', { organisationId: practice.id });
    expect(added.status).toBe(201);
    expect(await audited('care-team.add', 'allowed', patient.id)).toBe(1);
    expect((await call('gitte', `/plans/${planId}`, 'GET')).status).toBe(200);
    // Once is enough.
    expect(await call('maja', `/plans/${planId}/care-team`, 'POST', { organisationId: practice.id })).toMatchObject({
      status: 409,
      body: { error: { reason: 'care-team.already' } },
    });

    const member = added.body as CareTeamMember;
    expect((await call('maja', `/plans/${planId}/care-team/${member.id}`, 'DELETE')).status).toBe(204);
    expect(await audited('care-team.remove', 'allowed', patient.id)).toBe(1);
    expect((await call('gitte', `/plans/${planId}`, 'GET')).status).toBe(403);
    expect(await call('maja', `/plans/${planId}/care-team/${member.id}`, 'DELETE')).toMatchObject({
      status: 404,
      body: { error: { reason: 'care-team.no-member' } },
    });
  });

  it('refuses those not allowed, on record', async () => {
    expect(await call('carl', '/patients', 'POST', { cpr: '020290-2000', name: 'X' })).toMatchObject({
      status: 403,
      body: { error: { reason: 'staff-only' } },
    });
    expect((await call('admin', '/organisations', 'GET')).status).toBe(403);
    const ingrid = (await call('hanne', '/patients', 'GET')).body as PatientView[];
    const ingridId = ingrid.find((p) => p.name === 'Ingrid Madsen')!.id;
    expect(await call('maja', '/plans', 'POST', { patientId: ingridId, title: 'Ikke min' })).toMatchObject({
      status: 403,
      body: { error: { reason: 'access.not-care-team' } },
    });
    expect(await audited('plan.create', 'refused', ingridId)).toBe(1);
  });
});
