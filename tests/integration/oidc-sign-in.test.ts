import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from 'jose';
import type { LoginResponse, UserView } from '../../shared/api.ts';
import { CloseCode } from '../../shared/protocol.ts';
import type { AuthOptions } from '../../shared/sign-in.ts';
import { CARL } from '../../server/seed/demo-patients.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab, eventually } from '../fixtures/collab-client.ts';
import { auditRows, socketWith } from '../fixtures/credentials.ts';
import { CPR_CLAIM, startIdentityProvider, type TestIdentityProvider } from '../fixtures/oidc/identity-provider.ts';
import {
  beginSignIn,
  codeIn,
  exchange,
  finishAt,
  refusalIn,
  signInAtProvider,
  signInThrough,
} from '../fixtures/oidc/sign-in.ts';
import pino from 'pino';
import { createServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { startHub, TEST_SECRET, type TestHub } from '../fixtures/server.ts';

/**
 * Signing in through an organisation's identity provider (issue 19): a real OpenID provider
 * (`oidc-provider`) on port 0, CareHub on port 0 configured with it through `carehub idp add`,
 * and every step a real protocol round trip (authorization code, PKCE, nonce, state).
 */
const ENV = { OIDC_ALLOW_INSECURE_HTTP: 'on', SIGN_IN_RATE_PER_MINUTE: '1000' };

let hub: TestHub;
let idp: TestIdentityProvider;
let regionId = '';
let citizensId = '';
let carlPlan = '';
let ingridPlan = '';

const accounts = {
  'dr-hansen': {
    sub: 'regionh-1001',
    name: 'Henrik Hansen',
    preferred_username: 'hhansen@regionh.dk',
    roles: ['doctor', 'employee'],
  },
  'sygeplejerske-nina': { sub: 'regionh-2002', name: 'Nina Nyborg', roles: ['nurse'] },
  'portner-per': { sub: 'regionh-3003', name: 'Per Portner', roles: ['porter'] },
  'laege-ny': { sub: 'regionh-4004', name: 'Lone Lund', roles: ['doctor'] },
  'skiftende-sofie': { sub: 'regionh-5005', name: 'Sofie Skov', roles: ['nurse'] },
  'carl-mitid': { sub: 'mitid-8f3a', name: 'Carl Jensen', [CPR_CLAIM]: CARL.cpr },
  'ukendt-borger': { sub: 'mitid-77aa', name: 'Ukendt Borger', [CPR_CLAIM]: '0101701234' },
} as Record<string, { sub: string } & Record<string, unknown>>;

const cli = (args: string[]) => runCli(args, { DATABASE_URL: `sqlite:${hub.dbFile}`, ...ENV });
const idOf = (stdout: string) => /^identity provider ([0-9a-f-]{36})/m.exec(stdout)?.[1] ?? '';
const usersWithSubject = (subject: string) =>
  hub.sqlite().prepare('SELECT COUNT(*) FROM external_identities WHERE subject = ?').pluck().get(subject) as number;
const me = async (token: string) => hub.api('/me', { token });
/** Registers a provider through the admin API; its id. */
async function registered(body: Record<string, unknown>): Promise<string> {
  const res = await hub.api('/admin/identity-providers', {
    method: 'POST',
    token: await hub.token('admin'),
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`registering answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
type AuditRow = ReturnType<typeof auditRows>[number];
/** The audit entries of `action` that `pick` chooses, once `count` of them are written (the log commits in batches). */
async function audited(on: TestHub, action: string, pick: (r: AuditRow) => boolean, count = 1): Promise<AuditRow[]> {
  await eventually(() => auditRows(on, action).filter(pick).length >= count, 5000, `${count} ${action} entries`);
  return auditRows(on, action).filter(pick);
}

beforeAll(async () => {
  hub = await startHub({ env: ENV });
  const callback = `${hub.server.url}/api/v1/auth/oidc/callback`;
  idp = await startIdentityProvider({
    clients: [
      { clientId: 'carehub', redirectUris: [callback], postLogoutRedirectUris: [`${hub.server.url}/`] },
      {
        clientId: 'carehub-borger',
        secret: 'borger-secret-0123456789',
        redirectUris: [callback],
        postLogoutRedirectUris: [`${hub.server.url}/`],
      },
      { clientId: 'another-app', redirectUris: ['http://127.0.0.1:9/cb'] },
    ],
    accounts,
  });
  const rigs = (await hub.server.store.listOrganisations()).find((o) => o.name === 'Rigshospitalet')!;
  const region = await cli([
    'idp',
    'add',
    '--organisation',
    rigs.id,
    '--name',
    'Region Hovedstaden',
    '--issuer',
    idp.issuer,
    '--client-id',
    'carehub',
    '--scopes',
    'openid profile roles',
    '--role-claim',
    'roles',
    '--role-map',
    'doctor=hospital_doctor,nurse=hospital_nurse',
  ]);
  expect(region.code, region.stderr).toBe(0);
  expect(region.stdout).toContain(`redirect URI              https://<the hub>/api/v1/auth/oidc/callback`);
  regionId = idOf(region.stdout);
  // The citizens' login is a confidential client: its secret lives in an environment variable only.
  process.env.TEST_BORGER_SECRET = 'borger-secret-0123456789';
  const citizens = await cli([
    'idp',
    'add',
    '--name',
    'MitID',
    '--issuer',
    idp.issuer,
    '--client-id',
    'carehub-borger',
    '--client-secret-env',
    'TEST_BORGER_SECRET',
    '--scopes',
    'openid mitid',
    '--cpr-claim',
    CPR_CLAIM,
  ]);
  expect(citizens.code, citizens.stderr).toBe(0);
  expect(citizens.stdout).toContain('set TEST_BORGER_SECRET to the client secret');
  citizensId = idOf(citizens.stdout);
  carlPlan = await hub.planOf('Carl Jensen');
  ingridPlan = await hub.planOf('Ingrid Madsen');
}, 60_000);

afterAll(async () => {
  delete process.env.TEST_BORGER_SECRET;
  await idp?.stop();
  await hub?.stop();
});

describe('signing in through an organisation’s identity provider', () => {
  it('offers the providers by name on the public options, and the password form while passwords are on', async () => {
    const options = (await (await hub.api('/auth/options')).json()) as AuthOptions;
    expect(options).toEqual({
      passwordLogin: true,
      providers: [
        { id: citizensId, name: 'MitID', kind: 'citizen' },
        { id: regionId, name: 'Region Hovedstaden', kind: 'staff' },
      ],
    });
    expect(JSON.stringify(options)).not.toContain('carehub-borger');
  });

  it('signs a doctor in; the session opens Carl’s plan; the next sign-in finds the same person', async () => {
    const session = await signInThrough(hub.server.url, regionId, 'dr-hansen');
    expect(session.user).toMatchObject({
      name: 'Henrik Hansen',
      role: 'hospital_doctor',
      organisation: { name: 'Rigshospitalet' },
    });
    expect(session.user.username).toMatch(/^hhansen-[0-9a-f]{6}$/);
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: session.token })).status).toBe(200);
    // The provider's logout is offered, with the ID token as hint.
    const logout = new URL(session.endSessionUrl!);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${hub.server.url}/`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^eyJ/);

    const again = await signInThrough(hub.server.url, regionId, 'dr-hansen');
    expect(again.user.id).toBe(session.user.id);
    expect(usersWithSubject('regionh-1001')).toBe(1);
    const created = await audited(hub, 'user.create', (r) => r.actor_id === session.user.id);
    expect(created).toHaveLength(1);
    expect(JSON.parse(created[0]!.details)).toMatchObject({
      via: 'oidc',
      providerId: regionId,
      justInTime: true,
      role: 'hospital_doctor',
      clinicalAccount: true,
    });
    const logins = await audited(hub, 'login', (r) => r.actor_id === session.user.id, 2);
    expect(logins.map((r) => [r.outcome, JSON.parse(r.details).via])).toEqual([
      ['allowed', 'oidc'],
      ['allowed', 'oidc'],
    ]);
  });

  it('creates a first-time nurse just in time with the role her claim maps to', async () => {
    const session = await signInThrough(hub.server.url, regionId, 'sygeplejerske-nina');
    expect(session.user).toMatchObject({
      name: 'Nina Nyborg',
      role: 'hospital_nurse',
      organisation: { name: 'Rigshospitalet' },
    });
    const row = hub.sqlite().prepare('SELECT role, password_hash FROM users WHERE id = ?').get(session.user.id) as {
      role: string;
      password_hash: string;
    };
    expect(row.role).toBe('hospital_nurse');
    // No password can sign her in: her account is her provider's.
    const password = await hub.api('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: session.user.username, password: row.password_hash }),
    });
    expect(password.status).toBe(401);
  });

  it('refuses a person whose claims map to no role, with a page saying so, and creates nobody', async () => {
    const attempt = await signInAtProvider(hub.server.url, regionId, 'portner-per');
    expect(refusalIn(await finishAt(attempt.callback))).toBe('no_role');
    expect(usersWithSubject('regionh-3003')).toBe(0);
    const refused = await audited(
      hub,
      'login',
      (r) => r.outcome === 'refused' && JSON.parse(r.details).reason === 'no_role',
    );
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!.details)).toMatchObject({
      via: 'oidc',
      providerId: regionId,
      subject: 'regionh-3003',
    });
  });

  it('hands the session over once, to the tab that began the sign-in only', async () => {
    const attempt = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
    const code = codeIn(await finishAt(attempt.callback))!;
    expect((await exchange(hub.server.url, code, 'someone-elses-binding-value-0123456789abcdef')).status).toBe(401);
    // The code was taken by that try: the right binding is too late now.
    expect((await exchange(hub.server.url, code, attempt.binding)).status).toBe(401);

    const second = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
    const secondCode = codeIn(await finishAt(second.callback))!;
    expect((await exchange(hub.server.url, secondCode, second.binding)).status).toBe(200);
    const replay = await exchange(hub.server.url, secondCode, second.binding);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      error: { code: 'unauthorized', details: { reason: 'sign_in_expired' } },
    });
  });

  it('finishes on another node a sign-in begun on this one: what it needs is in the store, not in a process', async () => {
    const other = await createServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${hub.dbFile}`,
        CAREHUB_SECRET: TEST_SECRET,
        LOG_LEVEL: 'silent',
        ...ENV,
      }),
      { log: pino({ level: 'silent' }) },
    );
    try {
      const attempt = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
      // The balancer sends the provider's redirect to the other node.
      const code = codeIn(await finishAt(new URL(`${attempt.callback.pathname}${attempt.callback.search}`, other.url)));
      expect(code).not.toBeNull();
      expect((await exchange(hub.server.url, code!, attempt.binding)).status).toBe(200);
      // Taken there, it is gone here too.
      expect(refusalIn(await finishAt(attempt.callback))).toBe('sign_in_expired');
    } finally {
      await other.close();
    }
  });

  describe('a provider’s answer that does not pass ends on a clear error and no session', () => {
    const refusedAfter = async (login: string, meddle: () => void) => {
      const attempt = await signInAtProvider(hub.server.url, regionId, login);
      meddle();
      return refusalIn(await finishAt(attempt.callback));
    };

    it('an ID token for another client (wrong audience)', async () => {
      expect(
        await refusedAfter('laege-ny', () =>
          idp.tamperNextIdToken((c) => ({ ...c, aud: 'another-app', azp: 'another-app' })),
        ),
      ).toBe('invalid_token');
      expect(usersWithSubject('regionh-4004')).toBe(0);
    });

    it('a wrong nonce', async () => {
      expect(
        await refusedAfter('laege-ny', () => idp.tamperNextIdToken((c) => ({ ...c, nonce: 'not-the-nonce-we-sent' }))),
      ).toBe('invalid_token');
    });

    it('an expired ID token', async () => {
      const past = Math.floor(Date.now() / 1000) - 7200;
      expect(
        await refusedAfter('laege-ny', () => idp.tamperNextIdToken((c) => ({ ...c, iat: past, exp: past + 600 }))),
      ).toBe('invalid_token');
    });

    it('an ID token issued in the future (beyond a minute of clock skew)', async () => {
      const later = Math.floor(Date.now() / 1000) + 3600;
      expect(
        await refusedAfter('laege-ny', () => idp.tamperNextIdToken((c) => ({ ...c, iat: later, exp: later + 600 }))),
      ).toBe('invalid_token');
      expect(usersWithSubject('regionh-4004')).toBe(0);
    });

    it('an ID token signed with a key that is not the provider’s', async () => {
      // The claims are right; the signature is a forger's key's, under the provider's key id.
      const { privateKey } = await generateKeyPair('RS256');
      expect(await refusedAfter('laege-ny', () => idp.tamperNextIdToken((c) => c, privateKey))).toBe('invalid_token');
      expect(usersWithSubject('regionh-4004')).toBe(0);
    });

    it('an expired authorization code', async () => {
      expect(await refusedAfter('laege-ny', () => idp.expireCodes())).toBe('provider_refused');
      expect(usersWithSubject('regionh-4004')).toBe(0);
    });

    it('a replayed callback, and an authorization code replayed into another sign-in', async () => {
      const first = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
      expect(codeIn(await finishAt(first.callback))).not.toBeNull();
      // The same callback again: the sign-in it belonged to is over.
      expect(refusalIn(await finishAt(first.callback))).toBe('sign_in_expired');
      // The used code with a fresh sign-in's state: the provider refuses it (used, and another PKCE verifier).
      const second = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
      const injected = new URL(second.callback);
      injected.searchParams.set('code', first.callback.searchParams.get('code')!);
      expect(refusalIn(await finishAt(injected))).toBe('provider_refused');
    });

    it('a forged state', async () => {
      const attempt = await signInAtProvider(hub.server.url, regionId, 'dr-hansen');
      const forged = new URL(attempt.callback);
      forged.searchParams.set('state', 'forged-state-value-0123456789');
      expect(refusalIn(await finishAt(forged))).toBe('sign_in_expired');
    });
  });

  it('says so when a provider is down, when the browser comes back and at the start', async () => {
    const orgs = await hub.server.store.listOrganisations();
    const holbaek = orgs.find((o) => o.name === 'Holbæk Sygehus')!;
    const down = await startIdentityProvider({
      clients: [{ clientId: 'carehub', redirectUris: [`${hub.server.url}/api/v1/auth/oidc/callback`] }],
      accounts: { 'dr-sjaelland': { sub: 'regsj-1', name: 'Søren Sjælland', roles: ['doctor'] } },
    });
    const downId = await registered({
      organisationId: holbaek.id,
      name: 'Region Sjælland',
      issuer: down.issuer,
      clientId: 'carehub',
      scopes: 'openid profile roles',
      roleClaim: 'roles',
      roleMap: 'doctor=hospital_doctor',
    });
    const attempt = await signInAtProvider(hub.server.url, downId, 'dr-sjaelland');
    await down.stop();
    expect(refusalIn(await finishAt(attempt.callback))).toBe('provider_unavailable');
    expect(usersWithSubject('regsj-1')).toBe(0);

    // A provider that does not answer when a sign-in begins: 503, and the reason.
    const practice = orgs.find((o) => o.name === 'Lægehuset Nørrebro')!;
    const gone = await startIdentityProvider({ clients: [], accounts: {} });
    await gone.stop();
    const goneId = await registered({
      organisationId: practice.id,
      issuer: gone.issuer,
      clientId: 'carehub',
      roleClaim: 'roles',
      roleMap: 'gp=gp',
    });
    const start = await beginSignIn(hub.server.url, goneId);
    expect(start.status).toBe(503);
    expect(start.body).toMatchObject({ error: { code: 'unavailable', details: { reason: 'provider_unavailable' } } });
    expect(
      await audited(
        hub,
        'login',
        (r) => r.outcome === 'refused' && JSON.parse(r.details).reason === 'provider_unavailable',
        2,
      ),
    ).toHaveLength(2);
  });

  it('signs a citizen in by the CPR number in the claim: their own plan only, logout without the ID token', async () => {
    const session = await signInThrough(hub.server.url, citizensId, 'carl-mitid');
    // Carl has an account already (the demo's `carl`): his login finds it; one citizen, one account.
    const carl = hub.sqlite().prepare("SELECT id FROM users WHERE username = 'carl'").pluck().get() as string;
    expect(session.user).toMatchObject({ id: carl, role: 'citizen', name: 'Carl Jensen' });
    expect((await hub.api(`/plans/${carlPlan}/document`, { token: session.token })).status).toBe(200);
    expect((await hub.api(`/plans/${ingridPlan}/document`, { token: session.token })).status).toBe(403);
    // The citizens' ID token holds the CPR number: it never goes into an address.
    const logout = new URL(session.endSessionUrl!);
    expect(logout.searchParams.get('id_token_hint')).toBeNull();
    expect(logout.searchParams.get('client_id')).toBe('carehub-borger');
    expect(session.endSessionUrl).not.toContain(CARL.cpr);
    expect(JSON.stringify(session)).not.toContain(CARL.cpr);

    const unknown = await signInAtProvider(hub.server.url, citizensId, 'ukendt-borger');
    expect(refusalIn(await finishAt(unknown.callback))).toBe('no_patient');
    expect(usersWithSubject('mitid-77aa')).toBe(0);
    const audit = hub.sqlite().prepare('SELECT details FROM audit_log').pluck().all() as string[];
    for (const details of audit) expect(details).not.toContain(CARL.cpr);
  });

  it('takes a changed role at the next sign-in, and closes the live sessions of a person whose role is gone', async () => {
    const nurse = await signInThrough(hub.server.url, regionId, 'skiftende-sofie');
    expect(nurse.user.role).toBe('hospital_nurse');
    accounts['skiftende-sofie']!.roles = ['doctor'];
    const doctor = await signInThrough(hub.server.url, regionId, 'skiftende-sofie');
    expect(doctor.user).toMatchObject({ id: nurse.user.id, role: 'hospital_doctor' });
    // What is looked up per use follows at once, the older session too.
    expect(((await (await me(nurse.token)).json()) as UserView).role).toBe('hospital_doctor');

    const live = connectCollab(hub.wsUrl, carlPlan, doctor.token);
    await live.synced;
    const socket = await socketWith(hub, doctor.token);
    const ended = new Promise<{ reason: string }>((resolve) => socket.on('session:ended', resolve));

    accounts['skiftende-sofie']!.roles = ['employee'];
    const attempt = await signInAtProvider(hub.server.url, regionId, 'skiftende-sofie');
    expect(refusalIn(await finishAt(attempt.callback))).toBe('no_role');
    expect((await live.closed).code).toBe(CloseCode.unauthorized);
    expect(await ended).toMatchObject({ reason: 'revoked' });
    expect(await socket.ended).toBe('io server disconnect');
    expect((await me(doctor.token)).status).toBe(401);
    expect((await me(nurse.token)).status).toBe(401);
    expect((await audited(hub, 'user.access-ended', () => true)).map((r) => r.actor_id)).toEqual([nurse.user.id]);
    live.destroy();

    // Her role back: she is let in again, as the same person.
    accounts['skiftende-sofie']!.roles = ['nurse'];
    const back = await signInThrough(hub.server.url, regionId, 'skiftende-sofie');
    expect(back.user).toMatchObject({ id: nurse.user.id, role: 'hospital_nurse' });
    expect((await me(back.token)).status).toBe(200);
  });
});

