import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { DEMO_PATIENTS } from '../../server/seed/demo-patients.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import { observation } from '../fixtures/results.ts';
import { firstPlanOf, hubSandbox, loginAt, spawnHub, type HubProcess } from '../fixtures/server-process.ts';
import Database from 'better-sqlite3';
import { runCli } from '../fixtures/cli.ts';
import { CPR_CLAIM, startIdentityProvider } from '../fixtures/oidc/identity-provider.ts';
import { startPracticeSystem } from '../fixtures/oidc/practice-system.ts';
import { codeIn, exchange, finishAt, refusalIn, signInAtProvider } from '../fixtures/oidc/sign-in.ts';
import { UserAgent } from '../fixtures/oidc/user-agent.ts';
import { tempDir } from '../fixtures/server.ts';

const DEMO_CPRS = DEMO_PATIENTS.map((p) => p.cpr);
const NEW_CPR = '0505551234';

/** CPR numbers, tokens and passwords appear in no URL and in no log line (issue 5, attacks). */
describe('what the server logs', () => {
  const dir = tempDir();
  let hub: HubProcess | null = null;
  afterAll(async () => {
    hub?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds no CPR number, token or password after a full scenario at debug level', async () => {
    const dbFile = join(dir, 'carehub.db');
    hub = await spawnHub(dbFile, { LOG_LEVEL: 'debug' });
    const api = (path: string, init: RequestInit & { token?: string } = {}) =>
      fetch(`${hub!.url}/api/v1${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
      });
    const token = await loginAt(hub.url, 'hanne');
    await api('/auth/login', {
      method: 'POST',
      body: JSON.stringify({ username: 'hanne', password: 'wrong-password-123' }),
    });
    const carlPlan = await firstPlanOf(hub.url, token, 'Carl Jensen');
    await api('/patients/search', { method: 'POST', token, body: JSON.stringify({ query: '120345-1237' }) });
    await api('/patients', { method: 'POST', token, body: JSON.stringify({ cpr: NEW_CPR, name: 'Ny Patient' }) });
    await api('/patients', { method: 'POST', token, body: JSON.stringify({ cpr: '3102451237', name: 'Bad Date' }) });
    await api(`/plans/${carlPlan}/document`, { token });
    await api(`/plans/${carlPlan}/fhir`, { token });
    const live = connectCollab(hub.wsUrl, carlPlan, token);
    await live.synced;
    live.destroy();
    const socket = io(hub.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    await socket.emitWithAck('plan:watch', { planId: carlPlan });
    socket.close();
    const bin = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bin', 'carehub.js');
    const key = /chk_\S+/.exec(
      spawnSync(process.execPath, [bin, 'api-key', 'create', '--system', 'lab'], {
        env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` },
        encoding: 'utf8',
      }).stdout,
    )![0];
    for (const body of [
      observation({ id: 'r1', cpr: DEMO_CPRS[0]! }),
      observation({ id: 'r2', cpr: '0101011234' }),
      observation({ id: 'r3', cpr: '3102451237' }),
    ]) {
      await fetch(`${hub.url}/api/v1/results`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      });
    }
    // A CPR number in a GET query is refused (400), and neither the answer nor the log repeats it.
    for (const query of ['120345', '120345-1237']) {
      const refused = await fetch(`${hub.url}/api/v1/patients?query=${query}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(400);
      expect(await refused.text()).not.toContain(query);
    }

    hub.child.kill('SIGTERM');
    await hub.exited;
    const out = hub.output();
    expect(out).toContain('"msg":"request"');
    for (const cpr of [...DEMO_CPRS, NEW_CPR, '120345-1237', '0101011234', '3102451237'])
      expect(out, cpr).not.toContain(cpr);
    expect(out).not.toContain('120345');
    expect(out).not.toContain(token);
    expect(out).not.toContain(key);
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(out).not.toContain('wrong-password-123');
  });

  it('holds no CPR number, token, code or state after sign-ins through providers and SMART launches, at trace level', async () => {
    const sandbox = hubSandbox();
    const env = { OIDC_ALLOW_INSECURE_HTTP: 'on', LOG_LEVEL: 'trace' };
    const oidcHub = await sandbox.spawn(undefined, env);
    const idp = await startIdentityProvider({
      clients: [
        {
          clientId: 'carehub',
          redirectUris: [`${oidcHub.url}/api/v1/auth/oidc/callback`],
          postLogoutRedirectUris: [`${oidcHub.url}/`],
        },
      ],
      accounts: {
        'carl-mitid': { sub: 'mitid-8f3a', name: 'Carl Jensen', [CPR_CLAIM]: DEMO_CPRS[0]! },
        'ukendt-borger': { sub: 'mitid-77aa', [CPR_CLAIM]: '0101701234' },
        // A subject that is a CPR number (some brokers' were): not written as it is, in the audit log either.
        'cpr-subject': { sub: '0202701234', [CPR_CLAIM]: '0202701234' },
      },
    });
    const practice = await startPracticeSystem({
      hubUrl: oidcHub.url,
      gps: { gp: { sub: 'nb-gp-1', name: 'Gitte Grønlund', fhirUser: 'Practitioner/nb-1' } },
      patients: { 'pt-100': { cpr: DEMO_CPRS[0]!, name: 'Carl Jensen' }, 'pt-300': { cpr: '0101701234', name: 'Ny' } },
    });
    try {
      const cli = (args: string[]) => runCli(args, { DATABASE_URL: `sqlite:${sandbox.dbFile}`, ...env });
      const citizens = /^identity provider (\S+):/m.exec(
        (
          await cli([
            'idp',
            'add',
            '--name',
            'MitID',
            '--issuer',
            idp.issuer,
            '--client-id',
            'carehub',
            '--scopes',
            'openid mitid',
            '--cpr-claim',
            CPR_CLAIM,
          ])
        ).stdout,
      )![1]!;
      const token = await loginAt(oidcHub.url, 'admin');
      const practiceOrg = (
        (await (
          await fetch(`${oidcHub.url}/api/v1/admin/organisations`, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { id: string; name: string }[]
      ).find((o) => o.name === 'Lægehuset Nørrebro')!;
      expect(
        (
          await cli([
            'smart-client',
            'add',
            '--organisation',
            practiceOrg.id,
            '--issuer',
            practice.fhirBase,
            '--client-id',
            'carehub',
          ])
        ).code,
      ).toBe(0);

      const secrets: string[] = [];
      const attempt = async (login: string, meddle?: () => void) => {
        const a = await signInAtProvider(oidcHub.url, citizens, login);
        secrets.push(a.binding, a.callback.searchParams.get('code')!, a.callback.searchParams.get('state')!);
        meddle?.();
        const location = await finishAt(a.callback);
        const code = codeIn(location);
        if (code) {
          secrets.push(code);
          const session = (await (await exchange(oidcHub.url, code, a.binding)).json()) as { token: string };
          secrets.push(session.token);
        }
        return location;
      };
      expect(codeIn(await attempt('carl-mitid'))).not.toBeNull();
      expect(refusalIn(await attempt('ukendt-borger'))).toBe('no_patient');
      expect(refusalIn(await attempt('cpr-subject'))).toBe('no_patient');
      expect(refusalIn(await attempt('carl-mitid', () => idp.tamperNextIdToken((c) => ({ ...c, nonce: 'x' }))))).toBe(
        'invalid_token',
      );
      for (const patient of ['pt-100', 'pt-300']) {
        const hop = await new UserAgent().follow(practice.launchUrl('gp', patient), (u) =>
          u.pathname.startsWith('/smart/app'),
        );
        const code = /#code=(.+)$/.exec(hop.url.hash)?.[1];
        if (code) {
          secrets.push(
            code,
            (
              (await (
                await fetch(`${oidcHub.url}/api/v1/smart/session`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/json' },
                  body: JSON.stringify({ code }),
                })
              ).json()) as { token: string }
            ).token,
          );
        }
      }

      oidcHub.child.kill('SIGTERM');
      await oidcHub.exited;
      const out = oidcHub.output();
      expect(out).toContain('"msg":"request"');
      for (const cpr of [...DEMO_CPRS, '0101701234', '0202701234']) expect(out, cpr).not.toContain(cpr);
      const audit = new Database(sandbox.dbFile, { readonly: true });
      const details = audit.prepare('SELECT details FROM audit_log').pluck().all().join('\n');
      audit.close();
      expect(details).toContain('"reason":"no_patient"');
      for (const cpr of [...DEMO_CPRS, '0101701234', '0202701234']) expect(details, cpr).not.toContain(cpr);
      for (const secret of [...secrets, ...idp.issued, ...practice.idp.issued])
        expect(out, 'a token, code or state in the log').not.toContain(secret);
      expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    } finally {
      await idp.stop();
      await practice.stop();
      sandbox.dispose();
    }
  });
});
