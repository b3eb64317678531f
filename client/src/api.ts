import { z } from 'zod';
import { API_PREFIX, LoginResponse, PatientView, PlanView, type LoginRequest } from '../../shared/api.ts';
import { ErrorBody } from '../../shared/errors.ts';
import type { Translate } from './i18n/index.tsx';

/** A failed REST call: the server's `{"error":{code,message}}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly serverMessage: string | null,
    readonly kind: 'http' | 'network' | 'shape' = 'http',
  ) {
    super(serverMessage ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** Called when an authenticated call answers 401: the session is gone or expired. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  token?: string | null;
  body?: unknown;
  signal?: AbortSignal;
}

async function call<T>(path: string, schema: z.ZodType<T>, opts: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}`, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      credentials: 'omit',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, null, null, 'network');
  }
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    if (response.status === 401 && opts.token) onUnauthorized();
    const parsed = ErrorBody.safeParse(payload);
    throw parsed.success
      ? new ApiError(response.status, parsed.data.error.code, parsed.data.error.message)
      : new ApiError(response.status, null, null);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new ApiError(response.status, null, null, 'shape');
  return parsed.data;
}

export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return call('/auth/login', LoginResponse, { method: 'POST', body: credentials });
}

export function listPatients(token: string, query: string, signal?: AbortSignal): Promise<PatientView[]> {
  const search = query ? `?query=${encodeURIComponent(query)}` : '';
  return call(`/patients${search}`, z.array(PatientView), { token, signal });
}

export function getPlan(token: string, planId: string, signal?: AbortSignal): Promise<PlanView> {
  return call(`/plans/${encodeURIComponent(planId)}`, PlanView, { token, signal });
}

/** A message for the person: the server's own words when it gave some. */
export function describeError(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (err.serverMessage) return err.serverMessage;
    if (err.kind === 'network') return t('errors.network');
    if (err.kind === 'shape') return t('errors.invalidResponse');
    return t('errors.unexpected', { status: err.status });
  }
  return t('errors.network');
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
