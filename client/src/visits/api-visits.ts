import { VisitsResponse } from '../../../shared/api.ts';
import { call } from '../api.ts';

/** Today's home visits; `date` is the tablet's own calendar day (YYYY-MM-DD). */
export function getTodaysVisits(token: string, date: string, signal?: AbortSignal): Promise<VisitsResponse> {
  return call(`/visits/today?date=${encodeURIComponent(date)}`, VisitsResponse, { token, signal });
}
