import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { nastyString, randomJson, type Rng } from './prng.ts';

/**
 * Garbage for the Socket.IO endpoint: through a real socket.io-client (random auth, random
 * and unknown events with random payloads, with and without acks), and as raw Engine.IO /
 * Socket.IO packets over a WebSocket (malformed packets, bad JSON, absurd ack ids, binary
 * placeholders without attachments). The server must answer an acknowledged `plan:watch` or
 * `plan:unwatch` with {ok: boolean}, refuse bad auth with a connect error, and never crash.
 */
export interface SocketIoContext {
  tokens: string[];
  planIds: string[];
}

export interface SocketIoOutcome {
  kind: string;
  /** What happened, for the counts. */
  result: 'connected' | 'refused' | 'closed' | 'answered' | 'no-answer';
  /** A broken promise: an ack with the wrong shape, a valid connection refused, a hang. */
  problem?: string;
}

const EVENTS = ['plan:watch', 'plan:unwatch'];

function randomPayload(rng: Rng, ctx: SocketIoContext): unknown {
  return rng.weighted<() => unknown>([
    [3, () => randomJson(rng)],
    [2, () => ({ planId: rng.pick(ctx.planIds) })],
    [2, () => ({ planId: rng.uuid() })],
    [2, () => ({ planId: rng.chance(0.5) ? nastyString(rng) : randomJson(rng, 1) })],
    [1, () => ({ planId: rng.pick(ctx.planIds), extra: randomJson(rng) })],
    [1, () => Buffer.from(rng.bytes(rng.range(0, 64)))],
    [1, () => undefined],
    [1, () => ({ __proto__: { planId: rng.pick(ctx.planIds) } })],
  ])();
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
  ]);
}

/** A socket.io-client session: random auth, then a handful of random emits. */
async function clientSession(baseUrl: string, rng: Rng, ctx: SocketIoContext): Promise<SocketIoOutcome> {
  const validAuth = rng.chance(0.75);
  const auth = validAuth
    ? { token: rng.pick(ctx.tokens) }
    : rng.pick<() => Record<string, unknown>>([
        () => ({}),
        () => ({ token: nastyString(rng) }),
        () => ({ token: rng.uint32() }),
        () => ({ token: randomJson(rng) }),
        () => ({ token: `${rng.pick(ctx.tokens)}x` }),
      ])();
  const socket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false, timeout: 5000, forceNew: true });
  try {
    const connected = await withTimeout(
      new Promise<boolean>((resolve) => {
        socket.once('connect', () => resolve(true));
        socket.once('connect_error', () => resolve(false));
      }),
      5000,
      false,
    );
    if (!connected) {
      return validAuth
        ? { kind: 'client', result: 'refused', problem: 'a valid token was refused' }
        : { kind: 'client', result: 'refused' };
    }
    if (!validAuth) return { kind: 'client', result: 'connected', problem: 'an invalid token was let in' };
    let problem: string | undefined;
    for (let i = rng.range(1, 8); i > 0 && socket.connected; i--) {
      const event = rng.chance(0.7)
        ? rng.pick(EVENTS)
        : rng.pick([
            'plan:watched',
            'result:filed',
            'notification',
            '__proto__',
            'constructor',
            nastyString(rng).slice(0, 100) || 'x',
          ]);
      const args = Array.from(
        {
          length: rng.weighted([
            [6, 1],
            [2, 0],
            [2, 2],
            [1, 5],
          ] as const),
        },
        () => randomPayload(rng, ctx),
      );
      const wantsAck = EVENTS.includes(event) && rng.chance(0.7);
      if (!wantsAck) {
        try {
          socket.emit(event, ...args);
        } catch {
          // socket.io-client refuses reserved names; nothing reached the server
        }
        continue;
      }
      // An earlier emit may have been too large: the server then closes the session, and no
      // answer comes (the disconnect does).
      const reply = await withTimeout(
        new Promise<unknown>((resolve) => {
          socket.once('disconnect', () => resolve(Symbol.for('disconnected')));
          socket.emit(event, ...(args.length > 0 ? args.slice(0, 1) : [undefined]), (r: unknown) => resolve(r));
        }),
        5000,
        Symbol.for('no-answer'),
      );
      if (reply === Symbol.for('disconnected')) return { kind: 'client', result: 'closed' };
      if (reply === Symbol.for('no-answer')) problem = `no answer to ${event}`;
      else if (typeof reply !== 'object' || reply === null || typeof (reply as { ok?: unknown }).ok !== 'boolean')
        problem = `${event} answered ${JSON.stringify(reply)}`;
    }
    return { kind: 'client', result: 'answered', problem };
  } finally {
    socket.disconnect();
  }
}

