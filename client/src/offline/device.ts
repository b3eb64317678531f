import { z } from 'zod';
import { PlanPerson, PlanView, VisitsResponse } from '../../../shared/api.ts';
import { requestBackgroundSync } from './register-sw.ts';

/**
 * What a tablet keeps about patients so that it works without a network (issue 6), and how it
 * is all removed again. Kept on the device, per signed-in person:
 * - each opened or prefetched plan's Y.Doc in its own IndexedDB database
 *   (`carehub-plan:<userId>:<planId>`, written by y-indexeddb and by plan-store.ts), which also
 *   holds edits not yet sent;
 * - the plans' headers (patient name, title), their people and the last visit list, in localStorage;
 * - per plan, how many local changes the server has not yet confirmed, and when the device's
 *   copy was last synchronised with the server and last seen on the visits list (issue 16).
 * The service worker's cache holds the app shell only, never patient data. Signing out
 * (`wipeDevice`) removes all of the above; an expired session removes none of it, so that no
 * unsent edit is lost before the person signs in again.
 */
const PREFIX = 'carehub.device.';
const OWNER_KEY = `${PREFIX}owner`;
const PLANS_KEY = `${PREFIX}plans`;
const VISITS_KEY = `${PREFIX}visits`;
const PENDING_PREFIX = `${PREFIX}pending.`;
const READY_PREFIX = `${PREFIX}ready.`;
const PEOPLE_PREFIX = `${PREFIX}people.`;
/** Fired on window whenever a plan's count of waiting changes is written. */
const PENDING_EVENT = 'carehub:pending';
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

/** Pages inside a practice system keep nothing on the device (see `keepNothingOnDevice`). */
let keepsNothing = false;

/**
 * For the pages inside a GP's practice system: nothing of the plan, its people or its state is
 * written to web storage from now on (the practice's computer is not the clinician's device).
 */
export function keepNothingOnDevice(): void {
  keepsNothing = true;
}

function write(key: string, value: unknown): void {
  if (keepsNothing) return;
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
  } else {
    write(`${PENDING_PREFIX}${planId}`, count);
    // Offline: ask to be woken when the network is back (Background Sync, where there is one).
    if (!navigator.onLine) requestBackgroundSync();
  }
  window.dispatchEvent(new Event(PENDING_EVENT));
}

/** Calls `listener` whenever the count of waiting changes of any plan may have changed. */
export function onPendingChange(listener: () => void): () => void {
  window.addEventListener(PENDING_EVENT, listener);
  // Another tab of the app wrote it.
  const fromOtherTab = (e: StorageEvent) => {
    if (e.key === null || e.key.startsWith(PENDING_PREFIX)) listener();
  };
  window.addEventListener('storage', fromOtherTab);
  return () => {
    window.removeEventListener(PENDING_EVENT, listener);
    window.removeEventListener('storage', fromOtherTab);
  };
}

/** Plans with changes the server has not confirmed yet. */
export function plansWithPending(): string[] {
  const ids: string[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key?.startsWith(PENDING_PREFIX) && Number(localStorage.getItem(key)) > 0)
        ids.push(key.slice(PENDING_PREFIX.length));
    }
  } catch {
    return [];
  }
  return ids;
}

const Readiness = z.object({
  /** When the device's copy last held everything the server had (prefetch or live sync). */
  syncedAt: z.string(),
  /** When the plan was last on the visits list (null: opened by hand, never prefetched). */
  listedAt: z.string().nullable(),
});
export type Readiness = z.infer<typeof Readiness>;

/** How ready this plan is to open offline: null when the device holds no synchronised copy. */
export function readiness(planId: string): Readiness | null {
  return read(`${READY_PREFIX}${planId}`, Readiness);
}

export function markSynced(planId: string, at: string = new Date().toISOString()): void {
  const now = readiness(planId);
  write(`${READY_PREFIX}${planId}`, { syncedAt: at, listedAt: now?.listedAt ?? null });
}

export function markListed(planId: string, at: string): void {
  const now = readiness(planId);
  if (now) write(`${READY_PREFIX}${planId}`, { ...now, listedAt: at });
}

/** Plans this device keeps a copy of (opened or prefetched). */
export function keptPlanIds(): string[] {
  return Object.keys(read(PLANS_KEY, KeptPlans) ?? {});
}

export function keepPlanPeople(planId: string, people: readonly PlanPerson[]): void {
  write(`${PEOPLE_PREFIX}${planId}`, people);
}

export function keptPlanPeople(planId: string): PlanPerson[] | null {
  return read(`${PEOPLE_PREFIX}${planId}`, z.array(PlanPerson));
}

/**
 * Removes one plan from the device (it left the visits list a while ago): its database, header,
 * people and readiness. Never while changes to it wait to be sent.
 */
export async function forgetPlan(userId: string, planId: string): Promise<boolean> {
  if (pendingCount(planId) > 0) return false;
  await deleteDatabase(planDbName(userId, planId));
  const plans = read(PLANS_KEY, KeptPlans) ?? {};
  delete plans[planId];
  write(PLANS_KEY, plans);
  try {
    localStorage.removeItem(`${READY_PREFIX}${planId}`);
    localStorage.removeItem(`${PEOPLE_PREFIX}${planId}`);
  } catch {
    // nothing stored
  }
  return true;
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

/** The app shell's precache (Workbox's `<prefix>-precache-v2-<scope>`): page, scripts, icons only. */
export function isShellCache(name: string): boolean {
  return name.startsWith('carehub-shell-precache-');
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
 * databases (and every other database of this origin: the service worker's own, such as
 * Workbox's), the kept headers, people and visit list, pending counts and readiness, and every
 * cache except the app shell's precache (which holds no patient data). The language choice
 * stays (it is not about anyone's health).
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
    for (const db of dbs) if (db.name) names.add(db.name);
  } catch {
    // no IndexedDB: nothing kept
  }
  await Promise.all([...names].map(deleteDatabase));
  try {
    if ('caches' in window) {
      for (const name of await caches.keys()) if (!isShellCache(name)) await caches.delete(name);
    }
  } catch {
    // no caches
  }
}
