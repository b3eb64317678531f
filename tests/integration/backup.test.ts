import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { metaOf, newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { runCli } from '../fixtures/cli.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import { holdsEverything, missingFrom, snapshotDoc } from '../fixtures/doc-state.ts';
import { tempDir } from '../fixtures/server.ts';
import { firstPlanOf, loginAt, spawnHub, hubSandbox } from '../fixtures/server-process.ts';

const STAFF = ['hanne', 'gitte', 'maja', 'niels'];

describe('carehub backup', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  it('takes an online backup under an edit burst that opens as a hub: every plan loads, the audit chain verifies', async () => {
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    const { dir, dbFile, procs, clients } = sandbox;
    const backupFile = join(dir, 'backup.db');
    const hub = await sandbox.spawn();
    const hanne = await loginAt(hub.url, 'hanne');
    const gitte = await loginAt(hub.url, 'gitte');
    const maja = await loginAt(hub.url, 'maja');
    // Two plans under load: Carl's (hanne writes) and Erik's (gitte writes); maja watches both.
    const carl = await firstPlanOf(hub.url, hanne, 'Carl Jensen');
    const erik = await firstPlanOf(hub.url, gitte, 'Erik Nielsen');
    const writers = [connectCollab(hub.wsUrl, carl, hanne), connectCollab(hub.wsUrl, erik, gitte)];
    const observers = [connectCollab(hub.wsUrl, carl, maja), connectCollab(hub.wsUrl, erik, maja)];
    clients.push(...writers, ...observers);
    await Promise.all([...writers, ...observers].map((c) => c.synced));

    let received = 0;
    for (const o of observers) o.doc.on('update', () => received++);
    const sectors = ['hospital', 'general_practice'];
    let n = 0;
    const burst = setInterval(() => {
      writers.forEach((w, i) => {
        sectionOf(w.doc, 'tasks').push([
          newEntry({ id: randomUUID(), title: `Opgave ${n++}`, sector: sectors[i], status: 'planned' }),
        ]);
      });
    }, 2);
    cleanup.push(() => clearInterval(burst));
    await waitForDoc(observers[0]!.doc, () => received >= 60, 20_000, 'the observers to receive part of the burst');

    // What the observers hold now was stored before they received it, so before the backup began.
    const seenBefore = observers.map((o) => snapshotDoc(o.doc));
    const receivedBefore = received;
    const run = await runCli(['backup', backupFile], { DATABASE_URL: `sqlite:${dbFile}` });
    const receivedDuring = received - receivedBefore;
    clearInterval(burst);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^backup written to .*backup\.db: .* 4 plans, \d+ plan updates, \d+ audit entries/);
    // The hub kept serving edits while the backup ran.
    expect(receivedDuring).toBeGreaterThan(0);
    expect(existsSync(`${backupFile}-wal`)).toBe(false);

    // It never overwrites a file, and says why; a non-SQLite store is refused with a clear message.
    const bytes = readFileSync(backupFile);
    const [again, postgres] = await Promise.all([
      runCli(['backup', backupFile], { DATABASE_URL: `sqlite:${dbFile}` }),
      runCli(['backup', join(dir, 'other.db')], { DATABASE_URL: 'postgres://carehub@localhost/carehub' }),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(backupFile).equals(bytes)).toBe(true);
    expect(postgres.code).toBe(1);
    expect(postgres.stderr).toContain('SQLite store only');
    expect(existsSync(join(dir, 'other.db'))).toBe(false);

    // The audit chain of the backup verifies.
    const verify = await runCli(['audit', 'verify'], { DATABASE_URL: `sqlite:${backupFile}` });
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit log intact: [1-9]\d* entries/);

    // Restore as documented: a fresh file from the backup (no -wal or -shm beside it), then serve.
    const restoredDir = tempDir();
    cleanup.push(() => rmSync(restoredDir, { recursive: true, force: true }));
    const restoredFile = join(restoredDir, 'carehub.db');
    copyFileSync(backupFile, restoredFile);
    const planIds = (() => {
      const db = new Database(restoredFile, { readonly: true });
      try {
        return db.prepare('SELECT id FROM plans ORDER BY id').pluck().all() as string[];
      } finally {
        db.close();
      }
    })();
    expect(planIds).toHaveLength(4);

    const restored = await spawnHub(restoredFile);
    procs.push(restored);
    const tokens = new Map<string, string>();
    for (const user of STAFF) tokens.set(user, await loginAt(restored.url, user));
    for (const planId of planIds) {
      // Someone on the plan's care team opens it over /collab.
      let token: string | undefined;
      for (const t of tokens.values()) {
        const res = await fetch(`${restored.url}/api/v1/plans/${planId}`, {
          headers: { authorization: `Bearer ${t}` },
        });
        if (res.status === 200) {
          token = t;
          break;
        }
      }
      expect(token, `a care-team member of plan ${planId}`).toBeDefined();
      const client = connectCollab(restored.wsUrl, planId, token!);
      clients.push(client);
      await client.synced;
      expect(typeof metaOf(client.doc).get('title'), `plan ${planId} loads with its title`).toBe('string');
      const i = [carl, erik].indexOf(planId);
      if (i >= 0) {
        const seen = seenBefore[i]!;
        expect(
          Object.fromEntries(missingFrom(client.doc, seen)),
          `plan ${planId} lacks nothing stored before the backup`,
        ).toEqual({});
        expect(holdsEverything(client.doc, seen)).toBe(true);
        expect(sectionOf(client.doc, 'tasks').length).toBeGreaterThanOrEqual(sectionOf(seen, 'tasks').length);
      }
      client.destroy();
    }
    // The restored hub goes on serving edits.
    const writer = connectCollab(restored.wsUrl, carl, tokens.get('hanne')!);
    const reader = connectCollab(restored.wsUrl, carl, tokens.get('maja')!);
    clients.push(writer, reader);
    await Promise.all([writer.synced, reader.synced]);
    metaOf(writer.doc).set('title', 'Efter gendannelse');
    await waitForDoc(
      reader.doc,
      (d) => metaOf(d).get('title') === 'Efter gendannelse',
      5000,
      'an edit on the restored hub',
    );
    expect(Y.encodeStateVector(reader.doc)).toEqual(Y.encodeStateVector(writer.doc));
  });
});
