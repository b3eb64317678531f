import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../server/audit/audit-log.ts';
import { verifyAuditLog } from '../../server/audit/verify.ts';
import { openStore } from '../../server/store/open-store.ts';
import type { Store } from '../../server/store/store.ts';
import type { AuditEntryInput } from '../../server/store/records.ts';
import { tempDir } from '../fixtures/server.ts';

/** The real store, with its audit commits counted (and, when asked, failing). */
async function countingStore(): Promise<{
  store: Store;
  commits: number[];
  failNext: { count: number };
  close(): Promise<void>;
}> {
  const dir = tempDir('carehub-audit-batch-');
  const real = await openStore({
    databaseUrl: `sqlite:${join(dir, 'hub.db')}`,
    sqliteSynchronous: 'FULL',
    logLevel: 'silent',
  });
  const commits: number[] = [];
  const failNext = { count: 0 };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'appendAudit') {
        return async (entries: AuditEntryInput[]) => {
          if (failNext.count > 0) {
            failNext.count--;
            throw new Error('disk full');
          }
          commits.push(entries.length);
          return target.appendAudit(entries);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store,
    commits,
    failNext,
    async close() {
      await real.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const entry = (i: number) => ({
  actorId: null,
  action: 'plan.open' as const,
  outcome: 'allowed' as const,
  details: { i },
});

async function chain(store: Store): Promise<number[]> {
  const rows = await store.readAuditChain(null, 10_000);
  return rows.map((r) => (JSON.parse(r.details) as { i: number }).i);
}

describe('audit entries share commits', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  it('entries recorded close together are written in one commit, in order, and the chain verifies', async () => {
    const s = await countingStore();
    open.push(s);
    const audit = new AuditLog(s.store, pino({ level: 'silent' }), 50);
    for (let i = 0; i < 100; i++) audit.record(entry(i));
    await Promise.resolve();
    for (let i = 100; i < 150; i++) audit.record(entry(i));
    await new Promise((r) => setImmediate(r));
    for (let i = 150; i < 200; i++) audit.record(entry(i));
    await audit.flush();
    expect(s.commits).toEqual([200]);
    expect(await chain(s.store)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await verifyAuditLog(s.store)).toMatchObject({ ok: true, entries: 200 });
  });

  it('is written without being asked once the window has passed', async () => {
    const s = await countingStore();
    open.push(s);
    const audit = new AuditLog(s.store, pino({ level: 'silent' }), 5);
    audit.record(entry(1));
    while (s.commits.length === 0) await new Promise((r) => setTimeout(r, 2));
    expect(await chain(s.store)).toEqual([1]);
  });

  it('a large burst is written in batches of at most 500 without waiting for the window', async () => {
    const s = await countingStore();
    open.push(s);
    const audit = new AuditLog(s.store, pino({ level: 'silent' }), 60_000);
    for (let i = 0; i < 1200; i++) audit.record(entry(i));
    while ((await chain(s.store)).length < 1000) await new Promise((r) => setTimeout(r, 2));
    expect(Math.max(...s.commits)).toBeLessThanOrEqual(500);
    await audit.flush();
    expect(await chain(s.store)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it('a failed commit loses nothing: its entries are written, in order, once the store works again', async () => {
    const s = await countingStore();
    open.push(s);
    const audit = new AuditLog(s.store, pino({ level: 'silent' }), 5);
    s.failNext.count = 2;
    for (let i = 0; i < 10; i++) audit.record(entry(i));
    await audit.flush();
    for (let i = 10; i < 20; i++) audit.record(entry(i));
    while ((await chain(s.store)).length < 20) await new Promise((r) => setTimeout(r, 5));
    expect(await chain(s.store)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await verifyAuditLog(s.store)).toMatchObject({ ok: true, entries: 20 });
  });
});
