import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import { COLLAB_PATH, collabProtocols, isRefusal } from '../../../shared/protocol.ts';
import { markSynced, onPendingChange, pendingCount, planDbName, plansWithPending } from '../offline/device.ts';
import { PendingChanges } from './pendingChanges.ts';

/** Plans open in this tab (usePlanConnection): their own connection sends their changes. */
export const openPlans = new Set<string>();

/** How long one plan may take to send its changes and have them confirmed. */
const PLAN_TIMEOUT_MS = 20_000;

function wsBase(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}`;
}

/**
 * Sends one plan's waiting changes from its database on the device without opening the plan:
 * a short live connection that syncs and asks the server to confirm (PendingChanges), then
 * closes. Resolves with how many changes still wait (0 when all were confirmed).
 */
async function sendPlan(planId: string, token: string, userId: string): Promise<number> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(planDbName(userId, planId), doc);
  const provider = new WebsocketProvider(wsBase() + COLLAB_PATH, planId, doc, {
    protocols: collabProtocols(token),
    disableBc: true,
    connect: false,
  });
  let pending: PendingChanges | null = null;
  try {
    await persistence.whenSynced;
    return await new Promise<number>((resolve) => {
      const timer = setTimeout(() => resolve(pending?.value ?? pendingCount(planId)), PLAN_TIMEOUT_MS);
      const done = (left: number) => {
        clearTimeout(timer);
        resolve(left);
      };
      pending = new PendingChanges(planId, doc, provider, [provider, persistence], (left) => {
        if (left === 0) {
          markSynced(planId);
          done(0);
        }
      });
      if (pending.value === 0) done(0);
      provider.on('connection-close', (event: CloseEvent | null) => {
        // Refused (signed out, access taken away): the changes stay on the device.
        if (event && isRefusal(event.code)) done(pending?.value ?? pendingCount(planId));
      });
      provider.connect();
    });
  } finally {
    (pending as PendingChanges | null)?.destroy();
    provider.destroy();
    await persistence.destroy();
    doc.destroy();
  }
}

let running: Promise<number> | null = null;

/**
 * Sends every change waiting on this device for plans not open in this tab (issue 16): called
 * when the app opens, on every reconnect, when the service worker's Background Sync wakes the
 * app, and before signing out. One plan at a time; one run at a time (a second call joins the
 * running one). Resolves with the count of changes still waiting over all plans.
 */
export async function sendWaiting(
  token: string,
  userId: string,
  opts: {
    /** Also wait (bounded) for the plans open in this tab to have their changes confirmed: signing out. */
    includeOpen?: boolean;
  } = {},
): Promise<number> {
  if (!running) {
    running = (async () => {
      try {
        if (!navigator.onLine) return countWaiting();
        for (const planId of plansWithPending()) {
          if (openPlans.has(planId)) continue;
          try {
            await sendPlan(planId, token, userId);
          } catch {
            // the database could not be read: the changes stay, the next run tries again
          }
        }
        return countWaiting();
      } finally {
        running = null;
      }
    })();
  }
  const left = await running;
  if (!opts.includeOpen || left === 0) return left;
  await openPlansConfirmed(PLAN_TIMEOUT_MS);
  return countWaiting();
}

/** Resolves once no plan open in this tab has changes waiting, or after `timeoutMs`. */
function openPlansConfirmed(timeoutMs: number): Promise<void> {
  const waiting = () => [...openPlans].some((planId) => pendingCount(planId) > 0);
  if (!waiting()) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      stop();
      resolve();
    };
    const timer = setTimeout(finish, timeoutMs);
    const stop = onPendingChange(() => {
      if (!waiting()) finish();
    });
  });
}

function countWaiting(): number {
  return plansWithPending().reduce((sum, planId) => sum + pendingCount(planId), 0);
}
