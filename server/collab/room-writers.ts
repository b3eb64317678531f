import type * as Y from 'yjs';
import type { Refusal } from '../../shared/refusals.ts';
import type { ClientAuthor } from '../store/records.ts';
import type { RoomConnection } from './room-connection.ts';
import { checkUpdateClients, type ClientOwner, type UpdateClients } from './update-clients.ts';
import type { Author } from './value-conflicts.ts';

/**
 * Who writes with which Yjs client id in one plan room (update-clients.ts has the rules): each id
 * is bound to the first user who writes with it or shows it in awareness (stored with the plan, so
 * it holds across restarts and nodes), ids in the document bound to nobody are the server's, and
 * the authors are kept to name both sides of a value conflict.
 */
export class RoomWriters {
  /** Which user wrote with which client id (to name both sides of a value conflict). */
  private readonly authors = new Map<number, Author>();
  /** The user each client id is bound to. Set before the update is checked, so it holds even for one refused. */
  private readonly owners = new Map<number, string>();
  /** The client ids each connection wrote with. */
  private readonly byConnection = new WeakMap<RoomConnection, Set<number>>();

  constructor(
    /** The room's document, built if it was not yet (admitting an update checks it whole). */
    private readonly document: () => Y.Doc,
    /** Whether the plan holds changes of this Yjs client id (answered without building the document). */
    private readonly inDocument: (client: number) => boolean,
    stored: readonly ClientAuthor[],
    /** Stores new bindings with the plan. */
    private readonly record: (bound: { clientId: number; userId: string }[]) => void,
  ) {
    for (const a of stored) {
      this.authors.set(a.clientId, { userId: a.userId, name: a.name });
      this.owners.set(a.clientId, a.userId);
    }
  }

  authorOf(client: number): Author | null {
    return this.authors.get(client) ?? null;
  }

  /** The ids an allowed update wrote with name `conn`'s user as their author, unless named already. */
  noteAuthors(conn: RoomConnection, clients: Iterable<number>): void {
    for (const client of clients) {
      if (this.authors.has(client)) continue;
      this.authors.set(client, { userId: conn.userId, name: conn.presence.name });
    }
  }

  /**
   * Before an update of `conn` is applied: refused when it writes with ids that are not its
   * user's (or too many); otherwise its free ids are bound to the user, and returned to be stored.
   */
  admit(conn: RoomConnection, clients: UpdateClients): { refused: Refusal } | { bound: number[] } {
    const mine = this.byConnection.get(conn) ?? new Set<number>();
    const refused = checkUpdateClients(this.document(), clients, conn.userId, (c) => this.ownerOf(c), mine);
    if (refused) return { refused };
    this.byConnection.set(conn, mine);
    const bound: number[] = [];
    for (const client of clients.writes.keys()) {
      mine.add(client);
      if (this.owners.has(client)) continue;
      this.owners.set(client, conn.userId);
      bound.push(client);
    }
    return { bound };
  }

  /** Stores the bindings `admit` made (after the update was checked). */
  store(conn: RoomConnection, bound: number[]): void {
    if (bound.length > 0) this.record(bound.map((clientId) => ({ clientId, userId: conn.userId })));
  }

  /** A connection speaks for a client id in awareness: a free id is bound to its user from now on. */
  claim(conn: RoomConnection, clientId: number): boolean {
    const owner = this.ownerOf(clientId);
    if (owner !== null) return owner === conn.userId;
    this.owners.set(clientId, conn.userId);
    this.record([{ clientId, userId: conn.userId }]);
    return true;
  }

  /** Bindings other nodes made since this room loaded (a client moving here writes on with its id). */
  learn(boundElsewhere: readonly ClientAuthor[]): void {
    for (const a of boundElsewhere) {
      if (!this.owners.has(a.clientId)) this.owners.set(a.clientId, a.userId);
      if (!this.authors.has(a.clientId)) this.authors.set(a.clientId, { userId: a.userId, name: a.name });
    }
  }

  /** Bound to a user, the server's (in the document but bound to nobody: earlier loads, other nodes, seed data), or free. */
  private ownerOf(client: number): ClientOwner {
    const user = this.owners.get(client);
    if (user !== undefined) return user;
    return this.inDocument(client) ? 'server' : null;
  }
}
