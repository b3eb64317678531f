import * as Y from 'yjs';

/**
 * A plan loaded as one stored update (a checkpoint with no tail after it), held as its bytes
 * while the room's document is not built (PlanRoom, issue 20): clients are answered from the
 * bytes, and what the room must know of the plan meanwhile is read from them, each at most once.
 */
export class StoredPlan {
  private vector: Uint8Array | null = null;
  private clocks: Map<number, number> | null = null;
  /** What the plan holds (its deletions too), to tell an update that adds nothing. */
  private snapshot: Y.Snapshot | null = null;

  constructor(readonly state: Uint8Array) {}

  /** The plan's state vector (read from the bytes: it decodes every struct). */
  stateVector(): Uint8Array {
    this.vector ??= Y.encodeStateVectorFromUpdate(this.state);
    return this.vector;
  }

  /** Whether the plan holds changes written with this Yjs client id. */
  holdsClient(client: number): boolean {
    return this.clockOf().has(client);
  }

  /**
   * What a client with `stateVector` lacks, as one update (sync step 2): the bytes as they are
   * for a client with nothing (a new tab, the usual cold open), else the difference, computed
   * on the bytes.
   */
  missingFor(stateVector: Uint8Array): Uint8Array {
    return Y.decodeStateVector(stateVector).size === 0 ? this.state : Y.diffUpdate(this.state, stateVector);
  }

  /**
   * Whether the plan already holds all of `update` (every struct, every deletion): a client's
   * answer to the server's sync step 1 after syncing from the bytes, as a rule. False for
   * anything else, and for an update that cannot be read (the guard then sees it).
   */
  holdsUpdate(update: Uint8Array): boolean {
    try {
      const clocks = this.clockOf();
      const { structs, ds } = Y.decodeUpdate(update);
      for (const struct of structs)
        if (struct.id.clock + struct.length > (clocks.get(struct.id.client) ?? 0)) return false;
      if (ds.clients.size === 0) return true;
      // Deletions: compared with the plan's, read once (it decodes every struct of the plan).
      this.snapshot ??= Y.createSnapshot(Y.mergeDeleteSets([Y.decodeUpdate(this.state).ds]), clocks);
      return Y.snapshotContainsUpdate(this.snapshot, update);
    } catch {
      return false;
    }
  }

  private clockOf(): Map<number, number> {
    this.clocks ??= Y.decodeStateVector(this.stateVector());
    return this.clocks;
  }
}
