import { z } from 'zod';
import { PlanView, VisitsResponse } from '../../../shared/api.ts';

/**
 * What a tablet keeps about patients so that it works without a network (issue 6), and how it
 * is all removed again. Kept on the device, per signed-in person:
 * - each opened plan's Y.Doc in its own IndexedDB database (`carehub-plan:<userId>:<planId>`,
 *   written by y-indexeddb), which also holds edits not yet sent;
 * - the plans' headers (patient name, title) and the last visit list, in localStorage;
 * - per plan, how many local changes the server has not yet confirmed.
 * The service worker's cache holds the app shell only, never patient data. Signing out
 * (`wipeDevice`) removes all of the above; an expired session removes none of it, so that no
 * unsent edit is lost before the person signs in again.
 */
const PREFIX = 'carehub.device.';
const OWNER_KEY = `${PREFIX}owner`;
const PLANS_KEY = `${PREFIX}plans`;
const VISITS_KEY = `${PREFIX}visits`;
const PENDING_PREFIX = `${PREFIX}pending.`;
const PLAN_DB_PREFIX = 'carehub-plan:';

export function planDbName(userId: string, planId: string): string {
  return `${PLAN_DB_PREFIX}${userId}:${planId}`;
}

function read<T>(key: string, schema: z.ZodType<T>): T | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or unavailable: the app still works online
  }
}

const KeptPlans = z.record(z.string(), PlanView);

/** The person whose data this device holds. */
export function deviceOwner(): string | null {
  return read(OWNER_KEY, z.string());
}

export function setDeviceOwner(userId: string): void {
  write(OWNER_KEY, userId);
}

export function keepPlanHeader(plan: PlanView): void {
  const plans = read(PLANS_KEY, KeptPlans) ?? {};
  // The CPR number is not kept on the device: offline, the summary header goes without it.
  const { patientCpr: _cpr, ...kept } = plan;
  plans[plan.id] = kept;
  write(PLANS_KEY, plans);
}

export function keptPlanHeader(planId: string): PlanView | null {
  return read(PLANS_KEY, KeptPlans)?.[planId] ?? null;
}

export function keepVisits(visits: VisitsResponse): void {
  write(VISITS_KEY, visits);
}

export function keptVisits(): VisitsResponse | null {
  return read(VISITS_KEY, VisitsResponse);
}

export function pendingCount(planId: string): number {
  return read(`${PENDING_PREFIX}${planId}`, z.number().int().min(0)) ?? 0;
}

export function setPendingCount(planId: string, count: number): void {
  if (count <= 0) {
    try {
      localStorage.removeItem(`${PENDING_PREFIX}${planId}`);
    } catch {
      // nothing stored
    }
  } else write(`${PENDING_PREFIX}${planId}`, count);
}

/** Local changes on this device the server has not confirmed yet, over all plans. */
export function totalPending(): number {
  let total = 0;
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(PENDING_PREFIX)) total += Number(localStorage.getItem(key)) || 0;
    }
  } catch {
    return 0;
  }
  return total;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    // Another tab still has it open: it is deleted once that tab lets go.
    request.onblocked = () => resolve();
  });
}

/**
 * Removes every piece of patient data this app keeps on the device: the plans' IndexedDB
 * databases, the kept headers and visit list, pending counts, and any cache other than the
 * app shell. The language choice stays (it is not about anyone's health).
 */
export async function wipeDevice(openPlanDbs: readonly string[] = []): Promise<void> {
  const names = new Set(openPlanDbs);
  // Browsers without indexedDB.databases(): the plans this device kept, by name.
  const owner = deviceOwner();
  if (owner) for (const planId of Object.keys(read(PLANS_KEY, KeptPlans) ?? {})) names.add(planDbName(owner, planId));
  const keys: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(PREFIX)) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    // storage unavailable: nothing was kept there
  }
  try {
    const dbs = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
    for (const db of dbs) if (db.name?.startsWith(PLAN_DB_PREFIX)) names.add(db.name);
  } catch {
    // no IndexedDB: nothing kept
  }
  await Promise.all([...names].map(deleteDatabase));
  try {
    if ('caches' in window) {
      for (const name of await caches.keys()) if (!name.startsWith('carehub-shell-')) await caches.delete(name);
    }
  } catch {
    // no caches
  }
}
