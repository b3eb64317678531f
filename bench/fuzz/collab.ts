import WebSocket from 'ws';
import * as Y from 'yjs';
import { encodeAwarenessUpdate, Awareness } from 'y-protocols/awareness';
import { LIST_SECTIONS } from '../../shared/plan.ts';
import { newEntry, richText, sectionOf, metaOf } from '../../shared/plan-doc.ts';
import { concat, HUGE_VARINTS, mutate, varUint, withLength } from './mutate.ts';
import { encodePart, nastyString, type Rng } from './prng.ts';

/**
 * Frames for the y-websocket endpoint /collab/<planId>: random and mutated, each sent on a
 * socket of its own. What a frame may do to its socket is part of the frame:
 *   reject   — malformed as an envelope: the server must close this socket with 1002;
 *   oversize — larger than the server's limit: 1009;
 *   refuse   — bad token, path or plan: a 44xx close (or no upgrade at all);
 *   any      — may be valid (random bytes, mutated updates): the socket stays open, or 1002.
 * Nothing may ever close with another code (1011: a room failed; 1006: the server died).
 */
export type Expect = 'reject' | 'oversize' | 'refuse' | 'any';

export interface CollabFrame {
  kind: string;
  expect: Expect;
  /** The frames sent, in order (usually one). */
  frames: Uint8Array[];
  /** Markers in the content of these frames (fuzz text that must never be stored unless accepted). */
  markers: string[];
  /** Send before the server has joined the socket to its room (the early-frame buffer). */
  early: boolean;
  /** How the socket authenticates: the identity index, or a broken token or path. */
  auth: { identity: number } | { broken: 'no-token' | 'bad-token' | 'bad-path' | 'unknown-plan' | 'no-access' };
}

export interface Identity {
  label: string;
  token: string;
  planId: string;
  /** A read-only session: every update it sends is refused, so its content is never stored. */
  readOnly: boolean;
}

export interface CollabContext {
  identities: Identity[];
  /** The plans' encoded state as a real client had it when the run began. */
  baseStates: Map<string, Uint8Array>;
  /** Updates a real y-websocket client sent (captured on its wire), per plan. */
  wireUpdates: Map<string, Uint8Array[]>;
  /** A token and a plan it may never open (for 4403). */
  forbiddenPlan?: { token: string; planId: string };
  maxMessageBytes: number;
  /** Prefix of every fuzz marker (unique per run). */
  markerPrefix: string;
}

/*
 * What this found (fixed since; tests/integration/fuzz.test.ts keeps a regression test each):
 * - an upgrade to /collab/<path> with a malformed percent-escape (`%E0%A4%A`): an unhandled
 *   rejection in the connection handler ended the process, no token needed;
 * - a sync step 1 with an undecodable state vector while the plan had writes pending: the
 *   deferred answer threw in a microtask and ended the process;
 * - an update that decodes but throws halfway through Y.applyUpdate: the structs before the
 *   throw were stored and broadcast without the permission check (a read-only session could
 *   write medications).
 * Still open: the map keys and root-type names of refused items stay in the stored log (their
 * content is deleted); harness.ts counts them apart.
 */

const SYNC = 0;
const AWARENESS = 1;
const QUERY_AWARENESS = 3;

const syncMessage = (step: number, payload: Uint8Array) => concat([SYNC, step], withLength(payload));

