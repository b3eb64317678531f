import { z } from 'zod';
import { Overview } from '../../../shared/overview.ts';
import { call } from '../api.ts';

/** What needs the signed-in staff member across their patients (GET /api/v1/overview). */
export function getOverview(token: string, signal?: AbortSignal): Promise<Overview> {
  return call('/overview', Overview, { token, signal });
}

/** Records on the server that the person looked at the plan: on every device, what is new counts from here. */
export function markPlanSeen(token: string, planId: string): Promise<unknown> {
  return call('/overview/seen', z.unknown(), { method: 'POST', token, body: { planId } });
}
