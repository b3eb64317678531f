import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import { newEntry, planToJson, richText, sectionOf, metaOf } from '../../shared/plan-doc.ts';
import { connectCollab, type CollabClient } from '../../tests/fixtures/collab-client.ts';
import {
  collabFrame,
  judgeCollab,
  sendCollabFrame,
  type CollabContext,
  type CollabFrame,
  type Identity,
} from './collab.ts';
import { Rng } from './prng.ts';
import { describeRequest, restRequest, sendRest, type RestContext } from './rest.ts';
import { socketIoAction, type SocketIoContext } from './socketio.ts';

/**
 * A fuzzing session against a running hub (seeded with the demo data): sets up the people
 * and clients the invariants are checked with, sends seeded random and mutated frames to
 * /collab, Socket.IO and the REST API, and checks afterwards that nothing broke.
 *
 * Invariants:
 *  - the server answers every frame as the frame deserves (collab.ts `judgeCollab`, rest.ts
 *    `sendRest`: no 5xx, error bodies), and never crashes (health checks; the caller watches
 *    the process);
 *  - the well-behaved clients — a canary that edits Carl's plan all along, an observer on
 *    every plan, a Socket.IO watcher — stay connected and keep syncing;
 *  - no content of a refused frame is ever stored: a fuzz frame carries a unique marker, and
 *    a marker may appear in a plan only if some frame carrying it was sent by a writer and
 *    left its socket open (an accepted edit). Frames of read-only sessions are always refused;
 *    frames closed as malformed must have changed nothing (not even partly);
 *  - the plans hold exactly the accepted edits: after a restart each plan equals what its
 *    observer received live, and the canary's edits are each there once.
 */

export interface HubEndpoint {
  url: string;
  wsUrl: string;
}

export interface FuzzBudget {
  collabFrames: number;
  socketIoActions: number;
  restRequests: number;
}

export interface FuzzStats {
  seed: number;
  ms: number;
  collab: {
    frames: number;
    sockets: number;
    alive: number;
    closes: Record<string, number>;
    kinds: Record<string, number>;
  };
  socketIo: { actions: number; results: Record<string, number> };
  rest: { requests: number; statuses: Record<string, number> };
  canaryEdits: number;
  /** Invariant violations, each with enough to replay it (seed, stream, index). */
  problems: string[];
}

export interface PlanExpectation {
  planId: string;
  json: string;
  stateVector: Uint8Array;
}

export interface Expectations {
  plans: PlanExpectation[];
  canaryTitles: string[];
  carlPlan: string;
  forbiddenMarkers: string[];
  acceptedMarkers: string[];
}

const USERS = ['hanne', 'gitte', 'maja', 'niels', 'carl', 'admin'] as const;
type User = (typeof USERS)[number];

async function api(base: string, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(`${base}/api/v1${path}`, { ...init, headers, signal: AbortSignal.timeout(10_000) });
}

async function json<T>(res: Promise<Response>, what: string): Promise<T> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
    ),
  ]);
}

/** Resolves when `check` holds after an update of `doc`, or rejects after `ms`. */
function untilDoc(doc: Y.Doc, check: () => boolean, ms: number, what: string): Promise<void> {
  if (check()) return Promise.resolve();
  let listener: () => void;
  return within(
    new Promise<void>((resolve) => {
      listener = () => check() && resolve();
      doc.on('update', listener);
    }),
    ms,
    what,
  ).finally(() => doc.off('update', listener));
}

/** Resolves at the next update of `doc`, or after `ms` if none comes. */
function nextUpdate(doc: Y.Doc, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      doc.off('update', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    doc.on('update', done);
  });
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const count = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);
const hex = (b: Uint8Array, max = 48) =>
  Buffer.from(b.subarray(0, max)).toString('hex') + (b.length > max ? `…(${b.length} bytes)` : '');