/** A fresh update built on the plan's real state by a Yjs client with a new client id, holding `marker`. */
export function markedUpdate(rng: Rng, base: Uint8Array, marker: string): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  doc.clientID = rng.uint32() || 1;
  metaOf(doc);
  for (const s of LIST_SECTIONS) doc.getArray(s);
  Y.applyUpdate(doc, base);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const sector = rng.pick(['hospital', 'municipality', 'general_practice']);
  const id = rng.uuid();
  const existing = <T>(section: (typeof LIST_SECTIONS)[number]) => sectionOf(doc, section).toArray() as unknown as T[];
  const edits: (() => void)[] = [
    () => sectionOf(doc, 'tasks').push([newEntry({ id, title: marker, sector, status: 'planned' })]),
    () => sectionOf(doc, 'goals').push([newEntry({ id, description: richText(marker), status: 'proposed', sector })]),
    () =>
      sectionOf(doc, 'notes').push([
        newEntry({ id, author: rng.uuid(), sector, created: new Date(0).toISOString(), body: richText(marker) }),
      ]),
    () => sectionOf(doc, 'medications').push([newEntry({ id, drug: marker, dose: '1 mg' })]),
    () => sectionOf(doc, 'results').push([newEntry({ id, kind: 'lab', text: marker })]),
    () =>
      sectionOf(doc, 'selfReports').push([
        newEntry({ id, kind: 'symptom', value: marker, taken: new Date(0).toISOString() }),
      ]),
    () => metaOf(doc).set('title', marker),
    () => metaOf(doc).set(marker, marker),
    () => doc.getMap(`evil-${marker}`).set('x', marker),
    () => sectionOf(doc, 'tasks').push([newEntry({ id, title: marker, sector, status: 'planned', extra: marker })]),
    () => {
      const tasks = existing<Y.Map<unknown>>('tasks');
      if (tasks.length > 0) rng.pick(tasks).set('title', marker);
      else metaOf(doc).set('title', marker);
    },
    () => {
      const notes = existing<Y.Map<unknown>>('notes');
      const body = notes.length > 0 ? (rng.pick(notes).get('body') as Y.XmlFragment | undefined) : undefined;
      const text =
        body?.get(0)?.constructor === Y.XmlElement
          ? ((body.get(0) as Y.XmlElement).get(0) as Y.XmlText | undefined)
          : undefined;
      if (text instanceof Y.XmlText) text.insert(0, marker);
      else sectionOf(doc, 'notes').push([newEntry({ id, body: richText(marker) })]);
    },
    () => {
      // A deletion and an insert in one update.
      const tasks = sectionOf(doc, 'tasks');
      doc.transact(() => {
        if (tasks.length > 0) tasks.delete(rng.int(tasks.length), 1);
        tasks.push([newEntry({ id, title: marker, sector, status: 'planned' })]);
      });
    },
  ];
  rng.pick(edits)();
  doc.destroy();
  return updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
}

function awarenessUpdate(rng: Rng, marker: string): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = rng.uint32() || 1;
  const a = new Awareness(doc);
  a.setLocalState(rng.chance(0.2) ? null : { user: { name: marker }, cursor: rng.int(1000), junk: nastyString(rng) });
  const u = encodeAwarenessUpdate(a, [doc.clientID]);
  a.destroy();
  doc.destroy();
  return u;
}

