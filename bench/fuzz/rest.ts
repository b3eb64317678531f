import { encodePart, nastyString, randomJson, type Rng } from './prng.ts';

/**
 * Random requests to the REST API's known routes: random methods, path parameters, query
 * strings, JSON bodies (random values, and objects with the routes' own field names holding
 * random values), bodies that are not JSON, wrong content types, too large; with and without
 * tokens and API keys. The server must answer every one below 500, and every error under
 * /api/v1 with an error body ({"error":{…}} or a FHIR OperationOutcome).
 */
export interface RestContext {
  tokens: string[];
  apiKey: string | null;
  planIds: string[];
  patientIds: string[];
}

export interface RestRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface RestOutcome {
  request: RestRequest;
  status: number;
  problem?: string;
}

const ROUTES: [string, string][] = [
  ['POST', '/api/v1/auth/login'],
  ['GET', '/api/v1/me'],
  ['GET', '/api/v1/patients'],
  ['POST', '/api/v1/patients'],
  ['POST', '/api/v1/patients/search'],
  ['GET', '/api/v1/patients/:patient/plans'],
  ['POST', '/api/v1/plans'],
  ['GET', '/api/v1/plans/:plan'],
  ['GET', '/api/v1/plans/:plan/document'],
  ['GET', '/api/v1/plans/:plan/history'],
  ['GET', '/api/v1/plans/:plan/fhir'],
  ['GET', '/api/v1/plans/:plan/people'],
  ['GET', '/api/v1/plans/:plan/access'],
  ['GET', '/api/v1/plans/:plan/care-team'],
  ['POST', '/api/v1/plans/:plan/care-team'],
  ['DELETE', '/api/v1/plans/:plan/care-team/:any'],
  ['POST', '/api/v1/plans/:plan/self-reports'],
  ['POST', '/api/v1/plans/:plan/break-glass'],
  ['POST', '/api/v1/plans/:plan/embed-links'],
  ['DELETE', '/api/v1/embed-links/:any'],
  ['POST', '/api/v1/embed/session'],
  ['POST', '/api/v1/results'],
  ['POST', '/api/v1/encounters'],
  ['POST', '/api/v1/results/:any/acknowledge'],
  ['POST', '/api/v1/results/:any/release'],
  ['GET', '/api/v1/notifications'],
  ['POST', '/api/v1/notifications/seen'],
  ['GET', '/api/v1/audit'],
  ['GET', '/api/v1/me/access-log'],
  ['GET', '/api/v1/me/objections'],
  ['POST', '/api/v1/me/objections'],
  ['DELETE', '/api/v1/me/objections/:any'],
  ['GET', '/api/v1/admin/users'],
  ['POST', '/api/v1/admin/users'],
  ['GET', '/api/v1/admin/organisations'],
  ['POST', '/api/v1/admin/organisations'],
  ['GET', '/api/v1/nowhere'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
];

/** Field names the routes read, so random values reach the validators behind them. */
const FIELDS = [
  'username',
  'password',
  'cpr',
  'name',
  'query',
  'patientId',
  'title',
  'status',
  'organisationId',
  'userId',
  'role',
  'reason',
  'access',
  'expiresInMinutes',
  'link',
  'ids',
  'kind',
  'value',
  'unit',
  'taken',
  'comment',
  'sector',
  'region',
  'resourceType',
  'identifier',
  'subject',
  'code',
  'valueQuantity',
  'entry',
  'contained',
  'event',
  'time',
  'hospital',
  'department',
];

function pathParam(rng: Rng, ctx: RestContext, which: string): string {
  return rng.weighted<() => string>([
    [4, () => (which === ':patient' ? rng.pick(ctx.patientIds) : rng.pick(ctx.planIds))],
    [2, () => rng.uuid()],
    [2, () => encodePart(nastyString(rng).slice(0, 300)) || 'x'],
    [1, () => rng.pick(['%E0%A4%A', '%ZZ', '..%2F..%2Fetc', '%00', '%2e%2e', 'a%2Fb'])],
    [1, () => String(rng.int(1e9))],
  ])();
}

function body(rng: Rng, ctx: RestContext): { body?: string | Uint8Array; type?: string } {
  return rng.weighted<() => { body?: string | Uint8Array; type?: string }>([
    [3, () => ({ body: JSON.stringify(randomJson(rng)), type: 'application/json' })],
    [
      6,
      () => {
        const o: Record<string, unknown> = {};
        for (let i = rng.range(1, 5); i > 0; i--) {
          const f = rng.pick(FIELDS);
          o[f] = rng.weighted<() => unknown>([
            [3, () => randomJson(rng, 2)],
            [2, () => nastyString(rng)],
            [1, () => rng.pick(ctx.planIds)],
            [1, () => rng.pick(ctx.patientIds)],
            [1, () => rng.pick(['edit', 'read', 'hospital', 'citizen', 'admin', 'Observation', 'Bundle', 'admission'])],
          ])();
        }
        return { body: JSON.stringify(o), type: rng.pick(['application/json', 'application/fhir+json']) };
      },
    ],
    [
      1,
      () => ({
        body: rng.pick(['{', '{"a":', 'nul', '[1,2', '"\\ud800"', '{"a":1}{"b":2}', '\u0000']),
        type: 'application/json',
      }),
    ],
    [1, () => ({ body: `{"a":${'['.repeat(rng.range(1000, 20_000))}`, type: 'application/json' })],
    [
      1,
      () => ({ body: JSON.stringify({ pad: 'x'.repeat(rng.pick([300_000, 2_000_000])) }), type: 'application/json' }),
    ],
    [
      1,
      () => ({
        body: rng.bytes(rng.range(1, 256)),
        type: rng.pick(['application/octet-stream', 'application/json', 'text/plain']),
      }),
    ],
    [1, () => ({ body: 'a=1&b=2', type: 'application/x-www-form-urlencoded' })],
    [1, () => ({})],
  ])();
}

export function restRequest(rng: Rng, ctx: RestContext): RestRequest {
  const [routeMethod, template] = rng.pick(ROUTES);
  const method = rng.chance(0.8) ? routeMethod : rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
  let path = template.replace(/:(patient|plan|any)/g, (m) => pathParam(rng, ctx, m));
  if (rng.chance(0.25)) {
    const q = rng.pick(['query', 'at', 'limit', 'patientId', 'from', 'to', 'token', '__proto__']);
    path += `?${q}=${rng.chance(0.8) ? encodePart(String(randomJson(rng, 0))) : rng.pick(['%E0%A4%A', '%', '&&&', ''])}${rng.chance(0.2) ? `&${q}=${rng.int(10)}` : ''}`;
  }
  const headers: Record<string, string> = {};
  const auth = rng.weighted<() => string | null>([
    [5, () => (ctx.tokens.length > 0 ? `Bearer ${rng.pick(ctx.tokens)}` : null)],
    [2, () => (ctx.apiKey ? `Bearer ${ctx.apiKey}` : null)],
    [2, () => null],
    [1, () => `Bearer ${nastyString(rng).replace(/[^\x20-\x7e]/g, '') || 'x'}`],
    [
      1,
      () =>
        rng.pick(['Bearer', 'Basic YWRtaW46ZGVtbw==', 'bearer  ', `Bearer chk_${'0'.repeat(16)}_${'A'.repeat(43)}`]),
    ],
  ])();
  if (auth) headers.authorization = auth;
  const b = method === 'GET' || method === 'HEAD' ? (rng.chance(0.1) ? body(rng, ctx) : {}) : body(rng, ctx);
  if (b.type) headers['content-type'] = b.type;
  return { method, path, headers, body: method === 'GET' || method === 'HEAD' ? undefined : b.body };
}

/** Sends one request; judges the answer. Never rejects (a network error is a problem). */
export async function sendRest(baseUrl: string, req: RestRequest, timeoutMs = 10_000): Promise<RestOutcome> {
  try {
    const res = await fetch(`${baseUrl}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: typeof req.body === 'string' || req.body === undefined ? req.body : Buffer.from(req.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = req.method === 'HEAD' ? '' : await res.text();
    let problem: string | undefined;
    if (res.status >= 500) problem = `answered ${res.status}: ${text.slice(0, 300)}`;
    // 431 (headers or URL over Node's 16 KB limit) comes from Node's HTTP parser, before the app.
    else if (res.status >= 400 && res.status !== 431 && req.path.startsWith('/api/v1') && req.method !== 'HEAD') {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        // judged below
      }
      const p = parsed as { error?: { code?: unknown; message?: unknown }; resourceType?: unknown } | null;
      const ok =
        (typeof p?.error?.code === 'string' && typeof p.error.message === 'string') ||
        p?.resourceType === 'OperationOutcome';
      if (!ok) problem = `answered ${res.status} without an error body: ${text.slice(0, 200)}`;
    }
    return { request: req, status: res.status, problem };
  } catch (err) {
    return { request: req, status: 0, problem: `no answer: ${(err as Error).message}` };
  }
}

export function describeRequest(r: RestRequest): string {
  const b =
    r.body === undefined
      ? ''
      : typeof r.body === 'string'
        ? ` body ${r.body.slice(0, 160)}${r.body.length > 160 ? '…' : ''}`
        : ` body <${r.body.length} bytes>`;
  return `${r.method} ${r.path.slice(0, 200)} [${r.headers.authorization ? 'auth' : 'no auth'}; ${r.headers['content-type'] ?? 'no type'}]${b}`;
}
