import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { tempDir } from '../fixtures/server.ts';

/**
 * WAL checkpoints run in a worker thread (server/store/sqlite/wal-checkpointer.ts), not inside
 * the commit that fills the WAL. The worker's own timer is set far beyond the test here, so
 * every checkpoint is the one the test asks for.
 */
describe('WAL checkpoints, off the commit path', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function open() {
    const dir = tempDir('carehub-wal-');
    const file = join(dir, 'wal.db');
    const store = new SqliteStore(file, { synchronous: 'FULL', checkpoints: { intervalMs: 3_600_000 } });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanup.push(() => store.close());
    await store.migrate();
    const patient = await store.createPatient({ cpr: '0101701234', name: 'Test Person' });
    const plan = await store.createPlan({ patientId: patient.id, title: 'Plan' });
    let n = 0;
    // One commit per update, each a few pages of WAL, as a busy plan writes them.
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) {
        await store.appendUpdates([
          {
            planId: plan.id,
            author: null,
            origin: 'server',
            time: new Date(Date.UTC(2026, 0, 1, 0, 0, n++)).toISOString(),
            update: new Uint8Array(3000).fill(n & 0xff),
          },
        ]);
      }
    };
    return { store, file, write, walSize: () => statSync(`${file}-wal`).size };
  }

  it('commits never checkpoint; the worker checkpoints everything, and the WAL is reused instead of growing', async () => {
    const { store, write, walSize } = await open();
    await write(1200);
    const first = await store.checkpointNow();
    // SQLite's automatic checkpoint would have run at 1000 pages and started the WAL again.
    expect(first.log).toBeGreaterThan(1000);
    expect(first).toMatchObject({ mode: 'PASSIVE', busy: false, checkpointed: first.log });
    const bound = walSize();
    for (let round = 0; round < 3; round++) {
      await write(1200);
      const r = await store.checkpointNow();
      expect(r.checkpointed).toBe(r.log);
      // Each round starts the WAL from its beginning: the file does not grow past one round's writes.
      expect(walSize()).toBeLessThanOrEqual(bound);
    }
  });

  it('past its bound the WAL is emptied (TRUNCATE), and a reader holding old frames only delays that', async () => {
    const { file, write, walSize } = await open();
    const bounded = new SqliteStore(file, {
      synchronous: 'FULL',
      checkpoints: { intervalMs: 3_600_000, maxFrames: 100 },
    });
    cleanup.push(() => bounded.close());
    await write(300);
    expect(await bounded.checkpointNow()).toMatchObject({ mode: 'TRUNCATE', busy: false });
    expect(walSize()).toBe(0);

    // A read transaction pins the frames written after its snapshot: the TRUNCATE gives up
    // (writers are not held back for long) and the next one, after the reader, succeeds.
    const reader = new Database(file, { readonly: true });
    cleanup.push(() => void reader.close());
    await write(10);
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT COUNT(*) FROM plan_updates').get();
    await write(300);
    const held = await bounded.checkpointNow();
    expect(held).toMatchObject({ mode: 'TRUNCATE', busy: true });
    expect(held.checkpointed).toBeLessThan(held.log);
    reader.prepare('COMMIT').run();
    expect(await bounded.checkpointNow()).toMatchObject({ mode: 'TRUNCATE', busy: false });
    expect(walSize()).toBe(0);
  });

  it('a closed store leaves no WAL behind', async () => {
    const { store, file, write } = await open();
    await write(50);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