/** One frame description, drawn from `rng`. `n` numbers it (markers are unique per frame). */
export function collabFrame(rng: Rng, ctx: CollabContext, n: number): CollabFrame {
  const identity = rng.int(ctx.identities.length);
  const who = ctx.identities[identity] as Identity;
  const marker = `${ctx.markerPrefix}${n}Q`;
  const base = ctx.baseStates.get(who.planId) as Uint8Array;
  const wire = ctx.wireUpdates.get(who.planId) ?? [];
  const early = rng.chance(0.25);
  const frame = (kind: string, expect: Expect, frames: Uint8Array[], markers: string[] = []): CollabFrame => ({
    kind,
    expect,
    frames,
    markers,
    early,
    auth: { identity },
  });

  const kind = rng.weighted<string>([
    [8, 'random-bytes'],
    [2, 'empty'],
    [5, 'truncated-varint'],
    [6, 'huge-length'],
    [6, 'wrong-type'],
    [4, 'bad-sync-step'],
    [5, 'trailing-bytes'],
    [8, 'broken-update'],
    [14, 'mutated-update'],
    [8, 'mutated-wire-update'],
    [5, 'truncated-update'],
    [6, 'mutated-frame'],
    [5, 'garbage-state-vector'],
    [5, 'broken-awareness'],
    [3, 'mutated-awareness'],
    [2, 'oversize'],
    [6, 'valid-update'],
    [3, 'valid-noise'],
    [2, 'frame-flood'],
    [5, 'bad-auth'],
  ]);
  switch (kind) {
    case 'random-bytes':
      return frame(kind, 'any', [rng.bytes(rng.range(1, 96))]);
    case 'empty':
      return frame(kind, 'reject', [new Uint8Array(0)]);
    case 'truncated-varint':
      return frame(kind, 'reject', [
        rng.pick([
          Uint8Array.from([0x80]),
          Uint8Array.from([0xff, 0xff]),
          Uint8Array.from([SYNC, 0x80]),
          Uint8Array.from([SYNC, 0x02, 0xff]),
          Uint8Array.from([SYNC, 0x02, 0x85, 0x80]),
          Uint8Array.from([AWARENESS, 0x80, 0x80]),
        ]),
      ]);
    case 'huge-length': {
      const prefix = rng.pick([[SYNC, 0x00], [SYNC, 0x01], [SYNC, 0x02], [AWARENESS]]);
      return frame(kind, 'reject', [concat(prefix, rng.pick(HUGE_VARINTS.slice(0, 4)), rng.bytes(rng.range(0, 16)))]);
    }
    case 'wrong-type': {
      const type = rng.pick([2, 4, 5, 7, 9, 42, 127, 128, 300, 2 ** 20, 2 ** 31]);
      return frame(kind, 'reject', [concat(varUint(type), rng.bytes(rng.range(0, 24)))]);
    }
    case 'bad-sync-step': {
      const step = rng.pick([3, 4, 7, 127, 128, 2 ** 14]);
      return frame(
        kind,
        'reject',
        [concat([SYNC], varUint(step), withLength(markedUpdate(rng, base, marker)))],
        [marker],
      );
    }
    case 'trailing-bytes': {
      const valid = rng.pick([
        () => Uint8Array.from([QUERY_AWARENESS]),
        () => syncMessage(0, Y.encodeStateVector(new Y.Doc())),
        () => syncMessage(2, markedUpdate(rng, base, marker)),
      ])();
      return frame(kind, 'reject', [concat(valid, rng.bytes(rng.range(1, 8)))], [marker]);
    }
    case 'broken-update':
      return frame(kind, 'any', [syncMessage(rng.pick([1, 2]), rng.bytes(rng.range(0, 64)))]);
    case 'mutated-update': {
      const update = markedUpdate(rng, base, marker);
      const other = rng.chance(0.3) ? markedUpdate(rng, base, marker) : undefined;
      return frame(kind, 'any', [syncMessage(rng.pick([1, 2]), mutate(rng, update, other))], [marker]);
    }
    case 'mutated-wire-update': {
      if (wire.length === 0)
        return frame('mutated-update', 'any', [syncMessage(2, mutate(rng, markedUpdate(rng, base, marker)))], [marker]);
      const update = rng.pick(wire);
      const other = rng.chance(0.3) ? rng.pick(wire) : undefined;
      // Wire updates carry the capturing client's markers (read-only: never stored).
      return frame(kind, 'any', [syncMessage(rng.pick([1, 2]), mutate(rng, update, other))]);
    }
    case 'truncated-update': {
      const update = markedUpdate(rng, base, marker);
      return frame(kind, 'any', [syncMessage(2, update.subarray(0, rng.int(update.length)))], [marker]);
    }
    case 'mutated-frame':
      return frame(kind, 'any', [mutate(rng, syncMessage(2, markedUpdate(rng, base, marker)))], [marker]);
    case 'garbage-state-vector': {
      const sv = rng.chance(0.5) ? rng.bytes(rng.range(0, 24)) : mutate(rng, Y.encodeStateVectorFromUpdate(base));
      return frame(kind, 'any', [syncMessage(0, sv)]);
    }
    case 'broken-awareness':
      return frame(kind, 'any', [concat([AWARENESS], withLength(rng.bytes(rng.range(0, 48))))]);
    case 'mutated-awareness':
      return frame(kind, 'any', [concat([AWARENESS], withLength(mutate(rng, awarenessUpdate(rng, marker))))]);
    case 'oversize':
      return frame(kind, 'oversize', [
        concat([SYNC, 2], varUint(ctx.maxMessageBytes), rng.bytes(ctx.maxMessageBytes + rng.range(1, 512))),
      ]);
    case 'valid-update':
      return frame(kind, 'any', [syncMessage(rng.pick([1, 2]), markedUpdate(rng, base, marker))], [marker]);
    case 'valid-noise':
      return frame(kind, 'any', [
        rng.pick([
          () => Uint8Array.from([QUERY_AWARENESS]),
          () => syncMessage(0, Y.encodeStateVectorFromUpdate(base)),
          () => concat([AWARENESS], withLength(awarenessUpdate(rng, marker))),
        ])(),
      ]);
    case 'frame-flood': {
      // More frames than the early buffer holds, or a burst of small valid ones.
      const count = rng.range(20, 80);
      return {
        ...frame(
          kind,
          'any',
          Array.from({ length: count }, () => Uint8Array.from([QUERY_AWARENESS])),
        ),
        early: true,
      };
    }
    default: {
      const broken = rng.pick(['no-token', 'bad-token', 'bad-path', 'unknown-plan', 'no-access'] as const);
      return {
        kind: `bad-auth:${broken}`,
        expect: 'refuse',
        frames: [syncMessage(2, markedUpdate(rng, base, marker))],
        markers: [marker],
        early: true,
        auth: { broken },
      };
    }
  }
}

export type FrameOutcome =
  | { closed: number; reason: string; opened: boolean }
  | { closed: null; alive: true }
  | { error: string };

