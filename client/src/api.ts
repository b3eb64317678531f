import { z } from 'zod';
import {
  API_PREFIX,
  HistoryEntry,
  LoginResponse,
  PatientView,
  PlanPerson,
  PlanView,
  type LoginRequest,
} from '../../shared/api.ts';
import { PlanDocumentJson, SelfReportEntry } from '../../shared/plan.ts';
import { ErrorBody } from '../../shared/errors.ts';
import type { ErrorParams } from '../../shared/error-reasons.ts';
import { wordError } from './i18n/error-words.ts';
import { decodeOfflineCopy, OFFLINE_COPY_TYPE, type OfflineCopy } from '../../shared/offline-copy.ts';
import type { Translate } from './i18n/index.tsx';

/** A failed REST call: the server's `{"error":{code,message}}` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly serverMessage: string | null,
    readonly kind: 'http' | 'network' | 'shape' = 'http',
    /** The error body's `details`, when it had some. */
    readonly details: unknown = undefined,
    /** Why, as a code the client words (shared/error-reasons.ts), and its parameters. */
    readonly reason: string | null = null,
    readonly params: ErrorParams | undefined = undefined,
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

export interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  token?: string | null;
  body?: unknown;
  signal?: AbortSignal;
  /** Sees the response of a successful call (its headers: a paged list's next page). */
  onResponse?: (response: Response) => void;
}

async function send(path: string, accept: string, opts: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    return await fetch(`${API_PREFIX}${path}`, {
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
}

function failed(response: Response, payload: unknown, opts: CallOptions): ApiError {
  if (response.status === 401 && opts.token) onUnauthorized();
  const parsed = ErrorBody.safeParse(payload);
  return parsed.success
    ? new ApiError(
        response.status,
        parsed.data.error.code,
        parsed.data.error.message,
        'http',
        parsed.data.error.details,
        parsed.data.error.reason ?? null,
        parsed.data.error.params,
      )
    : new ApiError(response.status, null, null);
}

/** One JSON call under /api/v1; the body is checked against `schema`. */
export async function call<T>(path: string, schema: z.ZodType<T>, opts: CallOptions = {}): Promise<T> {
  const response = await send(path, 'application/json', opts);
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw failed(response, payload, opts);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new ApiError(response.status, null, null, 'shape');
  opts.onResponse?.(response);
  return parsed.data;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The copy of a plan a tablet keeps to open it offline (issue 16, shared/offline-copy.ts); a
 * network failure mid-body is a network error, a body that is no copy a shape error.
 */
export async function getOfflineCopy(
  token: string,
  planId: string,
  opts: {
    signal?: AbortSignal /** The state vector of the copy the device holds: only what it lacks comes. */;
    have?: Uint8Array | null;
  } = {},
): Promise<OfflineCopy> {
  const callOpts: CallOptions = { token, signal: opts.signal };
  const have = opts.have ? `?have=${base64url(opts.have)}` : '';
  const response = await send(`/plans/${encodeURIComponent(planId)}/offline-copy${have}`, OFFLINE_COPY_TYPE, callOpts);
  if (!response.ok) throw failed(response, await response.json().catch(() => undefined), callOpts);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, null, null, 'network');
  }
  try {
    return decodeOfflineCopy(bytes);
  } catch {
    throw new ApiError(response.status, null, null, 'shape');
  }
}

export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return call('/auth/login', LoginResponse, { method: 'POST', body: credentials });
}

/**
 * Ends the session on the server (its token is refused from then on, on every device that
 * holds a copy). Best effort: offline, or already ended, the session still ends here, and the
 * server's copy ends at its expiry.
 */
export async function logout(token: string): Promise<void> {
  try {
    // Its answer is not read: a 401 here (ended already) must not show "session expired".
    await send('/auth/logout', 'application/json', { method: 'POST', token });
  } catch {
    // Offline: nothing to tell the server now.
  }
}

/** Which of the plans this device keeps the person may still open (POST /me/kept-plans). */
export async function keptPlansReachable(token: string, planIds: string[], signal?: AbortSignal): Promise<string[]> {
  return (
    await call('/me/kept-plans', z.object({ reachable: z.array(z.string()) }), {
      method: 'POST',
      token,
      body: { planIds },
      signal,
    })
  ).reachable;
}

/** The caller's patients. Without a search term only: a term goes in a POST body (see below). */
export function listPatients(token: string, signal?: AbortSignal): Promise<PatientView[]> {
  return call('/patients', z.array(PatientView), { token, signal });
}

/** Searches by name or CPR number. The term travels in the body so a CPR never lands in a URL. */
export function searchPatients(token: string, query: string, signal?: AbortSignal): Promise<PatientView[]> {
  return call('/patients/search', z.array(PatientView), { method: 'POST', token, body: { query }, signal });
}

export function getPlan(token: string, planId: string, signal?: AbortSignal): Promise<PlanView> {
  return call(`/plans/${encodeURIComponent(planId)}`, PlanView, { token, signal });
}

const planPath = (planId: string, rest = '') => `/plans/${encodeURIComponent(planId)}${rest}`;

/** Everyone who may appear in the plan, to put names to user ids. */
export function getPlanPeople(token: string, planId: string, signal?: AbortSignal): Promise<PlanPerson[]> {
  return call(planPath(planId, '/people'), z.array(PlanPerson), { token, signal });
}

/** Every stored change of the plan: when, by whom, which sections. */
export function getPlanHistory(token: string, planId: string, signal?: AbortSignal): Promise<HistoryEntry[]> {
  return call(planPath(planId, '/history'), z.array(HistoryEntry), { token, signal });
}

/** The plan's sections as JSON, now or (with `at`, an ISO time) as they were then. */
export function getPlanDocument(
  token: string,
  planId: string,
  at: string | null,
  signal?: AbortSignal,
): Promise<PlanDocumentJson> {
  const query = at ? `?at=${encodeURIComponent(at)}` : '';
  return call(planPath(planId, `/document${query}`), PlanDocumentJson, { token, signal });
}

/** The citizen adds a measurement to their plan (citizens have no live copy to write into). */
export function addSelfReport(
  token: string,
  planId: string,
  report: { kind: string; value: string | number; unit?: string; taken?: string; comment?: string },
): Promise<SelfReportEntry> {
  return call(planPath(planId, '/self-reports'), SelfReportEntry, { method: 'POST', token, body: report });
}

/**
 * A message for the person, in their language: the server's refusal worded from its reason or
 * code (i18n/error-words.ts), never the server's English message.
 */
export function describeError(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    if (err.kind === 'network') return t('errors.network');
    if (err.kind === 'shape') return t('errors.invalidResponse');
    return wordError(err, t);
  }
  return t('errors.network');
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
