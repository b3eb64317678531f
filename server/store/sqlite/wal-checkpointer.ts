import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT
 * that fills the WAL past 1000 pages: with synchronous=FULL that commit copies the WAL into
 * the database file and fsyncs it, on the one thread that serves every request and socket,
 * and every result or edit behind it waits (a periodic spike in fan-out latency).
 *
 * Instead the store turns the automatic checkpoint off on its connection and a worker thread,
 * with a connection of its own, runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`.
 * PASSIVE never waits for or blocks a writer or a reader: it copies what it can. Once a
 * checkpoint has copied every frame, the next writer starts the WAL again from its beginning,
 * so the file stays at the size a few intervals of writes need.
 *
 * Bounded: when the WAL holds more than `maxFrames` frames (a burst of writes between two
 * checkpoints, or a long-lived reader pinning old frames so PASSIVE cannot finish), the
 * worker runs `wal_checkpoint(TRUNCATE)`: it copies what is left, waits (at most 100 ms, then
 * it tries again next interval) for readers, holding writers back meanwhile, and empties the
 * file. A pause, but only past the bound, and the WAL cannot grow without limit. If the
 * worker fails, the connection's automatic checkpoint is turned back on.
 */
export interface CheckpointResult {
  /** Frames in the WAL when the checkpoint ran, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  /** The checkpoint could not run at all (another checkpoint was running). */
  busy: boolean;
  mode: 'PASSIVE' | 'TRUNCATE';
}

export interface WalCheckpointerOptions {
  intervalMs?: number;
  maxFrames?: number;
  log?: Logger;
}

/** SQLite's own threshold for the automatic checkpoint, restored if the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;

// Plain CommonJS, run with `eval`: the worker needs no TypeScript loader.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
// Only TRUNCATE waits (PASSIVE never does), and it holds writers back while it waits: briefly.
db.pragma('busy_timeout = 100');
const checkpoint = () => {
  let mode = 'PASSIVE';
  let [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r.log > workerData.maxFrames) {
    mode = 'TRUNCATE';
    [r] = db.pragma('wal_checkpoint(TRUNCATE)');
  }
  return { log: r.log, checkpointed: r.checkpointed, busy: r.busy === 1, mode };
};
// A checkpoint that fails (SQLITE_BUSY past the timeout, an I/O error) is told and tried again next time.
const attempt = () => {
  try {
    return { result: checkpoint() };
  } catch (err) {
    return { error: String(err && err.message) };
  }
};
const timer = setInterval(() => {
  const { result, error } = attempt();
  if (error) parentPort.postMessage({ type: 'failed', error });
  else if (result.mode === 'TRUNCATE') parentPort.postMessage({ type: 'truncated', result });
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.type === 'now') parentPort.postMessage({ type: 'done', id: m.id, ...attempt() });
  if (m.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private stopped = false;
  private readonly exited: Promise<void>;
  private readonly log: Logger | undefined;

  constructor(
    private readonly db: Database.Database,
    filename: string,
    opts: WalCheckpointerOptions = {},
  ) {
    const log = opts.log;
    this.log = log;
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        filename,
        intervalMs: opts.intervalMs ?? 200,
        maxFrames: opts.maxFrames ?? 16_384,
      },
    });
    // A background helper: it never keeps the process alive.
    this.worker.unref();
    this.worker.on('message', (m: { type: string; id?: number; result?: CheckpointResult; error?: string }) => {
      if (m.type === 'done') {
        const waiter = this.waiting.get(m.id!);
        this.waiting.delete(m.id!);
        if (m.result) waiter?.resolve(m.result);
        else waiter?.reject(new Error(`WAL checkpoint failed: ${m.error}`));
      } else if (m.type === 'truncated') {
        log?.warn(
          { frames: m.result!.log, busy: m.result!.busy },
          'the WAL passed its bound: TRUNCATE checkpoint (writers held back briefly)',
        );
      } else if (m.type === 'failed') {
        log?.warn({ error: m.error }, 'a WAL checkpoint failed; retried at the next interval');
      }
    });
    this.worker.on('error', (err) => this.failed(err));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => {
      if (!this.stopped) this.failed(new Error('the checkpoint worker ended'));
    });
  }

  /** Checkpoints now (PASSIVE, TRUNCATE past the bound); resolves with what it did. */
  checkpointNow(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.reject(new Error('the checkpointer is stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'now', id });
    });
  }

  /** Stops the worker (it closes its connection); the store's own close checkpoints what is left. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Referenced again while it closes: an unreferenced worker would leave a caller awaiting
    // this with an empty event loop (a CLI command's top-level await would never settle).
    this.worker.ref();
    this.worker.postMessage({ type: 'stop' });
    await this.exited;
  }

  private failed(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
    if (this.stopped) return;
    this.stopped = true;
    // Without the worker nothing would checkpoint: SQLite's automatic checkpoint takes over again.
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.log?.error({ err }, 'the WAL checkpoint worker failed; SQLite checkpoints on commit again');
  }
}
