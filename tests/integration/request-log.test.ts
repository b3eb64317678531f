import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type CareHubServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { LoginResponse } from '../../shared/api.ts';
import { TEST_SECRET, tempDir } from '../fixtures/server.ts';

/**
 * The request log names each request by its whole path, however deep the router that answers
 * it is mounted (each router sits under its own path), and never with its query string.
 */
describe('the request log', () => {
  const dir = tempDir();
  const lines: { msg?: string; method?: string; path?: string; status?: number }[] = [];
  let server: CareHubServer;

  beforeAll(async () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'carehub.db')}`,
      CAREHUB_SECRET: TEST_SECRET,
    });
    const store = await openStore(config);
    await seedDemoData(store);
    await store.close();
    server = await createServer(config, {
      log: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the whole path of nested routes, without the query', async () => {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hanne', password: 'demo' }),
    });
    const { token } = (await login.json()) as LoginResponse;
    const auth = { authorization: `Bearer ${token}` };
    const plan = '00000000-0000-4000-8000-000000000000';
    for (const path of [
      '/api/v1/patients?query=Carl',
      `/api/v1/plans/${plan}/fhir`,
      `/api/v1/plans/${plan}/history`,
      '/api/v1/me/objections',
      '/healthz',
    ]) {
      await (await fetch(`${server.url}${path}`, { headers: auth })).arrayBuffer();
    }
    const logged = lines.filter((l) => l.msg === 'request').map((l) => `${l.method} ${l.path} ${l.status}`);
    expect(logged).toEqual([
      'POST /api/v1/auth/login 200',
      'GET /api/v1/patients 200',
      `GET /api/v1/plans/${plan}/fhir 404`,
      `GET /api/v1/plans/${plan}/history 404`,
      'GET /api/v1/me/objections 403',
      'GET /healthz 200',
    ]);
  });
});
