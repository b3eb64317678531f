import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse, PatientView } from '../../shared/api.ts';
import { AISHA, CARL, INGRID } from '../../server/seed/demo-patients.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { auditRows, type EmbedSessionAnswer } from '../fixtures/credentials.ts';
import { startPracticeSystem, type PracticeSystem } from '../fixtures/oidc/practice-system.ts';
import { UserAgent } from '../fixtures/oidc/user-agent.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * SMART App Launch from GP practice systems (issue 19): two practice-system simulators, each
 * an `oidc-provider` authorization server with the SMART launch parameter and the patient in
 * context in its token response, and a FHIR server serving the Patient with its CPR number.
 * Lægehuset Nørrebro is on Carl Jensen's care team; Lægerne i Valby is not.
 */
const ENV = { OIDC_ALLOW_INSECURE_HTTP: 'on', SIGN_IN_RATE_PER_MINUTE: '1000' };

let hub: TestHub;
let norrebro: PracticeSystem;
let valby: PracticeSystem;
let norrebroId = '';
let valbyId = '';
let carlPlan = '';

type AuditRow = ReturnType<typeof auditRows>[number];
async function audited(action: string, pick: (r: AuditRow) => boolean): Promise<AuditRow[]> {
  await eventually(() => auditRows(hub, action).some(pick), 5000, `${action} audited`);
  return auditRows(hub, action).filter(pick);
}

/** Follows a launch as the EHR's frame would, to CareHub's launched page (not asked: it is the app's). */
async function launch(url: string, agent = new UserAgent()): Promise<URL> {
  const done = (u: URL) =>
    u.origin === hub.server.url &&
    (u.pathname.startsWith('/smart/app') || (u.pathname === '/' && u.hash.startsWith('#/')));
  const hop = await agent.follow(url, done);
  if (!done(hop.url))
    throw new Error(`the launch ended at ${hop.url.href} (${hop.response?.status}): ${hop.body?.slice(0, 300)}`);
  return hop.url;
}

const openSession = (code: string) => hub.api('/smart/session', { method: 'POST', body: JSON.stringify({ code }) });

beforeAll(async () => {
  hub = await startHub({ env: ENV });
  const store = hub.server.store;
  const norrebroOrg = (await store.listOrganisations()).find((o) => o.name === 'Lægehuset Nørrebro')!;
  const valbyOrg = await store.createOrganisation({
    name: 'Lægerne i Valby',
    sector: 'general_practice',
    region: 'Region Hovedstaden',
  });
  norrebro = await startPracticeSystem({
    hubUrl: hub.server.url,
    gps: { 'gitte-praksis': { sub: 'nb-gp-1', name: 'Gitte Grønlund', fhirUser: 'Practitioner/nb-1' } },
    patients: {
      'pt-100': CARL,
      'pt-200': INGRID,
      'pt-300': { cpr: '0101701234', name: 'Ny Patient' },
      'pt-400': AISHA,
    },
  });
  valby = await startPracticeSystem({
    hubUrl: hub.server.url,
    gps: { 'valby-gp': { sub: 'vb-gp-7', name: 'Vagn Valby', fhirUser: 'Practitioner/vb-7' } },
    patients: { 'v-1': CARL },
    clientId: 'carehub-valby',
    secret: 'valby-secret-0123456789',
  });
  const added = await runCli(
    [
      'smart-client',
      'add',
      '--organisation',
      norrebroOrg.id,
      '--issuer',
      norrebro.fhirBase,
      '--client-id',
      norrebro.clientId,
    ],
    { DATABASE_URL: `sqlite:${hub.dbFile}`, ...ENV },
  );
  expect(added.code, added.stderr).toBe(0);
  expect(added.stdout).toContain(`framed from ${norrebro.origin} only`);
  expect(added.stdout).toContain('redirect URI  https://<the hub>/smart/callback');
  norrebroId = /^practice system ([0-9a-f-]{36})/m.exec(added.stdout)![1]!;
  // The other through the admin API, as a confidential client whose secret is in the environment.
  process.env.TEST_VALBY_SECRET = 'valby-secret-0123456789';
  const res = await hub.api('/admin/smart-clients', {
    method: 'POST',
    token: await hub.token('admin'),
    body: JSON.stringify({
      organisationId: valbyOrg.id,
      issuer: `${valby.fhirBase}/`,
      clientId: 'carehub-valby',
      clientSecretEnv: 'TEST_VALBY_SECRET',
    }),
  });
  expect(res.status).toBe(201);
  valbyId = ((await res.json()) as { id: string }).id;
  carlPlan = await hub.planOf('Carl Jensen');
}, 60_000);

afterAll(async () => {
  delete process.env.TEST_VALBY_SECRET;
  await norrebro?.stop();
  await valby?.stop();
  await hub?.stop();
});

