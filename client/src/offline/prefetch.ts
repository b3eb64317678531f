import { ApiError, getOfflineCopy, keptPlansReachable } from '../api.ts';
import {
  forgetPlan,
  keepPlanHeader,
  keepPlanPeople,
  keptPlanIds,
  markListed,
  markSynced,
  planDbName,
  readiness,
} from './device.ts';
import { heldStateVector, storePlanCopy } from './plan-store.ts';
import { hasRoomFor, isStorageFull } from './storage.ts';

/**
 * The day on the tablet before the car leaves (issue 16): every plan on the visits list (today
 * and tomorrow) is fetched in the background while online and kept on the device (its document,
 * results included, its header and people), so each opens offline even if it was never opened
 * here. Plans that left the list are removed after LEFT_LIST_GRACE_MS.
 */
export type ReadyState = 'fetching' | 'ready' | 'failed' | 'full';

/** A plan that has not been on the visits list for this long is removed from the device. */
export const LEFT_LIST_GRACE_MS = 48 * 3_600_000;
/** Plans fetched at once. */
const CONCURRENCY = 3;

export interface PrefetchOptions {
  token: string;
  userId: string;
  planIds: readonly string[];
  onState: (planId: string, state: ReadyState) => void;
  signal?: AbortSignal;
}

/** Keeps one plan on the device; the copy's time becomes its "last synchronised". */
async function keepOne(token: string, userId: string, planId: string, signal?: AbortSignal): Promise<void> {
  const dbName = planDbName(userId, planId);
  // What the device holds already is not fetched again: only what it lacks.
  const have = readiness(planId) ? await heldStateVector(dbName).catch(() => null) : null;
  const copy = await getOfflineCopy(token, planId, { signal, have });
  if (!(await hasRoomFor(copy.update.byteLength))) throw new DOMException('the device is full', 'QuotaExceededError');
  await storePlanCopy(dbName, copy.update);
  keepPlanHeader(copy.header.plan);
  keepPlanPeople(planId, copy.header.people);
  markSynced(planId, copy.header.at);
}

/**
 * Fetches and keeps every plan of the list, CONCURRENCY at a time. Stops at a full device
 * (every plan not yet kept is then `full`) or when aborted; resolves `full` or `done`.
 */
export async function prefetchDay(opts: PrefetchOptions): Promise<'done' | 'full'> {
  const queue = [...new Set(opts.planIds)];
  const listedAt = new Date().toISOString();
  let full = false;
  for (const planId of queue) {
    markListed(planId, listedAt);
    opts.onState(planId, 'fetching');
  }
  const worker = async () => {
    for (let planId = queue.shift(); planId !== undefined; planId = queue.shift()) {
      if (opts.signal?.aborted) return;
      if (full) {
        opts.onState(planId, 'full');
        continue;
      }
      try {
        await keepOne(opts.token, opts.userId, planId, opts.signal);
        markListed(planId, listedAt); // a plan kept for the first time
        opts.onState(planId, 'ready');
      } catch (err) {
        if (opts.signal?.aborted) return;
        if (isStorageFull(err)) {
          full = true;
          opts.onState(planId, 'full');
        } else {
          // Kept from an earlier fetch, it still opens offline (with that time shown).
          opts.onState(planId, readiness(planId) ? 'ready' : 'failed');
          if (err instanceof ApiError && err.status === 401) return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return full ? 'full' : 'done';
}

/** Kept plans asked about in one call (the server's bound). */
const MAX_ASKED = 500;

/**
 * Removes plans kept on the device that this person may no longer open (the server says so:
 * removed from the care team, an objection), at once; and plans that were on the visits list
 * but have not been for LEFT_LIST_GRACE_MS. A plan with changes waiting to be sent stays. When
 * the server cannot be asked (offline), only the grace applies. Plans opened by hand, never
 * listed and still reachable, stay until sign-out.
 */
export async function forgetPlansThatLeft(
  userId: string,
  listed: readonly string[],
  opts: { token?: string; now?: number; signal?: AbortSignal } = {},
): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const onList = new Set(listed);
  const off = keptPlanIds().filter((planId) => !onList.has(planId));
  const asked = off.slice(0, MAX_ASKED);
  let reachable: Set<string> | null = null;
  if (opts.token && asked.length > 0) {
    try {
      reachable = new Set(await keptPlansReachable(opts.token, asked, opts.signal));
    } catch {
      reachable = null;
    }
  }
  const forgotten: string[] = [];
  for (const planId of off) {
    const lost = reachable !== null && asked.includes(planId) && !reachable.has(planId);
    if (!lost) {
      const lastListed = readiness(planId)?.listedAt;
      if (!lastListed || now - Date.parse(lastListed) < LEFT_LIST_GRACE_MS) continue;
    }
    if (await forgetPlan(userId, planId)) forgotten.push(planId);
  }
  return forgotten;
}
