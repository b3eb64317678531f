import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginResponse, UserView } from '../../shared/api.ts';
import { CARL } from '../../server/seed/demo-patients.ts';
import { startIdentityProvider, type TestIdentityProvider } from '../fixtures/oidc/identity-provider.ts';
import { startPracticeSystem, type PracticeSystem } from '../fixtures/oidc/practice-system.ts';
import { finishAt, refusalIn, signInAtProvider, signInThrough } from '../fixtures/oidc/sign-in.ts';
import { auditRows } from '../fixtures/credentials.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { UserAgent } from '../fixtures/oidc/user-agent.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Whom a practice system may sign in (issue 19 follow-up, the attacker's findings 1–3): a real
 * hub, the region's identity provider and practice-system simulators (`oidc-provider`). A
 * practice system's authorization server is pinned; it may not be an identity provider's or
 * another practice system's; an identity belongs to the provider or practice system it came
 * through; and only a Practitioner of the launched FHIR server is a GP of the practice.
 */
const ENV = { OIDC_ALLOW_INSECURE_HTTP: 'on', SIGN_IN_RATE_PER_MINUTE: '1000' };

let hub: TestHub;
let region: TestIdentityProvider;
let regionId = '';
let doctor: LoginResponse;
let practiceOrg = '';
const practices: PracticeSystem[] = [];

const regionAccounts = {
  'dr-hansen': { sub: 'regionh-1001', name: 'Henrik Hansen', roles: ['doctor'], fhirUser: 'Practitioner/h-1' },
};

async function admin(path: string, method: string, body?: unknown): Promise<Response> {
  return hub.api(path, {
    method,
    token: await hub.token('admin'),
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function practice(gps: Record<string, { sub: string } & Record<string, unknown>>): Promise<PracticeSystem> {
  const p = await startPracticeSystem({ hubUrl: hub.server.url, gps, patients: { 'pt-100': CARL } });
  practices.push(p);
  return p;
}

const register = (p: PracticeSystem, clientId = p.clientId) =>
  admin('/admin/smart-clients', 'POST', { organisationId: practiceOrg, issuer: p.fhirBase, clientId });

/** A standalone launch as `login`, to the page CareHub sends it to. */
let browser = new UserAgent();
async function standalone(p: PracticeSystem, login: string): Promise<string> {
  p.standaloneAs = login;
  browser = new UserAgent();
  const done = (u: URL) => u.origin === hub.server.url && (u.pathname.startsWith('/smart/app') || u.pathname === '/');
  const hop = await browser.follow(`${hub.server.url}/smart/launch?iss=${encodeURIComponent(p.fhirBase)}`, done);
  if (!done(hop.url)) throw new Error(`the launch ended at ${hop.url.href} (${hop.response?.status})`);
  return hop.url.hash;
}

async function sessionOf(hash: string): Promise<LoginResponse> {
  const code = /^#\/signed-in\/([A-Za-z0-9_-]+)$/.exec(hash)?.[1];
  if (!code) throw new Error(`no code in ${hash}`);
  const res = await browser.request(new URL(`${hub.server.url}/api/v1/auth/handoff`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as LoginResponse;
}

async function doctorIsUntouched(): Promise<void> {
  const me = (await (await hub.api('/me', { token: doctor.token })).json()) as UserView;
  expect(me).toMatchObject({ id: doctor.user.id, role: 'hospital_doctor', organisation: { name: 'Rigshospitalet' } });
}

beforeAll(async () => {
  hub = await startHub({ env: ENV });
  region = await startIdentityProvider({
    clients: [
      {
        clientId: 'carehub',
        redirectUris: [`${hub.server.url}/api/v1/auth/oidc/callback`, `${hub.server.url}/smart/callback`],
      },
    ],
    accounts: regionAccounts,
    scopes: ['fhirUser', 'profile', 'roles'],
    extraParams: ['launch', 'aud'],
    // The doctor is signed in at the region already (single sign-on).
    autoLogin: () => 'dr-hansen',
  });
  const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
  const res = await admin('/admin/identity-providers', 'POST', {
    organisationId: rigs.id,
    name: 'Region Hovedstaden',
    issuer: region.issuer,
    clientId: 'carehub',
    scopes: 'openid profile roles',
    roleClaim: 'roles',
    roleMap: 'doctor=hospital_doctor',
  });
  expect(res.status).toBe(201);
  regionId = ((await res.json()) as { id: string }).id;
  doctor = await signInThrough(hub.server.url, regionId, 'dr-hansen');
  expect(doctor.user.role).toBe('hospital_doctor');
  practiceOrg = (
    await hub.server.store.createOrganisation({
      name: 'Ondt Lægehus',
      sector: 'general_practice',
      region: 'Region Hovedstaden',
    })
  ).id;
}, 60_000);

afterAll(async () => {
  for (const p of practices) await p.stop();
  await region?.stop();
  await hub?.stop();
});

describe('a practice system’s authorization server', () => {
  it('may not be a registered identity provider’s (registration refused)', async () => {
    const evil = await practice({});
    evil.authorizationServer = region;
    const res = await register(evil, 'carehub');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('identity provider');
  });

  it('is pinned at registration: a launch naming another is refused, and the hospital doctor keeps their account', async () => {
    const evil = await practice({ 'gp-1': { sub: 'gp-1', name: 'Ond Læge', fhirUser: 'Practitioner/gp-1' } });
    const res = await register(evil);
    expect(res.status).toBe(201);
    expect(((await res.json()) as { authIssuer: string }).authIssuer).toBe(evil.idp.issuer);
    // Registered honestly; then its smart-configuration names the region's identity provider.
    evil.authorizationServer = region;
    expect(await standalone(evil, 'dr-hansen')).toMatch(/#refused=invalid_token$/);
    await doctorIsUntouched();
    evil.authorizationServer = null;
    expect((await sessionOf(await standalone(evil, 'gp-1'))).user).toMatchObject({ role: 'gp' });
  });

  it('may not serve two practice systems (a vendor’s shared server would let a GP pick the practice by iss)', async () => {
    const first = await practice({});
    expect((await register(first)).status).toBe(201);
    const second = await practice({});
    second.authorizationServer = first.idp;
    const res = await register(second, first.clientId);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('another registered practice system');
  });
});

describe('an external identity', () => {
  it('belongs to the provider it came through: another source presenting it is refused (account_conflict)', async () => {
    // The region's provider is removed; a practice system then names its server (nothing
    // registered has that issuer any more, so the registration itself is allowed).
    expect((await admin(`/admin/identity-providers/${regionId}`, 'DELETE')).status).toBe(204);
    const evil = await practice({});
    evil.authorizationServer = region;
    const res = await register(evil, 'carehub');
    expect(res.status).toBe(201);
    expect(await standalone(evil, 'dr-hansen')).toMatch(/#refused=account_conflict$/);
    const row = hub.sqlite().prepare('SELECT role, organisation_id FROM users WHERE id = ?').get(doctor.user.id) as {
      role: string;
      organisation_id: string;
    };
    expect(row.role).toBe('hospital_doctor');
    expect(row.organisation_id).not.toBe(practiceOrg);

    // The region's provider registered again (a new registration of the same issuer, once the
    // practice system naming it is gone) takes its identities over: the doctor is themselves.
    const evilId = ((await res.json()) as { id: string }).id;
    expect((await admin(`/admin/smart-clients/${evilId}`, 'DELETE')).status).toBe(204);
    const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
    const again = await admin('/admin/identity-providers', 'POST', {
      organisationId: rigs.id,
      name: 'Region Hovedstaden',
      issuer: `${region.issuer}/`,
      clientId: 'carehub',
      scopes: 'openid profile roles',
      roleClaim: 'roles',
      roleMap: 'doctor=hospital_doctor',
    });
    expect(again.status).toBe(201);
    const back = await signInThrough(hub.server.url, ((await again.json()) as { id: string }).id, 'dr-hansen');
    expect(back.user).toMatchObject({ id: doctor.user.id, role: 'hospital_doctor' });
  });
});

describe('whom a practice system signs in as a GP', () => {
  it('only a Practitioner (or PractitionerRole) of the launched FHIR server', async () => {
    const gps: Record<string, { sub: string } & Record<string, unknown>> = {
      portal: { sub: 'pt-9', name: 'Portal Patient', fhirUser: 'Patient/pt-9' },
      relative: { sub: 'rp-1', name: 'Pårørende', fhirUser: 'RelatedPerson/rp-1' },
      nobody: { sub: 'n-1', name: 'Ingen' },
      elsewhere: { sub: 'e-1', name: 'Anden Server', fhirUser: 'https://other.example/fhir/Practitioner/e-1' },
      traversal: { sub: 't-1', name: 'Sti', fhirUser: 'Practitioner/../Patient/pt-9' },
      role: { sub: 'r-1', name: 'Rolle Læge', fhirUser: 'PractitionerRole/r-1' },
    };
    const p = await practice(gps);
    expect((await register(p)).status).toBe(201);
    gps.absolute = { sub: 'a-1', name: 'Absolut Læge', fhirUser: `${p.fhirBase}/Practitioner/a-1` };
    gps.unnamed = { sub: 'u-1', fhirUser: 'Practitioner/1203451237' };
    const before = hub.sqlite().prepare('SELECT COUNT(*) FROM users').pluck().get();
    for (const login of ['portal', 'relative', 'nobody', 'elsewhere', 'traversal'])
      expect(await standalone(p, login), login).toMatch(/#refused=not_a_practitioner$/);
    expect(hub.sqlite().prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(before);
    // An EHR launch by a portal patient is refused the same way.
    const ehr = await new UserAgent().follow(
      p.launchUrl('portal', 'pt-100'),
      (u) => u.origin === hub.server.url && u.pathname.startsWith('/smart/app'),
    );
    expect(ehr.url.hash).toBe('#refused=not_a_practitioner');

    for (const login of ['role', 'absolute'])
      expect((await sessionOf(await standalone(p, login))).user, login).toMatchObject({ role: 'gp' });
    // No name claim: the name comes from the Practitioner id, without anything like a CPR number.
    const unnamed = await sessionOf(await standalone(p, 'unnamed'));
    expect(unnamed.user.name).not.toMatch(/\d{6}-?\d{4}/);
    expect(unnamed.user.name.startsWith('GP (Practitioner/')).toBe(true);
  });
});

describe('issuers', () => {
  it('are compared in one spelling (case of scheme and host, default port, trailing slash)', async () => {
    const hospital = await hub.server.store.createOrganisation({
      name: 'Hvidovre Hospital',
      sector: 'hospital',
      region: 'Region Hovedstaden',
    });
    const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
    const provider = (organisationId: string, issuer: string) =>
      admin('/admin/identity-providers', 'POST', {
        organisationId,
        issuer,
        clientId: 'carehub',
        roleClaim: 'roles',
        roleMap: 'doctor=hospital_doctor',
      });
    const first = await provider(rigs.id, 'http://broker.example.test');
    expect(first.status).toBe(201);
    expect(((await first.json()) as { issuer: string }).issuer).toBe('http://broker.example.test');
    for (const spelling of [
      'http://broker.example.test/',
      'HTTP://BROKER.example.test:80',
      'http://Broker.Example.Test/',
    ])
      expect((await provider(hospital.id, spelling)).status, spelling).toBe(400);
    const citizens = (issuer: string) =>
      admin('/admin/identity-providers', 'POST', {
        organisationId: null,
        name: 'MitID',
        issuer,
        clientId: 'carehub',
        cprClaim: 'cpr',
      });
    expect((await citizens('https://mitid.example.test/')).status).toBe(201);
    expect((await citizens('HTTPS://mitid.example.test:443')).status).toBe(400);
    // A practice system's FHIR base, likewise.
    const p = await practice({});
    expect((await register(p)).status).toBe(201);
    const again = await admin('/admin/smart-clients', 'POST', {
      organisationId: practiceOrg,
      issuer: p.fhirBase.replace('http://', 'HTTP://').concat('/'),
      clientId: 'other',
    });
    expect(again.status).toBe(400);
  });
});

describe('the hub-wide admin role', () => {
  it('comes from an organisation’s provider only when registered with allowAdmin (audited), never from one registered before', async () => {
    const it = await startIdentityProvider({
      clients: [{ clientId: 'carehub', redirectUris: [`${hub.server.url}/api/v1/auth/oidc/callback`] }],
      accounts: { 'it-per': { sub: 'it-1', name: 'Per IT', roles: ['it-admin'] } },
      scopes: ['profile', 'roles'],
      autoLogin: () => 'it-per',
    });
    try {
      const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
      const body = {
        organisationId: rigs.id,
        issuer: it.issuer,
        clientId: 'carehub',
        scopes: 'openid profile roles',
        roleClaim: 'roles',
        roleMap: 'it-admin=admin,doctor=hospital_doctor',
      };
      const refused = await admin('/admin/identity-providers', 'POST', body);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('--allow-admin');
      const allowed = await admin('/admin/identity-providers', 'POST', { ...body, allowAdmin: true });
      expect(allowed.status).toBe(201);
      const id = ((await allowed.json()) as { id: string; allowAdmin: boolean }).id;
      await eventually(
        () =>
          auditRows(hub, 'admin.identity-provider.add').some(
            (r) => JSON.parse(r.details).providerId === id && JSON.parse(r.details).allowAdmin === true,
          ),
        5000,
        'the registration audited with allowAdmin',
      );
      expect((await signInThrough(hub.server.url, id, 'it-per')).user.role).toBe('admin');
      // A provider registered before the flag existed gives no admin.
      hub.sqlite().prepare('UPDATE identity_providers SET allow_admin = 0 WHERE id = ?').run(id);
      const attempt = await signInAtProvider(hub.server.url, id, 'it-per');
      expect(refusalIn(await finishAt(attempt.callback))).toBe('no_role');
    } finally {
      await it.stop();
    }
  });
});

describe('removing a practice system', () => {
  it('ends what it launched: codes given before, the embedded session over REST and its live copy', async () => {
    const carl = (await hub.server.store.getPatientByCpr(CARL.cpr))!;
    await hub.server.store.addCareTeamMember({
      patientId: carl.id,
      organisationId: practiceOrg,
      userId: null,
      addedBy: null,
    });
    const p = await practice({ 'gp-r': { sub: 'gp-r', name: 'Rikke Removed', fhirUser: 'Practitioner/gp-r' } });
    const registered = await register(p);
    expect(registered.status).toBe(201);
    const id = ((await registered.json()) as { id: string }).id;
    const launched = async () => {
      const hop = await new UserAgent().follow(
        p.launchUrl('gp-r', 'pt-100'),
        (u) => u.origin === hub.server.url && u.pathname.startsWith('/smart/app'),
      );
      const code = /^#code=([A-Za-z0-9_-]+)$/.exec(hop.url.hash)?.[1];
      if (!code) throw new Error(`the launch ended at ${hop.url.href}`);
      return code;
    };
    const exchange = (code: string) => hub.api('/smart/session', { method: 'POST', body: JSON.stringify({ code }) });
    const session = (await (await exchange(await launched())).json()) as { token: string; planId: string };
    const unused = await launched();
    const live = connectCollab(hub.wsUrl, session.planId, session.token);
    await live.synced;
    expect((await hub.api(`/plans/${session.planId}/document`, { token: session.token })).status).toBe(200);

    expect((await admin(`/admin/smart-clients/${id}`, 'DELETE')).status).toBe(204);
    const refused = await exchange(unused);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { details: { reason: 'unknown_provider' } } });
    expect([401, 403]).toContain((await hub.api(`/plans/${session.planId}/document`, { token: session.token })).status);
    expect((await live.closed).code).toBeGreaterThanOrEqual(4000);
  });
});
