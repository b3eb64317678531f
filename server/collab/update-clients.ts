import * as Y from 'yjs';
import { refusal, type Refusal } from '../../shared/refusals.ts';

/**
 * Whose Yjs client ids an incoming update writes with, checked before any of it is applied.
 * A Yjs client id is a writer's identity inside the document: whoever writes with another's id
 * takes over its clock range. A peer that writes with the server's id makes the server's later
 * writes (filed results) collide with its own; one that writes with another person's id makes
 * that person's offline edits, sent later at the same clocks, be dropped as already known. And
 * each new id is one more entry in the state vector every peer syncs.
 *
 * So a client id belongs to the first user who writes with it (the binding is stored with the
 * plan: `plan_client_authors`, read when the plan loads and again when a client joins), and an
 * update is refused whole when it writes with
 * - the server's id, or any id already in the document that no user is bound to (the server's
 *   ids of earlier loads and other nodes, seed data);
 * - an id bound to another user;
 * - more new ids than a client has (MAX_CLIENTS_PER_UPDATE, MAX_CLIENTS_PER_CONNECTION), or a
 *   delete set naming many ids the document does not hold (nothing legitimate does);
 * - a clock that jumps far past what the server holds of an id (MAX_CLOCK_ADVANCE): a struct's
 *   length is free in the wire format, and clocks near 2^53 lose precision.
 *
 * GC structs: a legitimate client sends them in sync step 2 for content it created and
 * deleted while the server did not see it (an entry added and removed offline: its children are
 * collected to GC structs). They are allowed on the sender's own ids only (the rules above),
 * where they cover nothing but clock range the sender itself could have filled.
 */

/** New Yjs client ids one update may write with (a tab has one; offline storage may bring a few). */
export const MAX_CLIENTS_PER_UPDATE = 8;
/** Yjs client ids one connection may write with over its life. */
export const MAX_CLIENTS_PER_CONNECTION = 16;
/** Clock ids one update may advance a client by: far above any message's content (WS_MAX_MESSAGE_BYTES). */
export const MAX_CLOCK_ADVANCE = 1 << 24;
/** Ids a delete set may name that neither the document nor the update holds (a race at most). */
export const MAX_UNKNOWN_DELETE_CLIENTS = 8;

/** Who a client id belongs to: a user id, 'server' (the server's own or an unbound id in the document), or null (free). */
export type ClientOwner = string | 'server' | null;

export interface UpdateClients {
  /** Each client id the update writes new structs with: how far past the server's state it reaches. */
  writes: Map<number, { end: number; gc: boolean }>;
  /** Client ids its delete set names. */
  deletes: Set<number>;
}

/** The client ids of a decoded update and the clock ranges it writes with them. */
export function updateClients(
  doc: Y.Doc,
  decoded: { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: { clients: Map<number, unknown> } },
): UpdateClients {
  const writes = new Map<number, { end: number; gc: boolean }>();
  for (const s of decoded.structs) {
    if (s instanceof Y.Skip) continue;
    const end = s.id.clock + s.length;
    if (end <= Y.getState(doc.store, s.id.client)) continue;
    const w = writes.get(s.id.client);
    if (w) {
      w.end = Math.max(w.end, end);
      w.gc ||= s instanceof Y.GC;
    } else writes.set(s.id.client, { end, gc: s instanceof Y.GC });
  }
  return { writes, deletes: new Set(decoded.ds.clients.keys()) };
}

/**
 * The refusal for an update of `userId` that writes with `clients`, or null. `ownerOf` answers
 * for ids the document already has or someone bound; `connectionIds` are the ids this
 * connection wrote with so far.
 */
export function checkUpdateClients(
  doc: Y.Doc,
  clients: UpdateClients,
  userId: string,
  ownerOf: (client: number) => ClientOwner,
  connectionIds: ReadonlySet<number>,
): Refusal | null {
  const fresh = [...clients.writes.keys()].filter((c) => !connectionIds.has(c));
  if (clients.writes.size > MAX_CLIENTS_PER_UPDATE)
    return refusal('update.too-many-clients', { limit: MAX_CLIENTS_PER_UPDATE });
  if (connectionIds.size + fresh.length > MAX_CLIENTS_PER_CONNECTION)
    return refusal('update.too-many-clients', { limit: MAX_CLIENTS_PER_CONNECTION });
  for (const [client, { end }] of clients.writes) {
    const owner = client === doc.clientID ? 'server' : ownerOf(client);
    if (owner !== null && owner !== userId) return refusal('update.foreign-client');
    if (end - Y.getState(doc.store, client) > MAX_CLOCK_ADVANCE || !Number.isSafeInteger(end))
      return refusal('update.clock-jump', { limit: MAX_CLOCK_ADVANCE });
  }
  let unknown = 0;
  for (const client of clients.deletes) {
    if (clients.writes.has(client) || doc.store.clients.has(client)) continue;
    if (++unknown > MAX_UNKNOWN_DELETE_CLIENTS)
      return refusal('update.too-many-clients', { limit: MAX_UNKNOWN_DELETE_CLIENTS });
  }
  return null;
}
