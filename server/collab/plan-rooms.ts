import type { PlanPersistence } from './plan-persistence.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { PlanRoom, type PlanRoomDeps } from './plan-room.ts';
import type { RoomConnection } from './room-connection.ts';

/** Reloads of a plan after failures counted over this window … */
export const RELOAD_WINDOW_MS = 10 * 60_000;
/** … at most this many; past it, a failure closes the plan's connections (1011) as a failed write does. */
export const MAX_RELOADS = 10;
/** One user's updates failing a plan's room this often in the window: that user is kept off the plan until it ends. */
export const MAX_FAILURES_PER_USER = 3;

export interface PlanRoomsDeps extends Omit<PlanRoomDeps, 'onIdle' | 'onFailed'> {
  /** Where a plan's changes are kept: one node, or several (server/cluster). */
  persistence(planId: string): PlanPersistence;
}

/**
 * The open plans of this node. One shared load per plan however many clients join at once;
 * a failed load refuses every waiting join and is forgotten, so the next join tries again
 * (and nothing was written: an unloaded plan is never stored from an empty document).
 */
export class PlanRooms {
  private readonly rooms = new Map<string, PlanRoom>();
  private readonly loading = new Map<string, Promise<PlanRoom>>();
  /** Unloaded rooms (failed ones) with changes still on their way to the store: the plan loads after them. */
  private readonly settling = new Map<string, Promise<void>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  /** Per plan: when its room failed, and whose update failed it, within RELOAD_WINDOW_MS. */
  private readonly failures = new Map<string, { at: number; culprit: string | null }[]>();

  constructor(
    private readonly deps: PlanRoomsDeps,
    private readonly idleUnloadMs: number,
  ) {}

  get openCount(): number {
    return this.rooms.size;
  }

  get(planId: string): PlanRoom | undefined {
    return this.rooms.get(planId);
  }

  async open(planId: string): Promise<PlanRoom> {
    const timer = this.idleTimers.get(planId);
    if (timer) {
      clearTimeout(timer);
      this.idleTimers.delete(planId);
    }
    const open = this.rooms.get(planId);
    if (open) return open;
    let pending = this.loading.get(planId);
    if (!pending) {
      const { persistence, ...deps } = this.deps;
      const load = () =>
        PlanRoom.load(planId, persistence(planId), {
          ...deps,
          onIdle: (room) => this.onIdle(room),
          onFailed: (room, survivors, culprit) => this.onFailed(room, survivors, culprit),
        });
      // A failed room's checked changes still being stored are read by this load, not missed.
      const settling = this.settling.get(planId);
      pending = (settling ? settling.then(load) : load()).then(
        (room) => {
          this.loading.delete(planId);
          this.rooms.set(planId, room);
          return room;
        },
        (err: unknown) => {
          this.loading.delete(planId);
          throw err;
        },
      );
      this.loading.set(planId, pending);
    }
    return pending;
  }

  /** Runs `fn` on the plan's room, loading it if needed, and lets it unload afterwards. */
  async withRoom<T>(planId: string, fn: (room: PlanRoom) => T | Promise<T>): Promise<T> {
    const room = await this.open(planId);
    const release = room.hold();
    try {
      return await fn(room);
    } finally {
      release();
    }
  }

  /** Closes every room (shutdown): connections are told to reconnect elsewhere. */
  closeAll(code: number, reason: string): void {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    for (const room of [...this.rooms.values()]) room.close(code, reason);
  }

  /**
   * Has `userId`'s updates failed this plan's room MAX_FAILURES_PER_USER times lately? Then
   * they are kept off it until RELOAD_WINDOW_MS has passed (their client resends the same
   * update on every reconnect, and each failure reloads the plan).
   */
  barred(planId: string, userId: string): boolean {
    return this.recentFailures(planId).filter((f) => f.culprit === userId).length >= MAX_FAILURES_PER_USER;
  }

  private recentFailures(planId: string): { at: number; culprit: string | null }[] {
    const now = Date.now();
    const recent = (this.failures.get(planId) ?? []).filter((f) => now - f.at < RELOAD_WINDOW_MS);
    if (recent.length > 0) this.failures.set(planId, recent);
    else this.failures.delete(planId);
    return recent;
  }

  /**
   * A room failed on one connection's update: the plan is loaded afresh from the store and the
   * other connections move to it, so one bad update costs its sender only. Bounded: past
   * MAX_RELOADS in the window, they are closed instead (1011).
   */
  private onFailed(room: PlanRoom, survivors: RoomConnection[], culprit: string | null): void {
    this.unload(room);
    const recent = this.recentFailures(room.planId);
    recent.push({ at: Date.now(), culprit });
    this.failures.set(room.planId, recent);
    const movable = survivors.filter((c) => c.moveTo);
    for (const c of survivors)
      if (!c.moveTo || recent.length > MAX_RELOADS)
        c.close(CloseCode.internalError, 'the plan could not be saved; reconnecting');
    if (recent.length > MAX_RELOADS || movable.length === 0) return;
    const next = this.open(room.planId);
    // Held until every connection has moved in, so the new room does not unload meanwhile.
    const held = next.then((r) => r.hold());
    for (const c of movable) c.moveTo?.(next);
    held.then(
      (release) => setImmediate(release),
      () => undefined,
    );
  }

  private onIdle(room: PlanRoom): void {
    // A failed room is never joined again: the next join loads the plan afresh from the store.
    if (room.isClosed || room.hasFailed || this.idleUnloadMs === 0) {
      this.unload(room);
      return;
    }
    if (this.idleTimers.has(room.planId)) return;
    this.idleTimers.set(
      room.planId,
      setTimeout(() => {
        this.idleTimers.delete(room.planId);
        if (room.isIdle) this.unload(room);
      }, this.idleUnloadMs).unref(),
    );
  }

  private unload(room: PlanRoom): void {
    if (this.rooms.get(room.planId) === room) this.rooms.delete(room.planId);
    room.destroy();
    if (!room.writesPending) return;
    const settled = room.writesSettled();
    const settling = this.settling.get(room.planId);
    const after = settling ? Promise.all([settling, settled]).then(() => undefined) : settled;
    this.settling.set(room.planId, after);
    void after.then(() => {
      if (this.settling.get(room.planId) === after) this.settling.delete(room.planId);
    });
  }
}
