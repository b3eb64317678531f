import type { PlanPersistence } from './plan-persistence.ts';
import { PlanRoom, type PlanRoomDeps } from './plan-room.ts';

export interface PlanRoomsDeps extends Omit<PlanRoomDeps, 'onIdle'> {
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
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();

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
      pending = PlanRoom.load(planId, persistence(planId), { ...deps, onIdle: (room) => this.onIdle(room) }).then(
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
  }
}
