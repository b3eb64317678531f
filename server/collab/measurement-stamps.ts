import type * as Y from 'yjs';
import type { Performer } from '../../shared/plan.ts';
import type { AllowedAdd, AllowedChange } from './plan-guard.ts';

/**
 * The server's part of a measurement (issue 16): who measured is stamped from the signed-in
 * connection, never taken from the client (the permission table refuses a client's `performer`
 * and `previous`), and an amendment or an entered-in-error keeps what it replaced in `previous`
 * and marks the entry amended. Runs inside the checked transaction, after the permission table
 * allowed the change, so stamp and change are stored and sent as one.
 */

/** What an amendment keeps of the entry it replaced. */
const KEPT = ['value', 'unit', 'effective', 'status', 'method', 'comment'] as const;

/** The version an amendment or an entered-in-error keeps in `previous` of the entry as it was. */
export function replacedVersion(before: Record<string, unknown>, now: Date): Record<string, unknown> {
  const version: Record<string, unknown> = {};
  for (const key of KEPT) if (before[key] !== undefined) version[key] = before[key];
  version.replaced = now.toISOString();
  return version;
}

/** Returns true when it wrote to the document (the author's client must then receive the update too). */
export function stampMeasurements(
  added: readonly AllowedAdd[],
  changes: readonly AllowedChange[],
  performer: Performer,
  now = new Date(),
): boolean {
  let wrote = false;
  for (const { section, entry } of added) {
    if (section !== 'measurements') continue;
    entry.set('performer', performer);
    wrote = true;
  }
  // One version per entry and update, however many of its keys the update changed.
  const amended = new Map<Y.Map<unknown>, Record<string, unknown>>();
  for (const change of changes) {
    if (change.section !== 'measurements' || change.before === null || amended.has(change.entry)) continue;
    amended.set(change.entry, change.before);
  }
  for (const [entry, before] of amended) {
    const version = replacedVersion(before, now);
    const previous = Array.isArray(before.previous) ? before.previous : [];
    entry.set('previous', [...previous, version]);
    if (entry.get('status') !== 'entered-in-error') entry.set('status', 'amended');
    wrote = true;
  }
  return wrote;
}
