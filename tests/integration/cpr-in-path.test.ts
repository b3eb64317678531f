import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type CareHubServer } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { redactPath } from '../../server/observability/redact-path.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { LoginResponse } from '../../shared/api.ts';
import { TEST_SECRET, tempDir } from '../fixtures/server.ts';

/** Ten digits, with up to three separators between them: what must never be logged or echoed. */
const TEN_DIGITS = /\d(?:\D{0,3}\d){9}/;

/**
 * Fix-b, finding 8: a CPR number put into a URL path was logged with the request, and the 404
 * body echoed the path back. Paths are logged with CPR-like runs redacted, and no error body
 * quotes the path.
 */
describe('a CPR number in a URL path', () => {
  const dir = tempDir();
  const lines: string[] = [];
  let server: CareHubServer;
  let token: string;

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
      log: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }),
    });
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'hanne', password: 'demo' }),
    });
    token = ((await login.json()) as LoginResponse).token;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is neither logged nor echoed in the error body', async () => {
    const paths = [
      '/api/v1/patients/0704521228',
      '/api/v1/patients/070452-1228/plans',
      '/api/v1/patients/070452%201228',
      '/api/v1/plans/0704521228/history',
      '/api/v1/plans/0704521228%E0%A4%A/history',
      '/api/v1/no-such-thing/0704521228',
      '/fhir/R4/Patient/0704521228',
      '/api/v1/fhir/Patient/0704521228',
      '/0704521228',
    ];
    for (const path of paths) {
      const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = await res.text();
      expect(res.status, path).toBeGreaterThanOrEqual(200);
      expect(body, `${path} answered with the digits`).not.toMatch(TEN_DIGITS);
    }
    const requests = lines.filter((l) => l.includes('"msg":"request"'));
    expect(requests.length).toBeGreaterThanOrEqual(paths.length);
    for (const line of lines) expect(line).not.toMatch(/0704521228|070452.{1,3}1228/);
    // Ids are kept: the log still says which plan was asked for.
    expect(redactPath('/api/v1/plans/00000000-0000-4000-8000-000000000000/history')).toBe(
      '/api/v1/plans/00000000-0000-4000-8000-000000000000/history',
    );
    expect(redactPath('/api/v1/patients/0704521228x')).toBe('/api/v1/patients/[redacted]x');
  });
});
