import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import type { Actor } from '../../shared/permissions.ts';
import { MessageType, type PresenceUser } from '../../shared/protocol.ts';
import type { Sector } from '../../shared/roles.ts';
import { MalformedMessage } from '../../server/collab/messages.ts';
import { OneNodePersistence } from '../../server/collab/one-node-persistence.ts';
import { PlanRooms } from '../../server/collab/plan-rooms.ts';
import type { PlanRoom } from '../../server/collab/plan-room.ts';
import type { RefusedChange } from '../../server/collab/plan-guard.ts';
import type { RoomConnection } from '../../server/collab/room-connection.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { GroupCommitter } from '../../server/store/group-commit.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { Store } from '../../server/store/store.ts';
import type { SessionKind } from './ops.ts';

/**
 * A real plan room (PlanRooms, PlanGuard, group commit) on a real SQLite store, driven in
 * memory: each session is a client Y.Doc behind a connection object that records what the
 * room sends it, and answers as a y-websocket client does. No network, so thousands of
 * operations run in seconds; everything behind the connection is the server's own code.
 */
const REMOTE = Symbol('from the server');
export const LOCAL = Symbol('the client’s own edit');

export interface Person {
  userId: string;
  name: string;
  role: Actor['role'];
  sector: Sector | null;
}

class FakeConnection implements RoomConnection {
  readonly id: string;
  /** Fault injection: the permission check's n-th read of the actor's role throws. */
  faultAfter: number | null = null;
  faultFired = false;
  /** Messages not yet handled by the client. */
  inbox: Uint8Array[] = [];
  /** Every message the room sent, in order. */
  readonly received: Uint8Array[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(
    readonly userId: string,
    readonly presence: PresenceUser,
    private readonly realActor: Actor,
    n: number,
  ) {
    this.id = `fake-${n}`;
  }

  get actor(): Actor {
    if (this.faultAfter === null) return this.realActor;
    return new Proxy(this.realActor, {
      get: (target, prop) => {
        if (prop === 'role' && this.faultAfter !== null && this.faultAfter-- <= 0) {
          this.faultAfter = null;
          this.faultFired = true;
          throw new Error('injected fault in the permission check');
        }
        return target[prop as keyof Actor];
      },
    });
  }

  send(message: Uint8Array): void {
    if (this.closed) return;
    this.inbox.push(message);
    this.received.push(message);
  }

  close(code: number, reason: string): void {
    this.closed ??= { code, reason };
  }
}

export class Session {
  doc!: Y.Doc;
  conn!: FakeConnection;
  /** Updates the client made and has not sent yet. */
  outbox: Uint8Array[] = [];
  denied: string[] = [];
  /** The session keeps what the server sent it unread (it edits on an older state). */
  holding = false;
  restarts = 0;

  constructor(
    readonly kind: SessionKind,
    readonly actor: Actor,
    readonly person: Person,
    private readonly clientIdBase: number,
  ) {}

  inbox(): Uint8Array[] {
    return this.conn.inbox;
  }

  fresh(n: number): void {
    this.doc?.destroy();
    this.doc = new Y.Doc({ guid: 'client' });
    this.doc.clientID = this.clientIdBase + this.restarts++;
    this.doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE) this.outbox.push(u);
    });
    this.outbox = [];
    this.connect(n);
  }

  /** A new connection for the same copy (a reconnect: what was in flight to it is lost). */
  connect(n: number): void {
    const presence: PresenceUser = {
      id: this.person.userId,
      name: this.person.name,
      role: this.person.role,
      organisation: null,
      color: '#1f6feb',
    };
    this.conn = new FakeConnection(this.person.userId, presence, this.actor, n);
    this.holding = false;
  }
}

export interface RoomEvents {
  refusals: { conn: RoomConnection; refusals: RefusedChange[] }[];
}

