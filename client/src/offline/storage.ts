/**
 * The device's storage for patient data (issue 16): asked to be persistent, so the browser does
 * not evict the day's plans under pressure, and estimated, so a full device is told plainly
 * instead of failing silently.
 */
export interface StorageState {
  /** True when the browser granted persistent storage; null when it cannot say. */
  persisted: boolean | null;
  /** Bytes used and available to this app, when the browser estimates them. */
  usage: number | null;
  quota: number | null;
}

/** Asks once for persistent storage (browsers remember the answer) and estimates what is used. */
export async function requestPersistentStorage(): Promise<StorageState> {
  const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  let persisted: boolean | null = null;
  try {
    if (storage?.persisted) persisted = await storage.persisted();
    if (persisted === false && storage?.persist) persisted = await storage.persist();
  } catch {
    persisted = null;
  }
  const { usage, quota } = await estimateStorage();
  return { persisted, usage, quota };
}

export async function estimateStorage(): Promise<{ usage: number | null; quota: number | null }> {
  try {
    const estimate = await navigator.storage?.estimate?.();
    return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null };
  } catch {
    return { usage: null, quota: null };
  }
}

/** Is there room for `bytes` more (with a margin: a plan's database takes more than its bytes)? */
export async function hasRoomFor(bytes: number): Promise<boolean> {
  const { usage, quota } = await estimateStorage();
  if (usage === null || quota === null) return true; // the write itself will tell
  return quota - usage > bytes * 3;
}

/** The browser's "no room left" error, however it names it. */
export function isStorageFull(err: unknown): boolean {
  if (!(err instanceof DOMException) && !(err instanceof Error)) return false;
  return err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err.name === 'StorageFull';
}