describe('registering providers', () => {
  it('refuses what would let the wrong people in, with the reason', async () => {
    const orgs = await hub.server.store.listOrganisations();
    const rigs = orgs.find((o) => o.name === 'Rigshospitalet')!;
    const kk = orgs.find((o) => o.name === 'Københavns Kommune hjemmesygepleje')!;
    const admin = await hub.token('admin');
    const add = async (body: Record<string, unknown>) => {
      const res = await hub.api('/admin/identity-providers', {
        method: 'POST',
        token: admin,
        body: JSON.stringify({ issuer: 'https://broker.example', clientId: 'carehub', roleClaim: 'roles', ...body }),
      });
      return { status: res.status, body: (await res.json()) as { error?: { message: string }; id?: string } };
    };
    // A role of another sector.
    expect((await add({ organisationId: kk.id, roleMap: 'doctor=hospital_doctor' })).body.error?.message).toContain(
      'hospital_doctor is not a role of this organisation',
    );
    // The citizens' login without the claim that names the patient.
    expect(
      (await add({ organisationId: null, roleClaim: undefined, name: 'MitID 2', issuer: 'https://mitid.example' })).body
        .error?.message,
    ).toContain('CPR number');
    // A broker shared by two organisations must say which one a person belongs to.
    expect((await add({ organisationId: kk.id, roleMap: 'nurse=municipal_nurse' })).status).toBe(201);
    expect((await add({ organisationId: rigs.id, roleMap: 'doctor=hospital_doctor' })).body.error?.message).toContain(
      'needs --organisation-claim and --organisation-value',
    );
    const listed = (await (await hub.api('/admin/identity-providers', { token: admin })).json()) as {
      name: string;
      clientSecretEnv: string | null;
    }[];
    expect(listed.map((p) => p.name)).toEqual(
      expect.arrayContaining(['Region Hovedstaden', 'MitID', 'Københavns Kommune hjemmesygepleje']),
    );
    expect(JSON.stringify(listed)).not.toContain('borger-secret');
    expect((await hub.api('/admin/identity-providers', { token: await hub.token('hanne') })).status).toBe(403);

    // The command line: plain http only with the test setting; a secret is never taken, only its variable's name.
    const http = await runCli(
      [
        'idp',
        'add',
        '--organisation',
        rigs.id,
        '--issuer',
        'http://idp.example',
        '--client-id',
        'x',
        '--role-claim',
        'roles',
        '--role-map',
        'a=hospital_doctor',
      ],
      { DATABASE_URL: `sqlite:${hub.dbFile}` },
    );
    expect(http.stderr).toContain('must be an https address');
    const secret = await cli([
      'idp',
      'add',
      '--organisation',
      rigs.id,
      '--issuer',
      'https://other.example',
      '--client-id',
      'x',
      '--client-secret-env',
      'sup3r-secret!',
      '--role-claim',
      'r',
      '--role-map',
      'a=hospital_doctor',
    ]);
    expect(secret.code).toBe(1);
    expect(secret.stderr).toContain('--client-secret-env: an environment variable name');
  });
});

describe('PASSWORD_LOGIN=off', () => {
  let off: TestHub;
  beforeAll(async () => {
    off = await startHub({ env: { PASSWORD_LOGIN: 'off' } });
  });
  afterAll(() => off?.stop());

  it('refuses password sign-in with 403 and an error body, and tells the page not to show the form', async () => {
    const res = await off.api('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'hanne', password: 'demo' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('switched off') },
    });
    expect(((await (await off.api('/auth/options')).json()) as AuthOptions).passwordLogin).toBe(false);
    expect((await audited(off, 'login', () => true)).map((r) => JSON.parse(r.details).reason)).toEqual([
      'password_login_off',
    ]);
  });
});

export type { LoginResponse };