export class FuzzSession {
  readonly markerPrefix: string;
  private tokens = new Map<User, string>();
  private plans = new Map<string, string>();
  private identities: Identity[] = [];
  private observers = new Map<string, CollabClient>();
  private observerCloses: string[] = [];
  private canary: CollabClient | null = null;
  private canaryTimer: NodeJS.Timeout | null = null;
  private canaryTitles: string[] = [];
  private watcher: Socket | null = null;
  private planChanged = 0;
  private collabCtx!: CollabContext;
  private socketCtx!: SocketIoContext;
  private restCtx!: RestContext;
  /** Per marker: was some frame carrying it sent by a writer and left open (possibly accepted)? */
  private markers = new Map<string, boolean>();
  /** Per marker: the frames that carried it (kind, sender, outcome, bytes), to explain a finding. */
  private carriers = new Map<string, string[]>();

  constructor(
    readonly hub: HubEndpoint,
    readonly seed: number,
    readonly opts: { maxMessageBytes: number; apiKey?: string | null; log?: (line: string) => void },
  ) {
    this.markerPrefix = `FZ${seed.toString(36)}x`;
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Signs in, finds the plans, opens the well-behaved clients, captures real updates to mutate. */
  async prepare(): Promise<void> {
    const { url, wsUrl } = this.hub;
    for (const u of USERS)
      this.tokens.set(
        u,
        (
          await json<{ token: string }>(
            api(url, '/auth/login', { method: 'POST', body: JSON.stringify({ username: u, password: 'demo' }) }),
            `login ${u}`,
          )
        ).token,
      );
    const t = (u: User) => this.tokens.get(u) as string;
    for (const u of ['hanne', 'gitte'] as const) {
      for (const p of await json<{ name: string; plans: { id: string }[] }[]>(
        api(url, '/patients', { token: t(u) }),
        'patients',
      )) {
        if (p.plans[0]) this.plans.set(p.name, p.plans[0].id);
      }
    }
    const plan = (name: string) => {
      const id = this.plans.get(name);
      if (!id) throw new Error(`no plan of ${name}: is this a hub with the demo data?`);
      return id;
    };
    const carl = plan('Carl Jensen');
    const ingrid = plan('Ingrid Madsen');
    const erik = plan('Erik Nielsen');
    const aisha = plan('Aisha Khan');
    // Who watches each plan (never edits), and who writes where.
    const watchers: [string, User][] = [
      [carl, 'gitte'],
      [ingrid, 'hanne'],
      [erik, 'gitte'],
      [aisha, 'gitte'],
    ];
    const writers: [User, string][] = [
      ['hanne', carl],
      ['hanne', ingrid],
      ['gitte', carl],
      ['gitte', erik],
      ['gitte', aisha],
      ['maja', carl],
      ['maja', erik],
    ];
    for (const [u, planId] of writers)
      this.identities.push({ label: `${u}@${planId.slice(0, 8)}`, token: t(u), planId, readOnly: false });

    // Read-only embed sessions: everything they send is refused.
    const readOnly = new Map<string, string>();
    for (const [planId, u] of watchers) {
      const creator = planId === ingrid ? 'hanne' : u;
      const link = await json<{ link: string }>(
        api(url, `/plans/${planId}/embed-links`, {
          method: 'POST',
          token: t(creator),
          body: JSON.stringify({ access: 'read', expiresInMinutes: 600 }),
        }),
        'embed link',
      );
      const session = await json<{ token: string }>(
        api(url, '/embed/session', { method: 'POST', body: JSON.stringify({ link: link.link }) }),
        'embed session',
      );
      readOnly.set(planId, session.token);
      this.identities.push({ label: `read-only@${planId.slice(0, 8)}`, token: session.token, planId, readOnly: true });
    }

    for (const [planId, u] of watchers) {
      const o = connectCollab(wsUrl, planId, t(u));
      o.provider.on('connection-close', (e: { code: number } | null) =>
        this.observerCloses.push(`${planId}: ${e?.code ?? 'error'}`),
      );
      this.observers.set(planId, o);
    }
    await within(Promise.all([...this.observers.values()].map((o) => o.synced)), 10_000, 'observers to sync');

    // Real updates, captured on the wire of a real y-websocket client (a read-only session:
    // the server refuses and reverts them, so they are never stored).
    const wireUpdates = new Map<string, Uint8Array[]>();
    for (const [planId, token] of readOnly) {
      const c = connectCollab(wsUrl, planId, token);
      // The stock client logs each refusal with its URL (and token); this one expects refusals.
      (c.provider as unknown as { messageHandlers: unknown[] }).messageHandlers[2] = () => {};
      await within(c.synced, 10_000, 'the capturing client to sync');
      const sent: Uint8Array[] = [];
      c.doc.on('update', (u: Uint8Array, origin: unknown) => origin !== c.provider && sent.push(u));
      for (let k = 0; k < 6; k++) {
        const m = `${this.markerPrefix}W${planId.slice(0, 4)}${k}Q`;
        this.markers.set(m, false);
        if (k % 3 === 0)
          sectionOf(c.doc, 'tasks').push([
            newEntry({ id: crypto.randomUUID(), title: m, sector: 'hospital', status: 'planned' }),
          ]);
        else if (k % 3 === 1)
          sectionOf(c.doc, 'goals').push([
            newEntry({ id: crypto.randomUUID(), description: richText(m), status: 'proposed', sector: 'hospital' }),
          ]);
        else metaOf(c.doc).set('title', m);
      }
      // The reverts come back: the client converges to the observer's (the server's) state.
      const o = this.observers.get(planId) as CollabClient;
      await untilDoc(
        c.doc,
        () => JSON.stringify(planToJson(c.doc)) === JSON.stringify(planToJson(o.doc)),
        10_000,
        'the read-only client to converge',
      );
      wireUpdates.set(planId, sent);
      c.destroy();
    }

    const baseStates = new Map([...this.observers].map(([planId, o]) => [planId, Y.encodeStateAsUpdate(o.doc)]));
    this.collabCtx = {
      identities: this.identities,
      baseStates,
      wireUpdates,
      // Not maja on Ingrid's plan: the REST fuzz may grant her break-the-glass access. An
      // administrator never reaches patient data.
      forbiddenPlan: { token: t('admin'), planId: ingrid },
      maxMessageBytes: this.opts.maxMessageBytes,
      markerPrefix: this.markerPrefix,
    };
    const allTokens = USERS.map(t);
    this.socketCtx = { tokens: allTokens, planIds: [...this.plans.values()] };
    const patients = await json<{ id: string }[]>(api(url, '/patients', { token: t('gitte') }), 'patients');
    this.restCtx = {
      tokens: allTokens,
      apiKey: this.opts.apiKey ?? null,
      planIds: [...this.plans.values()],
      patientIds: patients.map((p) => p.id),
    };

    // The Socket.IO watcher: hanne on Carl's plan, for the whole run.
    const w: Socket = io(url, { auth: { token: t('hanne') }, transports: ['websocket'], reconnection: false });
    await within(
      new Promise<void>((resolve, reject) => (w.once('connect', () => resolve()), w.once('connect_error', reject))),
      10_000,
      'the watcher to connect',
    );
    const ack = (await within(w.emitWithAck('plan:watch', { planId: carl }), 5000, 'plan:watch')) as { ok: boolean };
    if (!ack.ok) throw new Error('the watcher may not watch Carl’s plan');
    w.on('plan:changed', () => this.planChanged++);
    this.watcher = w;

    // The canary: hanne edits Carl's plan all along; every edit must arrive and be kept.
    const canary = connectCollab(wsUrl, carl, t('hanne'));
    canary.provider.on('connection-close', (e: { code: number } | null) =>
      this.observerCloses.push(`canary: ${e?.code ?? 'error'}`),
    );
    await within(canary.synced, 10_000, 'the canary to sync');
    this.canary = canary;
    this.canaryTimer = setInterval(() => {
      const title = `CANARY-${this.seed}-${this.canaryTitles.length}`;
      this.canaryTitles.push(title);
      sectionOf(canary.doc, 'tasks').push([
        newEntry({ id: crypto.randomUUID(), title, sector: 'hospital', status: 'planned' }),
      ]);
    }, 20);
  }

  /** Runs the three streams side by side until each has spent its budget, or until `deadline` (ms since epoch). */
  async run(
    limit: { budget: FuzzBudget } | { deadline: number },
    concurrency = 4,
    signal?: AbortSignal,
  ): Promise<FuzzStats> {
    const started = Date.now();
    const stats: FuzzStats = {
      seed: this.seed,
      ms: 0,
      collab: { frames: 0, sockets: 0, alive: 0, closes: {}, kinds: {} },
      socketIo: { actions: 0, results: {} },
      rest: { requests: 0, statuses: {} },
      canaryEdits: 0,
      problems: [],
    };
    const more = (stream: keyof FuzzBudget, i: number) =>
      !signal?.aborted && ('budget' in limit ? i < limit.budget[stream] : Date.now() < limit.deadline);
    const rngFor = (stream: number, i: number) => new Rng(this.seed).fork(stream * 10_000_000 + i);
    const lane = async (stream: keyof FuzzBudget, id: number, step: (i: number) => Promise<void>) => {
      const next = { i: 0 };
      const worker = async () => {
        while (more(stream, next.i)) await step(next.i++);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      void id;
    };

    const collabStep = async (i: number) => {
      const rng = rngFor(1, i);
      let frame: CollabFrame;
      try {
        frame = collabFrame(rng, this.collabCtx, i);
      } catch (err) {
        stats.problems.push(`collab #${i}: generating the frame threw ${(err as Error).message}`);
        return;
      }
      const outcome = await sendCollabFrame(this.hub.wsUrl, frame, this.collabCtx, rng);
      stats.collab.sockets++;
      stats.collab.frames += frame.frames.length;
      count(stats.collab.kinds, frame.kind);
      const writer = 'identity' in frame.auth && !(this.identities[frame.auth.identity] as Identity).readOnly;
      const alive = 'closed' in outcome && outcome.closed === null;
      if (alive) stats.collab.alive++;
      else count(stats.collab.closes, 'error' in outcome ? 'error' : String(outcome.closed));
      const who =
        'identity' in frame.auth ? (this.identities[frame.auth.identity] as Identity).label : frame.auth.broken;
      const how = alive ? 'left open' : 'error' in outcome ? outcome.error : `closed ${outcome.closed}`;
      for (const m of frame.markers) {
        this.markers.set(m, (this.markers.get(m) ?? false) || (writer && alive));
        const list = this.carriers.get(m) ?? [];
        list.push(
          `#${i} ${frame.kind} as ${who}${frame.early ? ' (early)' : ''}: ${how}; ${frame.frames.map((f) => hex(f, 400)).join(' | ')}`,
        );
        this.carriers.set(m, list);
      }
      const problem = judgeCollab(frame, outcome);
      if (problem) {
        stats.problems.push(
          `collab #${i} (seed ${this.seed}) ${frame.kind} as ${who}${frame.early ? ', early' : ''}: ${problem}; frame ${hex(frame.frames[0] ?? new Uint8Array())}`,
        );
      }
    };
    const socketStep = async (i: number) => {
      const rng = rngFor(2, i);
      const o = await socketIoAction(this.hub.url, rng, this.socketCtx);
      stats.socketIo.actions++;
      count(stats.socketIo.results, `${o.kind}:${o.result}`);
      if (o.problem) stats.problems.push(`socket.io #${i} (seed ${this.seed}) ${o.kind}: ${o.problem}`);
    };
    const restStep = async (i: number) => {
      const rng = rngFor(3, i);
      const req = restRequest(rng, this.restCtx);
      const o = await sendRest(this.hub.url, req);
      stats.rest.requests++;
      count(stats.rest.statuses, String(o.status));
      if (o.problem) stats.problems.push(`rest #${i} (seed ${this.seed}) ${describeRequest(req)}: ${o.problem}`);
    };
    const progress = setInterval(
      () =>
        this.log(
          `… ${stats.collab.sockets} collab sockets, ${stats.socketIo.actions} Socket.IO sessions, ${stats.rest.requests} requests, ${stats.problems.length} problems`,
        ),
      10_000,
    );
    try {
      await Promise.all([
        lane('collabFrames', 1, collabStep),
        lane('socketIoActions', 2, socketStep),
        lane('restRequests', 3, restStep),
      ]);
    } finally {
      clearInterval(progress);
    }
    stats.ms = Date.now() - started;
    stats.canaryEdits = this.canaryTitles.length;
    return stats;
  }

  /**
   * Stops the canary and checks the live hub: health, the well-behaved clients still
   * connected and in sync, no refused marker in any plan. Returns what the stored plans must
   * hold after a restart. Problems go to `problems`.
   */
  async finish(problems: string[]): Promise<Expectations> {
    if (this.canaryTimer) clearInterval(this.canaryTimer);
    const { url } = this.hub;
    const carl = this.plans.get('Carl Jensen') as string;
    const health = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (health?.status !== 200) problems.push(`/healthz answered ${health?.status ?? 'nothing'}`);
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).catch(() => null);
    if (ready?.status !== 200) problems.push(`/readyz answered ${ready?.status ?? 'nothing'}`);

    // Every canary edit reaches the observer of Carl's plan.
    const observer = this.observers.get(carl) as CollabClient;
    const titles = (d: Y.Doc) =>
      new Set(
        sectionOf(d, 'tasks')
          .toArray()
          .map((e) => e.get('title')),
      );
    await untilDoc(
      observer.doc,
      () => this.canaryTitles.every((t) => titles(observer.doc).has(t)),
      10_000,
      'every canary edit at the observer',
    ).catch((err: Error) =>
      problems.push(
        `${err.message} (${this.canaryTitles.filter((t) => !titles(observer.doc).has(t)).length} of ${this.canaryTitles.length} missing)`,
      ),
    );
    if (this.observerCloses.length > 0)
      problems.push(`well-behaved clients were disconnected: ${this.observerCloses.join(', ')}`);
    for (const [planId, o] of this.observers)
      if (!o.provider.wsconnected) problems.push(`the observer of ${planId} is not connected`);
    if (!this.canary?.provider.wsconnected) problems.push('the canary is not connected');

    const w = this.watcher;
    if (!w?.connected) problems.push('the Socket.IO watcher was disconnected');
    else {
      const ack = (await within(w.emitWithAck('plan:watch', { planId: carl }), 5000, 'plan:watch after the run').catch(
        () => null,
      )) as { ok: boolean } | null;
      if (!ack?.ok) problems.push('the Socket.IO watcher gets no answer to plan:watch after the run');
      if (this.canaryTitles.length > 60 && this.planChanged === 0)
        problems.push('the Socket.IO watcher received no plan:changed during the run');
    }

    // The live plans as the server holds them equal what each observer received.
    const gitte = this.tokens.get('gitte') as string;
    const hanne = this.tokens.get('hanne') as string;
    const plans: PlanExpectation[] = [];
    for (const [planId, o] of this.observers) {
      const token = planId === this.plans.get('Ingrid Madsen') ? hanne : gitte;
      let live = '';
      const deadline = Date.now() + 10_000;
      for (;;) {
        live = JSON.stringify(await json(api(url, `/plans/${planId}/document`, { token }), 'the live document'));
        if (live === JSON.stringify(planToJson(o.doc)) || Date.now() > deadline) break;
        await nextUpdate(o.doc, 200);
      }
      if (live !== JSON.stringify(planToJson(o.doc)))
        problems.push(`plan ${planId}: the server's live document differs from what its observer received`);
      plans.push({ planId, json: JSON.stringify(planToJson(o.doc)), stateVector: Y.encodeStateVector(o.doc) });
      for (const [m, accepted] of this.markers) {
        if (!accepted && live.includes(m))
          problems.push(
            `plan ${planId}: holds the marker ${m} of a refused frame, sent by ${this.carriers.get(m)?.join('; ') ?? 'the read-only capturing client'}`,
          );
      }
    }
    const forbidden = [...this.markers].filter(([, a]) => !a).map(([m]) => m);
    const accepted = [...this.markers].filter(([, a]) => a).map(([m]) => m);
    return {
      plans,
      canaryTitles: [...this.canaryTitles],
      carlPlan: carl,
      forbiddenMarkers: forbidden,
      acceptedMarkers: accepted,
    };
  }

  /** Closes every client of the session. */
  close(): void {
    if (this.canaryTimer) clearInterval(this.canaryTimer);
    this.canary?.destroy();
    for (const o of this.observers.values()) o.destroy();
    this.watcher?.close();
  }
}

/**
 * After a restart on the same database: every plan loads (opened over /collab by someone on
 * its care team), each observed plan holds exactly what its observer received, the canary's
 * edits are each there once, and no refused marker is stored anywhere in the plan log.
 */
export async function checkStored(
  hub: HubEndpoint,
  dbFile: string,
  expected: Expectations,
): Promise<{ plansLoaded: number; problems: string[]; refusedNamesKept: number }> {
  const problems: string[] = [];
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  let planIds: string[];
  let blobs: Buffer[];
  try {
    planIds = db.prepare('SELECT id FROM plans ORDER BY created, id').pluck().all() as string[];
    blobs = [
      ...(db.prepare('SELECT update_bytes FROM plan_updates').pluck().all() as Buffer[]),
      ...(db.prepare('SELECT state FROM plan_checkpoints').pluck().all() as Buffer[]),
    ];
  } finally {
    db.close();
  }
  // Where each refused marker is stored: as content (a violation), or only as the name (map
  // key or unknown root type) of a refused item whose content was deleted (a known leak).
  let namesKept = 0;
  const stored = blobs.map((b) => ({ bytes: b, texts: null as null | ReturnType<typeof storedTexts> }));
  for (const m of expected.forbiddenMarkers) {
    const needle = utf8(m);
    let asName = false;
    for (const blob of stored) {
      if (!blob.bytes.includes(needle)) continue;
      blob.texts ??= storedTexts(blob.bytes);
      if (blob.texts.content.some((t) => t.includes(m)))
        problems.push(`the marker ${m} of a refused frame is stored as plan content`);
      else if (blob.texts.deletedNames.some((t) => t.includes(m))) asName = true;
      else problems.push(`the marker ${m} of a refused frame is stored in the plan log (not as content or a name)`);
    }
    if (asName) namesKept++;
  }
  const tokens: string[] = [];
  for (const u of ['hanne', 'gitte', 'maja', 'niels'])
    tokens.push(
      (
        await json<{ token: string }>(
          api(hub.url, '/auth/login', { method: 'POST', body: JSON.stringify({ username: u, password: 'demo' }) }),
          `login ${u}`,
        )
      ).token,
    );
  let loaded = 0;
  for (const planId of planIds) {
    let token: string | undefined;
    for (const t of tokens) {
      if ((await api(hub.url, `/plans/${planId}`, { token: t })).status === 200) {
        token = t;
        break;
      }
    }
    if (!token) continue; // a plan nobody of the demo staff may open (made by the REST fuzz for another patient)
    const c = connectCollab(hub.wsUrl, planId, token);
    try {
      await within(c.synced, 10_000, `plan ${planId} to load`);
      loaded++;
      const exp = expected.plans.find((p) => p.planId === planId);
      if (exp) {
        const got = JSON.stringify(planToJson(c.doc));
        if (got !== exp.json)
          problems.push(`plan ${planId}: stored state differs from what its observer received live`);
        if (!Buffer.from(Y.encodeStateVector(c.doc)).equals(Buffer.from(exp.stateVector)))
          problems.push(`plan ${planId}: stored state vector differs from the observer's`);
      }
      if (planId === expected.carlPlan) {
        const titles = sectionOf(c.doc, 'tasks')
          .toArray()
          .map((e) => e.get('title'));
        const missing = expected.canaryTitles.filter((t) => !titles.includes(t));
        const doubled = expected.canaryTitles.filter((t) => titles.indexOf(t) !== titles.lastIndexOf(t));
        if (missing.length > 0)
          problems.push(`${missing.length} of ${expected.canaryTitles.length} canary edits are missing`);
        if (doubled.length > 0) problems.push(`${doubled.length} canary edits are there twice`);
      }
    } catch (err) {
      problems.push((err as Error).message);
    } finally {
      c.destroy();
    }
  }
  const missingExpected = expected.plans.filter((p) => !planIds.includes(p.planId));
  for (const p of missingExpected) problems.push(`plan ${p.planId} is gone from the store`);
  return { plansLoaded: loaded, problems, refusedNamesKept: namesKept };
}

/**
 * The text a stored update carries, split in two: `content` — what any item holds or names
 * while it is visible (strings, values, embeds, XML node names, and the keys and root names
 * of items that are not deleted); `deletedNames` — the map keys and root-type names of items
 * whose content was deleted (Yjs keeps an item's position, and so these names, after it
 * deletes the content).
 */
export function storedTexts(update: Uint8Array): { content: string[]; deletedNames: string[] } {
  const content: string[] = [];
  const deletedNames: string[] = [];
  for (const s of Y.decodeUpdate(update).structs) {
    if (!(s instanceof Y.Item)) continue;
    const names = [typeof s.parent === 'string' ? s.parent : '', s.parentSub ?? ''].filter(Boolean);
    const c = s.content as unknown as Record<string, unknown>;
    if (s.content instanceof Y.ContentDeleted) {
      deletedNames.push(...names);
      continue;
    }
    content.push(...names);
    if (s.content instanceof Y.ContentBinary) content.push(Buffer.from(s.content.content).toString('latin1'));
    else if (s.content instanceof Y.ContentType)
      content.push(String((s.content.type as unknown as { nodeName?: string }).nodeName ?? ''));
    else
      content.push(
        JSON.stringify({
          str: c.str,
          arr: c.arr,
          embed: c.embed,
          key: c.key,
          value: c.value,
          doc: (c.doc as { guid?: string } | undefined)?.guid,
          opts: c.opts,
        }),
      );
  }
  return { content, deletedNames };
}

export function formatStats(s: FuzzStats): string {
  const kv = (m: Record<string, number>) =>
    Object.entries(m)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  return [
    `seed ${s.seed}, ${(s.ms / 1000).toFixed(1)} s`,
    `collab:    ${s.collab.sockets} sockets, ${s.collab.frames} frames; left open ${s.collab.alive}; closes ${kv(s.collab.closes)}`,
    `           kinds ${kv(s.collab.kinds)}`,
    `socket.io: ${s.socketIo.actions} sessions; ${kv(s.socketIo.results)}`,
    `rest:      ${s.rest.requests} requests; statuses ${kv(s.rest.statuses)}`,
    `canary:    ${s.canaryEdits} edits`,
    `problems:  ${s.problems.length}`,
  ].join('\n');
}