/** Raw packets over the Engine.IO WebSocket transport. */
async function rawSession(wsBase: string, rng: Rng, ctx: SocketIoContext): Promise<SocketIoOutcome> {
  const ws = new WebSocket(`${wsBase}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  ws.on('error', () => {});
  const messages: string[] = [];
  const waiters: ((m: string | null) => void)[] = [];
  ws.on('message', (d) => {
    const m = String(d);
    messages.push(m);
    for (const w of waiters.splice(0)) w(m);
  });
  ws.once('close', () => {
    for (const w of waiters.splice(0)) w(null);
  });
  /** The next message matching `pred` (or null when the socket closes first), bounded. */
  const next = (pred: (m: string) => boolean, ms: number): Promise<string | null | 'timeout'> =>
    withTimeout(
      new Promise<string | null>((resolve) => {
        const found = messages.find(pred);
        if (found !== undefined) return resolve(found);
        if (ws.readyState === WebSocket.CLOSED) return resolve(null);
        const wait = (m: string | null) => (m === null || pred(m) ? resolve(m) : waiters.push(wait));
        waiters.push(wait);
      }),
      ms,
      'timeout' as const,
    );
  try {
    const open = await next((m) => m.startsWith('0'), 5000);
    if (open === null || open === 'timeout')
      return { kind: 'raw', result: 'closed', problem: 'no Engine.IO open packet' };
    const token = rng.pick(ctx.tokens);
    const join = rng.chance(0.7);
    if (join) {
      ws.send(`40${JSON.stringify({ token })}`);
      const joined = await next((m) => m.startsWith('40') || m.startsWith('44'), 5000);
      if (joined === 'timeout')
        return { kind: 'raw', result: 'no-answer', problem: 'no answer to a namespace connect' };
      if (joined === null || !joined.startsWith('40'))
        return { kind: 'raw', result: 'closed', problem: 'a valid token was refused' };
    }
    const planId = rng.pick(ctx.planIds);
    // [packet, may it end the session or the namespace (then no answer is expected)]
    const garbage = (): [string | Buffer, boolean] =>
      rng.pick<() => [string | Buffer, boolean]>([
        () => ['4', false],
        () => ['42', false],
        () => ['42[', false],
        () => ['42["plan:watch"', false],
        () => [`42["plan:watch",${JSON.stringify(randomJson(rng))}]`, false],
        () => [`4299999999999999999999["plan:watch",{"planId":"${planId}"}]`, false],
        () => [`42-1["plan:watch",{"planId":"${planId}"}]`, false],
        () => ['451-["plan:watch",{"_placeholder":true,"num":0}]', false],
        () => ['452-["plan:watch",{"_placeholder":true,"num":7}]', false],
        () => ['43', false],
        () => ['431[{"ok":true}]', false],
        () => ['44{"message":"x"}', false],
        () => ['41', true],
        () => ['40{"token":', true],
        () => [`40/admin,${JSON.stringify({ token })}`, true],
        () => [`42/nope,["plan:watch",{"planId":"${planId}"}]`, false],
        () => ['4x', false],
        () => ['9', false],
        () => ['1', true],
        () => ['5', false],
        () => ['6', false],
        () => ['2probe', false],
        () => [`42${JSON.stringify([nastyString(rng), randomJson(rng)])}`, false],
        () => [nastyString(rng), false],
        () => [Buffer.from(rng.bytes(rng.range(1, 64))), false],
        () => [`42[${'['.repeat(rng.range(100, 60_000))}`, false],
      ])();
    let silencing = !join;
    for (let i = rng.range(1, 6); i > 0 && ws.readyState === WebSocket.OPEN; i--) {
      const [packet, ends] = garbage();
      silencing ||= ends;
      ws.send(packet);
    }
    if (silencing || ws.readyState !== WebSocket.OPEN) return { kind: 'raw', result: 'closed' };
    // A well-formed acknowledged plan:watch: answered (431[…]) if the session survived, else closed.
    ws.send(`421["plan:watch",{"planId":"${planId}"}]`);
    const answer = await next((m) => m.startsWith('431'), 5000);
    if (answer === 'timeout') return { kind: 'raw', result: 'no-answer' };
    return { kind: 'raw', result: answer === null ? 'closed' : 'answered' };
  } finally {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
  }
}

export function socketIoAction(baseUrl: string, rng: Rng, ctx: SocketIoContext): Promise<SocketIoOutcome> {
  return rng.chance(0.7) ? clientSession(baseUrl, rng, ctx) : rawSession(baseUrl.replace(/^http/, 'ws'), rng, ctx);
}