/** The socket URL a frame's auth asks for. */
function socketUrl(wsBase: string, f: CollabFrame, ctx: CollabContext, rng: Rng): string {
  if ('identity' in f.auth) {
    const who = ctx.identities[f.auth.identity] as Identity;
    return `${wsBase}/collab/${who.planId}?token=${encodePart(who.token)}`;
  }
  const any = ctx.identities[0] as Identity;
  switch (f.auth.broken) {
    case 'no-token':
      return `${wsBase}/collab/${any.planId}`;
    case 'bad-token':
      return `${wsBase}/collab/${any.planId}?token=${encodePart(rng.pick([nastyString(rng), `${any.token}x`, any.token.slice(0, -3), 'eyJhbGciOiJub25lIn0.e30.']))}`;
    case 'bad-path': {
      // Paths are sent as they are: a malformed percent-escape must not upset the server.
      const paths = [
        '',
        '..',
        'not-a-uuid',
        '%2e%2e',
        '%E0%A4%A',
        '%ZZ',
        `${any.planId}%`,
        encodePart(nastyString(rng).slice(0, 200)),
        `${any.planId}/x`,
        `${any.planId}%20`,
      ];
      return `${wsBase}/collab/${rng.pick(paths)}?token=${encodePart(any.token)}`;
    }
    case 'unknown-plan':
      return `${wsBase}/collab/${rng.uuid()}?token=${encodePart(any.token)}`;
    default: {
      const f2 = ctx.forbiddenPlan ?? { token: any.token, planId: rng.uuid() };
      return `${wsBase}/collab/${f2.planId}?token=${encodePart(f2.token)}`;
    }
  }
}

/**
 * Opens a socket, sends the frame(s) (before or after the server joined it to the room), then
 * a ping: a pong means every frame before it was handled and the socket is still open (the
 * server handles a socket's frames in order, synchronously, once it is joined). Resolves with
 * the close code, or alive; never rejects. Bounded by `timeoutMs`.
 */
export function sendCollabFrame(
  wsBase: string,
  f: CollabFrame,
  ctx: CollabContext,
  rng: Rng,
  timeoutMs = 10_000,
): Promise<FrameOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(socketUrl(wsBase, f, ctx, rng), {
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
    });
    let settled = false;
    let joined = false;
    let sent = false;
    const done = (o: FrameOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!('closed' in o) || o.closed === null) {
        // Ours to close now; wait for nothing more.
        ws.removeAllListeners('message');
        ws.on('error', () => {});
        if (ws.readyState === WebSocket.OPEN) ws.close(1000);
        else ws.terminate();
      }
      resolve(o);
    };
    const timer = setTimeout(
      () => done({ error: `no answer within ${timeoutMs} ms (joined: ${joined}, sent: ${sent})` }),
      timeoutMs,
    );
    const sendFrames = () => {
      if (sent || ws.readyState !== WebSocket.OPEN) return;
      sent = true;
      for (const frame of f.frames) ws.send(frame);
      ws.ping();
    };
    ws.on('open', () => {
      if (f.early) sendFrames();
    });
    ws.on('message', () => {
      // The first message is the server's sync step 1: the socket is joined to its room.
      if (joined) return;
      joined = true;
      if (!f.early) sendFrames();
    });
    ws.on('pong', () => {
      if (joined) done({ closed: null, alive: true });
      // An early ping is answered before the room is joined: ping again once joined.
      else ws.once('message', () => ws.readyState === WebSocket.OPEN && ws.ping());
    });
    let opened = false;
    ws.once('open', () => (opened = true));
    ws.on('close', (code, reason) => done({ closed: code, reason: reason.toString(), opened }));
    ws.on('error', (err) => {
      // A refused upgrade or a reset: the close event follows (1006) unless it never opened.
      if (ws.readyState === WebSocket.CLOSED) done({ error: err.message });
    });
  });
}

/** What a frame's outcome means: null when allowed, else what went wrong. */
export function judgeCollab(f: CollabFrame, o: FrameOutcome): string | null {
  if ('error' in o) return o.error;
  const code = o.closed;
  switch (f.expect) {
    case 'reject':
      return code === 1002 ? null : `expected a 1002 close, got ${code === null ? 'an open socket' : code}`;
    case 'oversize':
      return code === 1009 ? null : `expected a 1009 close, got ${code === null ? 'an open socket' : code}`;
    case 'refuse':
      // Refused with a 44xx close, or at the HTTP level (a URL too long for Node, a path that
      // is not /collab after normalisation): the upgrade never happens.
      if (code !== null && code >= 4400 && code < 4500) return null;
      if ('opened' in o && !o.opened) return null;
      return `expected a 44xx close, got ${code === null ? 'an open socket' : code}`;
    default:
      return code === null || code === 1002 || code === 1009
        ? null
        : `unexpected close ${code} ${'reason' in o ? o.reason : ''}`;
  }
}
