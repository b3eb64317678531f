/**
 * The contract between a plan's room (server/collab/plan-room.ts) and the cluster layer.
 * Without REDIS_URL a room has no link and behaves as a single node.
 */

/** Transaction and awareness origin of changes from other nodes: already checked and stored there. */
export const FROM_CLUSTER = Object.freeze({ kind: 'cluster' as const });

/** What a plan's room offers the cluster. */
export interface ClusterRoom {
  readonly planId: string;
  /** Applies updates another node stored (origin FROM_CLUSTER: not checked, not stored, sent to local clients). */
  applyFromCluster(updates: Uint8Array[]): void;
  applyAwarenessFromCluster(update: Uint8Array): void;
  /** The merged state, or null while this node's own writes are pending (a checkpoint holds stored updates only). */
  checkpointState(): Uint8Array | null;
}

/** One plan's place in the cluster, for as long as its room is open on this node. */
export interface PlanLink {
  /** The room is loaded with every update up to `loadedSeq`; messages that came meanwhile are applied now. */
  attach(room: ClusterRoom, loadedSeq: number): void;
  /** This node stored one of its own updates under `seq`. */
  committed(seq: number): void;
  /** Sends this node's stored updates to the other nodes. */
  publish(items: { seq: number; update: Uint8Array }[]): void;
  publishAwareness(update: Uint8Array): void;
  /** A checkpoint is due: written by one node at a time, at the highest seq this node holds every update up to. */
  writeCheckpoint(): void;
  /** Resolves once every update the store held when this was called is applied to the room. */
  caughtUp(): Promise<void>;
  leave(): void;
}

export interface PlanCluster {
  /** Subscribes to the plan's channel (messages are kept until `attach`). */
  join(planId: string): Promise<PlanLink>;
}