/** One temp SQLite store with the demo data, shared by the runs; each run gets its own plan. */
export class PropertyWorld {
  private runs = 0;
  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly rooms: PlanRooms,
    readonly committer: GroupCommitter,
    readonly people: Record<string, Person>,
    private readonly patientId: string,
    private readonly baseState: Uint8Array,
    readonly events: RoomEvents,
  ) {}

  static async create(opts: { checkpointEvery?: number } = {}): Promise<PropertyWorld> {
    const dir = mkdtempSync(join(tmpdir(), 'carehub-property-'));
    // NORMAL: durability across power loss is not what this suite tests, and FULL costs an fsync per commit.
    const store = await openStore({
      databaseUrl: `sqlite:${join(dir, 'carehub.db')}`,
      sqliteSynchronous: 'NORMAL',
      logLevel: 'silent',
    });
    await seedDemoData(store);
    const people: Record<string, Person> = {};
    for (const username of ['hanne', 'niels', 'maja', 'gitte', 'carl', 'admin']) {
      const u = await store.getUserByUsername(username);
      if (!u) throw new Error(`demo user ${username} missing`);
      const org = u.organisationId ? await store.getOrganisation(u.organisationId) : null;
      people[username] = { userId: u.id, name: u.name, role: u.role, sector: org?.sector ?? null };
    }
    const carl = await store.getUserByUsername('carl');
    const patientId = carl?.patientId as string;
    const [plan] = await store.listPlansForPatient(patientId);
    const state = await store.loadPlanState(plan!.id);
    const doc = new Y.Doc();
    for (const u of state.tail) Y.applyUpdate(doc, u.update);
    const committer = new GroupCommitter(store);
    const events: RoomEvents = { refusals: [] };
    const log = pino({ level: 'silent' });
    const rooms = new PlanRooms(
      {
        persistence: (planId) =>
          new OneNodePersistence(planId, { store, committer, log, checkpointEvery: opts.checkpointEvery ?? 25 }),
        log,
        onPresence: () => {},
        onRefused: (_planId, conn, refusals) => events.refusals.push({ conn, refusals }),
      },
      0,
    );
    return new PropertyWorld(dir, store, rooms, committer, people, patientId, Y.encodeStateAsUpdate(doc), events);
  }

  /** A new plan holding the demo plan's state, with every kind of session joined. */
  async newPlan(): Promise<PlanRun> {
    const n = ++this.runs;
    const plan = await this.store.createPlan({
      patientId: this.patientId,
      title: `property run ${n}`,
      status: 'active',
    });
    await this.store.appendUpdates([
      {
        planId: plan.id,
        author: null,
        origin: 'seed',
        time: new Date().toISOString(),
        update: this.baseState,
        sections: [],
      },
    ]);
    const p = this.people as Record<'hanne' | 'niels' | 'maja' | 'gitte' | 'carl' | 'admin', Person>;
    const actor = (person: Person, readOnly = false): Actor => ({
      userId: person.userId,
      role: person.role,
      sector: person.sector,
      ...(readOnly ? { readOnly: true } : {}),
    });
    const kinds: [SessionKind, Person, Actor][] = [
      ['hospital_doctor', p.hanne, actor(p.hanne)],
      ['hospital_nurse', p.niels, actor(p.niels)],
      ['municipal_nurse', p.maja, actor(p.maja)],
      ['gp', p.gitte, actor(p.gitte)],
      // /collab refuses citizens and administrators: their sessions drive the room directly.
      ['citizen', p.carl, actor(p.carl)],
      ['admin', p.admin, actor(p.admin)],
      // Embed links: a GP's read link; an edit link acting as its creator (a municipal nurse).
      ['embed_read', p.gitte, actor(p.gitte, true)],
      ['embed_edit', p.maja, actor(p.maja)],
    ];
    // The same client ids in every run (each has its own plan): a sequence replays exactly while it shrinks.
    const sessions = kinds.map(([kind, person, a], i) => new Session(kind, a, person, 10_000 * (i + 1)));
    const run = new PlanRun(this, plan.id, await this.rooms.open(plan.id), sessions);
    for (const s of sessions) await run.join(s);
    return run;
  }

  async close(): Promise<void> {
    this.rooms.closeAll(1001, 'done');
    await this.committer.drain();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PlanRun {
  private connections = 0;
  constructor(
    readonly world: PropertyWorld,
    readonly planId: string,
    public room: PlanRoom,
    readonly sessions: Session[],
  ) {}

  session(kind: SessionKind): Session {
    return this.sessions.find((s) => s.kind === kind) as Session;
  }

  /** Joins (or rejoins, with a fresh copy) as a y-websocket client does: both sync steps. */
  async join(s: Session): Promise<void> {
    s.fresh(++this.connections);
    this.room.join(s.conn);
    this.room.handleSyncStep1(s.conn, Y.encodeStateVector(s.doc));
    await this.settle();
  }

  /**
   * The room unloads and loads again from the store (a restart, or another node taking over);
   * every client reconnects with the copy it has, and syncs both ways.
   */
  async reload(): Promise<void> {
    this.room.close(1001, 'reload');
    await this.world.committer.drain();
    this.room = await this.world.rooms.open(this.planId);
    for (const s of this.sessions) {
      s.connect(++this.connections);
      this.room.join(s.conn);
      this.room.handleSyncStep1(s.conn, Y.encodeStateVector(s.doc));
    }
    await this.settle();
  }

  /** Sends what the client made; a malformed update closes its connection, as the transport does. */
  send(s: Session): void {
    const updates = s.outbox.splice(0);
    for (const u of updates) {
      if (s.conn.closed) break;
      try {
        this.room.handleClientUpdate(s.conn, u);
      } catch (err) {
        if (!(err instanceof MalformedMessage)) throw err;
        s.conn.close(1002, 'malformed message');
      }
    }
  }

  /** Handles what the room sent the session, as a y-websocket client does. */
  read(s: Session): number {
    let handled = 0;
    while (s.inbox().length > 0) {
      const message = s.conn.inbox.shift() as Uint8Array;
      handled++;
      const d = decoding.createDecoder(message);
      const type = decoding.readVarUint(d);
      if (type === MessageType.sync) {
        const step = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (step === 0) {
          s.outbox.push(Y.encodeStateAsUpdate(s.doc, payload));
          this.send(s);
        } else {
          Y.applyUpdate(s.doc, payload, REMOTE);
        }
      } else if (type === MessageType.auth) {
        decoding.readVarUint(d);
        s.denied.push(decoding.readVarString(d));
      }
    }
    return handled;
  }

  /** Until nothing is pending: the room's writes stored and sent, every non-holding client read. */
  async settle(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      if (this.room.isClosed) return;
      await this.room.flushed();
      let handled = 0;
      for (const s of this.sessions) if (s.conn && !s.holding && !s.conn.closed) handled += this.read(s);
      if (handled === 0) return;
    }
    throw new Error('the room and its clients did not settle after 100 rounds');
  }
}
