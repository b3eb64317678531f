import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { DEMO_PATIENTS } from '../../server/seed/demo-patients.ts';
import { connectCollab } from '../fixtures/collab-client.ts';
import { observation, } from '../fixtures/results.ts';
import { firstPlanOf, loginAt, spawnHub, type HubProcess } from '../fixtures/server-process.ts';
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
      fetch(`${hub!.url}/api/v1${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) } });
    const token = await loginAt(hub.url, 'hanne');
    await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: 'hanne', password: 'wrong-password-123' }) });
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
    const key = /chk_\S+/.exec(spawnSync(process.execPath, [bin, 'api-key', 'create', '--system', 'lab'], { env: { ...process.env, DATABASE_URL: `sqlite:${dbFile}` }, encoding: 'utf8' }).stdout)![0];
    for (const body of [observation({ id: 'r1', cpr: DEMO_CPRS[0]! }), observation({ id: 'r2', cpr: '0101011234' }), observation({ id: 'r3', cpr: '3102451237' })]) {
      await fetch(`${hub.url}/api/v1/results`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
    }
    // A CPR number in a GET query is refused (400), and neither the answer nor the log repeats it.
    for (const query of ['120345', '120345-1237']) {
      const refused = await fetch(`${hub.url}/api/v1/patients?query=${query}`, { headers: { authorization: `Bearer ${token}` } });
      expect(refused.status).toBe(400);
      expect(await refused.text()).not.toContain(query);
    }

    hub.child.kill('SIGTERM');
    await hub.exited;
    const out = hub.output();
    expect(out).toContain('"msg":"request"');
    for (const cpr of [...DEMO_CPRS, NEW_CPR, '120345-1237', '0101011234', '3102451237']) expect(out, cpr).not.toContain(cpr);
    expect(out).not.toContain('120345');
    expect(out).not.toContain(token);
    expect(out).not.toContain(key);
    expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(out).not.toContain('wrong-password-123');
  });
});
