import Database from 'better-sqlite3';
import * as Y from 'yjs';

/**
 * Nothing lost (issue 20): of `clocks` ([plan, Yjs client, clock the client reached]), how many
 * CareHub's SQLite file does not hold: each plan's stored log is applied to a fresh document
 * and each writer's state in it compared with what the writer sent. Read-only, after the run.
 */
export function missingInStore(dbFile: string, clocks: [string, number, number][]): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const byPlan = new Map<string, [number, number][]>();
    for (const [plan, client, clock] of clocks) byPlan.set(plan, [...(byPlan.get(plan) ?? []), [client, clock]]);
    const read = db.prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ? ORDER BY seq').pluck();
    let missing = 0;
    for (const [plan, writers] of byPlan) {
      const doc = new Y.Doc();
      Y.transact(doc, () => {
        for (const bytes of read.all(plan) as Buffer[]) Y.applyUpdate(doc, new Uint8Array(bytes));
      });
      for (const [client, clock] of writers) if (Y.getState(doc.store, client) < clock) missing++;
      doc.destroy();
    }
    return missing;
  } finally {
    db.close();
  }
}
