import * as Y from 'yjs';

/**
 * Writes a plan's document into the device's database for it, in the layout y-indexeddb reads
 * (an `updates` store of Yjs updates with auto-increment keys, and a `custom` store), so the
 * plan opens offline exactly as if it had been opened here before (issue 16).
 *
 * What the database already holds (edits made offline and not yet sent among it) is merged with
 * the server's copy and written back as one update, in one transaction: nothing held is lost,
 * and fetching the day again does not grow the database. Resolves once the transaction is
 * committed; rejects with the browser's error (a full device: `QuotaExceededError`).
 */
export async function storePlanCopy(dbName: string, update: Uint8Array): Promise<void> {
  const db = await openPlanDb(dbName);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(['updates'], 'readwrite');
      const store = tx.objectStore('updates');
      const held = store.getAll();
      held.onsuccess = () => {
        const existing = held.result as Uint8Array[];
        store.clear();
        store.add(existing.length > 0 ? Y.mergeUpdates([...existing, update]) : update);
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new DOMException('the write was aborted', 'AbortError'));
    });
  } finally {
    db.close();
  }
}

/** The state vector of what the device holds of a plan (null: nothing), to fetch only what it lacks. */
export async function heldStateVector(dbName: string): Promise<Uint8Array | null> {
  const db = await openPlanDb(dbName);
  try {
    const existing = await new Promise<Uint8Array[]>((resolve, reject) => {
      const request = db.transaction(['updates'], 'readonly').objectStore('updates').getAll();
      request.onsuccess = () => resolve(request.result as Uint8Array[]);
      request.onerror = () => reject(request.error);
    });
    return existing.length > 0 ? Y.encodeStateVectorFromUpdate(Y.mergeUpdates(existing)) : null;
  } finally {
    db.close();
  }
}

function openPlanDb(dbName: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('updates', { autoIncrement: true });
      request.result.createObjectStore('custom');
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new DOMException('the plan database is blocked', 'InvalidStateError'));
  });
}
