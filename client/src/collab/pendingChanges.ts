import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { MessageType } from '../../../shared/protocol.ts';
import { pendingCount, setPendingCount } from '../offline/device.ts';

/**
 * Local edits of the same thing closer together than this are one change (typing a word in one
 * field is one change, not ten). Adding or removing entries is always a change of its own.
 */
const COALESCE_MS = 1_500;
/** After an edit, the server is asked to confirm it this much later (edits in between share the question). */
const CONFIRM_AFTER_MS = 300;
/** y-protocols sync message subtypes. */
const SYNC_STEP_2 = 1;

/**
 * "Changes waiting": local edits the server has not yet confirmed to have stored (or refused).
 *
 * How the server confirms: CareHub's room answers a sync step 1 only once every update it has
 * received before it is stored (plan-room.ts, handleSyncStep1 waits for the group commit), and a
 * WebSocket delivers in order. So after our edits went out, we send a sync step 1 of our own (a
 * "confirmation question"); its step-2 answer means everything sent before the question is stored
 * or was refused. The count of edits at the time of the question is then subtracted.
 *
 * The count is kept per plan in localStorage, so it survives a reload or closing the app while
 * offline (the edits themselves are in IndexedDB). Edits are counted when they are made, online
 * or offline: each local transaction is a change, except that a transaction touching exactly
 * what the previous one touched (the same field or text), less than COALESCE_MS later, is part
 * of the same change.
 */
type SyncHandler = WebsocketProvider['messageHandlers'][number];

export class PendingChanges {
  /** Changes counted so far (starting with those kept from before a reload) … */
  private made: number;
  /** … and how many of them the server has confirmed. */
  private acked = 0;
  private lastLocal = 0;
  private lastTarget = '';
  private readonly typeIds = new WeakMap<object, number>();
  private nextTypeId = 1;
  private asked: number[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** True from a reconnect with edits waiting until the server confirmed them. */
  catchingUp = false;
  private readonly originalSync: SyncHandler;

  constructor(
    private readonly planId: string,
    private readonly doc: Y.Doc,
    private readonly provider: WebsocketProvider,
    /** Origins of updates that are not the person's own edits (the provider, the IndexedDB store). */
    private readonly foreign: readonly unknown[],
    private readonly onChange: (count: number) => void,
  ) {
    this.made = pendingCount(planId);
    doc.on('afterTransaction', this.onTransaction);
    provider.on('sync', this.onSync);
    provider.on('status', this.onStatus);
    this.originalSync = provider.messageHandlers[MessageType.sync]!;
    provider.messageHandlers[MessageType.sync] = (encoder, decoder, p, emitSynced, messageType) => {
      const step = decoding.peekVarUint(decoder);
      // Questions already out before this message (the handler below may ask a new one).
      const outstanding = this.asked.length;
      this.originalSync(encoder, decoder, p, emitSynced, messageType);
      if (step === SYNC_STEP_2 && outstanding > 0) this.confirmed(this.asked.shift() ?? this.acked);
    };
  }

  get value(): number {
    return this.made - this.acked;
  }

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.doc.off('afterTransaction', this.onTransaction);
    this.provider.off('sync', this.onSync);
    this.provider.off('status', this.onStatus);
    this.provider.messageHandlers[MessageType.sync] = this.originalSync;
  }

  private changed(): void {
    setPendingCount(this.planId, this.value);
    this.onChange(this.value);
  }

  /** What a transaction touched: the changed types (by identity) and keys; null when it added or removed entries. */
  private targetOf(transaction: Y.Transaction): string | null {
    const roots = new Set<unknown>(this.doc.share.values());
    const parts: string[] = [];
    for (const [type, keys] of transaction.changed) {
      if (roots.has(type) && type instanceof Y.Array) return null;
      let id = this.typeIds.get(type);
      if (id === undefined) {
        id = this.nextTypeId++;
        this.typeIds.set(type, id);
      }
      parts.push(`${id}:${[...keys].map(String).sort().join(',')}`);
    }
    return parts.sort().join('|');
  }

  private readonly onTransaction = (transaction: Y.Transaction) => {
    // Updates applied from the server or from IndexedDB are not the person's edits.
    if (!transaction.local || this.foreign.includes(transaction.origin)) return;
    if (transaction.changed.size === 0 && transaction.deleteSet.clients.size === 0) return;
    const now = Date.now();
    const target = this.targetOf(transaction);
    const sameChange =
      target !== null && target === this.lastTarget && now - this.lastLocal <= COALESCE_MS && this.value > 0;
    if (!sameChange) {
      this.made++;
      this.changed();
    }
    this.lastLocal = now;
    this.lastTarget = target ?? '';
    this.askSoon();
  };

  private readonly onSync = (synced: boolean) => {
    if (!synced) return;
    // Our reply to the server's step 1 (everything it lacks, offline edits included) has gone
    // out before this point: ask now whether it is stored.
    if (this.value > 0) {
      this.catchingUp = true;
      this.ask();
    }
  };

  private readonly onStatus = ({ status }: { status: string }) => {
    // Answers to questions asked on a closed connection never come.
    if (status !== 'connected') this.asked = [];
  };

  private askSoon(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask();
    }, CONFIRM_AFTER_MS);
  }

  private ask(): void {
    const ws = this.provider.ws;
    if (!this.provider.synced || !ws || ws.readyState !== WebSocket.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    ws.send(encoding.toUint8Array(encoder));
    this.asked.push(this.made);
    // The next edit is a new change even if it follows at once: this question does not cover it.
    this.lastLocal = 0;
    this.lastTarget = '';
  }

  private confirmed(through: number): void {
    this.acked = Math.max(this.acked, through);
    this.changed();
    if (this.asked.length === 0) this.catchingUp = false;
  }
}