describe('SMART App Launch from a GP practice system', () => {
  it('opens Carl’s plan for a GP whose practice is on his care team, as an embedded session acting as the GP', async () => {
    const page = await launch(norrebro.launchUrl('gitte-praksis', 'pt-100'));
    expect(page.pathname).toBe(`/smart/app/${norrebroId}`);
    const code = /^#code=([A-Za-z0-9_-]+)$/.exec(page.hash)?.[1];
    expect(code, page.href).toBeDefined();
    expect(norrebro.patientReads).toContain('pt-100');

    const res = await openSession(code!);
    expect(res.status).toBe(200);
    const session = (await res.json()) as EmbedSessionAnswer;
    expect(session).toMatchObject({
      planId: carlPlan,
      access: 'edit',
      user: { name: 'Gitte Grønlund', role: 'gp', organisation: { name: 'Lægehuset Nørrebro' } },
    });
    // The embedded session reaches that one plan, live too, and nothing else.
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: session.token })).status).toBe(200);
    expect((await hub.api('/patients', { token: session.token })).status).toBe(403);
    const live = connectCollab(hub.wsUrl, carlPlan, session.token);
    await live.synced;
    live.destroy();
    // The code is good once.
    expect((await openSession(code!)).status).toBe(401);

    const [launched] = await audited('smart.launch', (r) => r.outcome === 'allowed');
    expect(launched!.actor_id).toBe(session.user.id);
    expect(JSON.parse(launched!.details)).toMatchObject({ smartClientId: norrebroId, fhirUser: 'Practitioner/nb-1' });
    expect(JSON.parse((await audited('user.create', (r) => r.actor_id === session.user.id))[0]!.details)).toMatchObject(
      { via: 'smart', smartClientId: norrebroId, role: 'gp' },
    );
    await audited('embed-link.use', (r) => r.actor_id === session.user.id && r.outcome === 'allowed');

    // The next launch finds the same GP.
    const again = await launch(norrebro.launchUrl('gitte-praksis', 'pt-100'));
    const second = (await (await openSession(/#code=(.+)$/.exec(again.hash)![1]!)).json()) as EmbedSessionAnswer;
    expect(second.user.id).toBe(session.user.id);
  });

  it('lets only the registered practice system’s origin frame the launch pages', async () => {
    const res = await fetch(norrebro.launchUrl('gitte-praksis', 'pt-100'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('content-security-policy')).toContain(`frame-ancestors ${norrebro.origin}`);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const unknown = await fetch(
      `${hub.server.url}/smart/launch?iss=${encodeURIComponent('https://ehr.unknown.example/fhir')}&launch=x`,
      { redirect: 'manual' },
    );
    expect(unknown.headers.get('location')).toBe('/smart/app#refused=unknown_issuer');
    expect(unknown.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const refused = await audited(
      'smart.launch',
      (r) => r.outcome === 'refused' && JSON.parse(r.details).reason === 'unknown_issuer',
    );
    expect(JSON.parse(refused[0]!.details)).toMatchObject({ issuer: 'https://ehr.unknown.example/fhir' });
  });

  it('refuses a GP whose practice is not on the care team, with a page saying so and an audit entry', async () => {
    const page = await launch(valby.launchUrl('valby-gp', 'v-1'));
    expect(`${page.pathname}${page.hash}`).toBe(`/smart/app/${valbyId}#refused=not_on_care_team`);
    const [refused] = await audited(
      'smart.launch',
      (r) => r.outcome === 'refused' && JSON.parse(r.details).smartClientId === valbyId,
    );
    expect(JSON.parse(refused!.details)).toMatchObject({ reason: 'not_on_care_team' });
    expect(refused!.patient_id).not.toBeNull();
    expect(
      hub
        .sqlite()
        .prepare("SELECT COUNT(*) FROM embed_links WHERE created_by_system = 'Lægerne i Valby'")
        .pluck()
        .get(),
    ).toBe(0);
    // The same practice's GP, a patient whose team does not hold the practice.
    const ingrid = await launch(norrebro.launchUrl('gitte-praksis', 'pt-200'));
    expect(ingrid.hash).toBe('#refused=not_on_care_team');
  });

  it('says so when the patient is not in CareHub', async () => {
    expect((await launch(norrebro.launchUrl('gitte-praksis', 'pt-300'))).hash).toBe('#refused=no_patient');
  });

  it('signs the GP in to the patient list on a standalone launch (no patient in context)', async () => {
    norrebro.standaloneAs = 'gitte-praksis';
    const browser = new UserAgent();
    const page = await launch(`${hub.server.url}/smart/launch?iss=${encodeURIComponent(norrebro.fhirBase)}`, browser);
    const code = /^#\/signed-in\/([A-Za-z0-9_-]+)$/.exec(page.hash)?.[1];
    expect(code, page.href).toBeDefined();
    // The page exchanges the code from the browser that began the launch (its binding cookie).
    const res = await browser.request(new URL(`${hub.server.url}/api/v1/auth/handoff`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as LoginResponse;
    expect(session.user).toMatchObject({ role: 'gp', organisation: { name: 'Lægehuset Nørrebro' } });
    const patients = (await (await hub.api('/patients', { token: session.token })).json()) as PatientView[];
    expect(patients.map((p) => p.name)).toContain('Carl Jensen');
    expect(patients.map((p) => p.name)).not.toContain('Ingrid Madsen');
  });

  it('binds a standalone launch’s code to the browser that began it (login CSRF)', async () => {
    norrebro.standaloneAs = 'gitte-praksis';
    const launchUrl = `${hub.server.url}/smart/launch?iss=${encodeURIComponent(norrebro.fhirBase)}`;
    const first = await fetch(launchUrl, { redirect: 'manual' });
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith('carehub_smart_binding='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/api\/v1\/auth\/handoff/);
    // The attacker launches in their own browser and plants the code in a victim's page.
    const attacker = new UserAgent();
    const page = await launch(launchUrl, attacker);
    const code = /^#\/signed-in\/([A-Za-z0-9_-]+)$/.exec(page.hash)![1]!;
    const victim = await hub.api('/auth/handoff', { method: 'POST', body: JSON.stringify({ code }) });
    expect(victim.status).toBe(401);
    // An EHR launch (in the practice system's frame) sets no cookie.
    const framed = await fetch(norrebro.launchUrl('gitte-praksis', 'pt-100'), { redirect: 'manual' });
    expect(framed.headers.getSetCookie().some((c) => c.startsWith('carehub_smart_binding='))).toBe(false);
  });

  it('says so when the practice system does not answer', async () => {
    await valby.stop();
    expect((await launch(valby.launchUrl('valby-gp', 'v-1'))).hash).toBe('#refused=provider_unavailable');
  });
});
