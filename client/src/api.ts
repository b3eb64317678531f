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

/** One JSON call under /api/v1; the body is checked against `schema`. */
export async function call<T>(path: string, schema: z.ZodType<T>, opts: CallOptions = {}): Promise<T> {
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
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new ApiError(response.status, null, null, 'shape');
  opts.onResponse?.(response);
  return parsed.data;
}

export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return call('/auth/login', LoginResponse, { method: 'POST', body: credentials });
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
