import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import type { HistoryEntry } from '../../shared/api.ts';
import { verifyAuditLog } from '../../server/audit/verify.ts';
import { PostgresStore } from '../../server/store/postgres/postgres-store.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import { holdsEverything } from '../fixtures/doc-state.ts';
import { createTestDatabase } from '../fixtures/postgres.ts';
import { firstPlanOf, hubSandbox, loginAt } from '../fixtures/server-process.ts';
import { startHub } from '../fixtures/server.ts';

/** The whole hub on PostgreSQL (DATABASE_URL=postgres://…), each test on a database of its own. */
describe('the hub on PostgreSQL', () => {
  const cleanup: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  /** Registers `fn` for clean-up and returns it, run at most once (whether the test got to it or not). */
  const later = <T>(fn: () => Promise<T> | T): (() => Promise<void>) => {
    let done: Promise<void> | null = null;
    const once = () =>
      (done ??= Promise.resolve()
        .then(fn)
        .then(() => undefined));
    cleanup.push(once);
    return once;
  };
  const database = async () => {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    return db;
  };

  it('seeds, serves a plan over /collab, and serves the same state after a restart; history, audit verify and backup', async () => {
    const db = await database();
    const env = { DATABASE_URL: db.url };
    const first = await startHub({ env });
    const stopFirst = later(() => first.stop());
    const planId = await first.planOf('Carl Jensen');
    const client = connectCollab(first.wsUrl, planId, await first.token('hanne'));
    const closeClient = later(() => client.destroy());
    await client.synced;
    expect(metaOf(client.doc).get('title')).toBe('Hjertesvigt – forløb efter udskrivelse');
    metaOf(client.doc).set('title', 'Efter genstart på PostgreSQL');
    sectionOf(client.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Ny opgave', sector: 'hospital', status: 'planned' }),
    ]);
    const expected = planToJson(client.doc);
    // A peer receives an edit only after it is committed: once the peer has both, both are stored.
    const peer = connectCollab(first.wsUrl, planId, await first.token('maja'));
    const closePeer = later(() => peer.destroy());
    const tasks = sectionOf(client.doc, 'tasks').length;
    await waitForDoc(
      peer.doc,
      (d) => sectionOf(d, 'tasks').length === tasks && metaOf(d).get('title') === 'Efter genstart på PostgreSQL',
    );

    const history = (await (
      await first.api(`/plans/${planId}/history`, { token: await first.token('hanne') })
    ).json()) as HistoryEntry[];
    expect(history[0]).toMatchObject({
      origin: 'client',
      author: { name: expect.any(String), role: 'hospital_doctor' },
    });
    expect(history.at(-1)?.origin).toBe('seed');
    await closePeer();
    await closeClient();
    await stopFirst();

    const second = await startHub({ env });
    const stopSecond = later(() => second.stop());
    const again = connectCollab(second.wsUrl, planId, await second.token('gitte'));
    const closeAgain = later(() => again.destroy());
    await again.synced;
    expect(planToJson(again.doc)).toEqual(expected);
    const res = await second.api(`/plans/${planId}/document`, { token: await second.token('niels') });
    expect(await res.json()).toEqual(expected);
    await closeAgain();
    await stopSecond();

    // The audit trail both hubs wrote is one chain that verifies, read by the CLI too.
    const store = new PostgresStore(db.url);
    cleanup.push(() => store.close());
    const verdict = await verifyAuditLog(store);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.entries).toBeGreaterThan(5);
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.stdout + verify.stderr).toMatch(/audit log intact/);
    expect(verify.code).toBe(0);
    // backup copies SQLite files only: for PostgreSQL a clear refusal pointing at pg_dump, not a crash.
    const backup = await runCli(['backup', '/tmp/never-written.db'], env);
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/pg_dump/);
    expect(backup.stderr).not.toMatch(/at .*\.ts:\d+/);
  }, 60_000);

  it('loses no update that a peer had received when a hub on PostgreSQL is killed with SIGKILL mid-burst', async () => {
    const db = await database();
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    const env = { DATABASE_URL: db.url };
    const hub = await sandbox.spawn(undefined, env);
    const writerToken = await loginAt(hub.url, 'hanne');
    const planId = await firstPlanOf(hub.url, writerToken, 'Carl Jensen');
    const writer = connectCollab(hub.wsUrl, planId, writerToken);
    const observer = connectCollab(hub.wsUrl, planId, await loginAt(hub.url, 'maja'));
    sandbox.clients.push(writer, observer);
    await Promise.all([writer.synced, observer.synced]);
    // The observer stops listening the moment the socket drops, so it holds only what the server sent.
    observer.provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'connected') observer.provider.disconnect();
    });
    let received = 0;
    observer.doc.on('update', () => received++);
    const tasks = sectionOf(writer.doc, 'tasks');
    const burst = setInterval(() => {
      for (let i = 0; i < 5; i++)
        tasks.push([newEntry({ id: randomUUID(), title: `Opgave ${i}`, sector: 'hospital', status: 'planned' })]);
    }, 1);
    try {
      await waitForDoc(observer.doc, () => received >= 150, 20_000, 'the observer to receive part of the burst');
      hub.child.kill('SIGKILL');
      await hub.exited;
    } finally {
      clearInterval(burst);
    }
    writer.provider.disconnect();
    observer.provider.disconnect();
    const seen = new Y.Doc();
    Y.applyUpdate(seen, Y.encodeStateAsUpdate(observer.doc));

    const restarted = await sandbox.spawn(undefined, env);
    const fresh = connectCollab(restarted.wsUrl, planId, await loginAt(restarted.url, 'gitte'));
    sandbox.clients.push(fresh);
    await fresh.synced;
    expect(sectionOf(seen, 'tasks').length).toBeGreaterThan(150);
    expect(holdsEverything(fresh.doc, seen)).toBe(true);
  }, 60_000); // two hub processes started on a machine shared with other suites
});
