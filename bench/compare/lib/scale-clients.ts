/**
 * The scale scenario's clients in one load-client process: every client of a plan lives in
 * the same process, edits its own note every `editEverySeconds` and sends its caret (awareness)
 * every `presenceEverySeconds`, each at a random phase. Fan-out latency is measured in-process
 * (sent → each peer of the plan received it) into a 0.1 ms histogram; errors are counted
 * (sockets closed by the server, refusals); at the end every client's view of every peer's
 * edits is compared with what the peer sent (convergence).
 */
import * as Y from 'yjs';
import { NoteTyping } from './edits.ts';
import { awarenessFrame, updateFrame, WireClient, type Endpoint } from './wire.ts';

export interface ScaleEndpoint {
  ep: Endpoint;
  /** Global writer number (the Yjs client id is writerClientId(writer)). */
  writer: number;
  /** The user the client signs in as: the author of its note. */
  author: string;
}

interface ScaleClient {
  c: WireClient;
  typing: NoteTyping;
  plan: string;
  /** Per peer writer (Yjs client id): the clock its updates have brought this client to. */
  seen: Map<number, number>;
  presenceClock: number;
}

const BUCKET_MS = 0.1;
const MAX_MS = 60_000;

const wall = (): number => performance.timeOrigin + performance.now();

export class ScaleClients {
  private readonly clients: ScaleClient[] = [];
  private readonly byPlan = new Map<string, ScaleClient[]>();
  /** Per writer client id: clock → [sent at, receipts so far]. */
  private readonly sent = new Map<number, Map<number, [number, number]>>();
  private histogram = new Uint32Array(MAX_MS / BUCKET_MS + 1);
  private measuring = false;
  private timers: NodeJS.Timeout[] = [];
  errors = { closed: 0, refused: 0, openFailed: 0, lastError: '' };
  edits = 0;
  presence = 0;

  async connect(endpoints: ScaleEndpoint[], concurrency: number): Promise<{ opened: number; failed: number }> {
    let next = 0;
    const lane = async () => {
      while (next < endpoints.length) {
        const { ep, writer, author } = endpoints[next++] as ScaleEndpoint;
        const c = new WireClient(ep);
        const client: ScaleClient = {
          c,
          typing: new NoteTyping(writer, author),
          plan: ep.doc,
          seen: new Map(),
          presenceClock: 0,
        };
        try {
          await c.open(120_000);
        } catch (err) {
          this.errors.openFailed++;
          this.errors.lastError = (err as Error).message;
          continue;
        }
        c.onClosed = (code, reason) => {
          this.errors.closed++;
          this.errors.lastError = `closed ${code} ${reason}`;
        };
        c.onRefused = () => this.errors.refused++;
        c.onUpdate = (payload) => this.received(client, payload);
        this.clients.push(client);
        const group = this.byPlan.get(client.plan) ?? [];
        group.push(client);
        this.byPlan.set(client.plan, group);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, endpoints.length) }, lane));
    return { opened: this.clients.length, failed: this.errors.openFailed };
  }

  private received(client: ScaleClient, payload: Uint8Array): void {
    const at = wall();
    const group = this.byPlan.get(client.plan);
    if (!group) return;
    for (const [writer, clock] of Y.parseUpdateMeta(payload).to) {
      if (writer === client.typing.clientId) continue;
      if ((client.seen.get(writer) ?? 0) < clock) client.seen.set(writer, clock);
      const sent = this.sent.get(writer)?.get(clock);
      if (!sent) continue;
      if (this.measuring) {
        const bucket = Math.min(Math.round((at - sent[0]) / BUCKET_MS), this.histogram.length - 1);
        this.histogram[bucket] = (this.histogram[bucket] as number) + 1;
      }
      sent[1]++;
      if (sent[1] >= group.length - 1) this.sent.get(writer)?.delete(clock);
    }
  }

  private edit(client: ScaleClient): void {
    if (client.c.closed) return;
    const { update, clock } = client.typing.next();
    let mine = this.sent.get(client.typing.clientId);
    if (!mine) this.sent.set(client.typing.clientId, (mine = new Map()));
    mine.set(clock, [wall(), 0]);
    client.c.send(updateFrame(client.c.ep, update));
    this.edits++;
  }

  private sendPresence(client: ScaleClient): void {
    if (client.c.closed) return;
    client.presenceClock++;
    // A caret in the notes section, as Tiptap's CollaborationCaret sends it (positions vary).
    const at = { type: null, tname: 'notes', item: null, assoc: client.presenceClock % 2 };
    client.c.send(awarenessFrame(client.typing.clientId, client.presenceClock, { cursor: { anchor: at, head: at } }));
    this.presence++;
  }

  /** Starts editing and presence, each client at random phases (its first edit adds its note). */
  start(editEverySeconds: number, presenceEverySeconds: number): void {
    for (const client of this.clients) {
      const editPhase = Math.random() * editEverySeconds * 1000;
      const presencePhase = Math.random() * presenceEverySeconds * 1000;
      this.timers.push(
        setTimeout(() => {
          this.edit(client);
          this.timers.push(setInterval(() => this.edit(client), editEverySeconds * 1000));
        }, editPhase),
        setTimeout(() => {
          this.sendPresence(client);
          this.timers.push(setInterval(() => this.sendPresence(client), presenceEverySeconds * 1000));
        }, presencePhase),
      );
    }
  }

  measure(on: boolean): void {
    this.measuring = on;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** Clients that lack a peer's last edit; `waitMs`: waits (polling) until none does or the time is up. */
  async unconverged(waitMs: number): Promise<number> {
    const until = Date.now() + waitMs;
    for (;;) {
      let behind = 0;
      for (const group of this.byPlan.values())
        for (const client of group)
          for (const peer of group) {
            if (peer === client) continue;
            const last = Y.getState(peer.typing.doc.store, peer.typing.clientId);
            if ((client.seen.get(peer.typing.clientId) ?? 0) < last) behind++;
          }
      if (behind === 0 || Date.now() > until) return behind;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Every writer's final clock, per plan: what the store must hold. */
  finalClocks(): [string, number, number][] {
    return this.clients.map((c) => [c.plan, c.typing.clientId, Y.getState(c.typing.doc.store, c.typing.clientId)]);
  }

  /** The latency histogram as [bucket, count] pairs (bucket × 0.1 ms), and resets it. */
  takeHistogram(): number[] {
    const out: number[] = [];
    this.histogram.forEach((n, i) => {
      if (n > 0) out.push(i, n);
    });
    this.histogram = new Uint32Array(MAX_MS / BUCKET_MS + 1);
    return out;
  }

  held(): number {
    return this.clients.filter((c) => !c.c.closed).length;
  }

  closeAll(): void {
    this.stop();
    for (const c of this.clients) c.c.close();
    this.clients.length = 0;
    this.byPlan.clear();
    this.sent.clear();
  }
}

export const SCALE_BUCKET_MS = BUCKET_MS;
