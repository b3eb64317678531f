import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type * as Y from 'yjs';
import { sectionOf } from '../../shared/plan-doc.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { connectCollab, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import { createTestDatabase } from '../fixtures/postgres.ts';
import { observation, postAs } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';
import { walCommits } from '../fixtures/wal-commits.ts';

const CARL = '1203451237';
/** A patient of the tests' own, on nobody's care team: filing for them notifies nobody (no other write). */
const LONE_CPR = '0101771234';

/**
 * Issue 20: a filed batch's result rows (with their audit entries) and the plan updates they
 * cause are ONE transaction, so one commit (one fsync) per batch, and a failure between them
 * leaves neither. Failures are injected by a trigger in the real database; commits are counted
 * in the real database (SQLite: commit frames in the WAL file; PostgreSQL: the transaction id
 * each written row was inserted under).
 */
describe('a filed batch is one commit', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  const resultIn = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'results')
      .toArray()
      .some((e) => e.get('id') === id);

  /** A fresh client's copy of the plan: what the hub serves after the failed room reloaded from the store. */
  async function freshCopy(hub: TestHub, planId: string): Promise<Y.Doc> {
    const client: CollabClient = connectCollab(hub.wsUrl, planId, await hub.token('hanne'));
    cleanup.push(() => client.destroy());
    await client.synced;
    return client.doc;
  }

  async function lonePlan(hub: TestHub): Promise<string> {
    const patient = await hub.server.store.createPatient({ cpr: LONE_CPR, name: 'Ene Patient' });
    return (await hub.server.store.createPlan({ patientId: patient.id, title: 'Alene' })).id;
  }

  describe('SQLite', () => {
    async function sqliteHub() {
      const hub = await startHub();
      cleanup.push(() => hub.stop());
      const key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
      const db = hub.sqlite();
      const count = (sql: string) => db.prepare(sql).pluck().get() as number;
      return { hub, key, db, count };
    }

    it('stores the rows and the plan update in one commit', async () => {
      const { hub, key, count } = await sqliteHub();
      const planId = await lonePlan(hub);
      // The plan's room is held open (as by someone working in it), so it stays loaded between filings (a plan nobody has
      // open gets a checkpoint, a later commit of its own, each time its room unloads).
      const release = (await hub.server.rooms.open(planId)).hold();
      cleanup.push(release);
      // Warm: the plan's room is open and the first filing's one-off writes are done.
      expect((await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: LONE_CPR }))).status).toBe(201);
      // The hub's checkpointer starts the WAL again once it has copied all of it (every 200 ms
      // when idle): a batch is counted only when its commits all landed in one log generation.
      let counted: number | null = null;
      let filed = 1;
      for (let attempt = 0; attempt < 10 && counted === null; attempt++) {
        const before = walCommits(hub.dbFile);
        const res = await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: LONE_CPR, value: 4.2 }));
        expect(res.status).toBe(201);
        filed++;
        const after = walCommits(hub.dbFile);
        if (after.generation === before.generation) counted = after.commits - before.commits;
      }
      expect(counted).toBe(1);
      expect(count(`SELECT count(*) FROM plan_updates WHERE plan_id = '${planId}' AND origin = 'result'`)).toBe(filed);
      expect(count("SELECT count(*) FROM audit_log WHERE action = 'result.file'")).toBe(filed);
    });

    it('a failure writing the plan update leaves no result row, no audit entry and no plan change', async () => {
      const { hub, key, db, count } = await sqliteHub();
      const planId = await hub.planOf('Carl Jensen');
      const live = connectCollab(hub.wsUrl, planId, await hub.token('hanne'));
      cleanup.push(() => live.destroy());
      await live.synced;
      const rows0 = count('SELECT count(*) FROM results');
      const audit0 = count("SELECT count(*) FROM audit_log WHERE action = 'result.file'");
      const updates0 = count("SELECT count(*) FROM plan_updates WHERE origin = 'result'");
      db.exec(`CREATE TRIGGER refuse_result_update BEFORE INSERT ON plan_updates WHEN NEW.origin = 'result'
               BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      const id = randomUUID();
      const failed = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 4.3 }));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(count('SELECT count(*) FROM results')).toBe(rows0);
      expect(count("SELECT count(*) FROM audit_log WHERE action = 'result.file'")).toBe(audit0);
      expect(count("SELECT count(*) FROM plan_updates WHERE origin = 'result'")).toBe(updates0);
      const copy = await freshCopy(hub, planId);
      expect(
        sectionOf(copy, 'results')
          .toArray()
          .some((e) => e.get('value') === 4.3),
      ).toBe(false);

      // Nothing of it was kept: sent again once the store takes it, it is new (201), not a replay.
      db.exec('DROP TRIGGER refuse_result_update');
      const again = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 4.3 }));
      expect(again.status).toBe(201);
      const { id: resultId } = (await again.json()) as { id: string };
      await waitForDoc(copy, (d) => resultIn(d, resultId), 5000, 'the result, filed again');
      expect(count('SELECT count(*) FROM results')).toBe(rows0 + 1);
    });

    it('a failure writing the result rows leaves no plan change', async () => {
      const { hub, key, db, count } = await sqliteHub();
      const planId = await hub.planOf('Carl Jensen');
      const updates0 = count(`SELECT count(*) FROM plan_updates WHERE plan_id = '${planId}'`);
      db.exec(`CREATE TRIGGER refuse_result_row BEFORE INSERT ON results
               BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
      const failed = await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: CARL, value: 4.4 }));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(count(`SELECT count(*) FROM plan_updates WHERE plan_id = '${planId}'`)).toBe(updates0);
      const copy = await freshCopy(hub, planId);
      expect(
        sectionOf(copy, 'results')
          .toArray()
          .some((e) => e.get('value') === 4.4),
      ).toBe(false);
    });
  });

  describe('PostgreSQL', () => {
    async function postgresHub() {
      const database = await createTestDatabase();
      cleanup.push(() => database.drop());
      const hub = await startHub({ env: { DATABASE_URL: database.url } });
      cleanup.push(() => hub.stop());
      const key = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      cleanup.push(() => db.end());
      const count = async (sql: string) => Number((await db.query(sql)).rows[0].count);
      return { hub, key, db, count };
    }

    it('stores the rows, their audit entries and the plan update under one transaction id', async () => {
      const { hub, key, db } = await postgresHub();
      const planId = await lonePlan(hub);
      await db.query(`
        CREATE TABLE commit_probe (tbl text NOT NULL, xid text NOT NULL);
        CREATE FUNCTION probe_commit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO commit_probe VALUES (TG_TABLE_NAME, pg_current_xact_id()::text); RETURN NULL; END $$;
        CREATE TRIGGER probe_results AFTER INSERT ON results FOR EACH ROW EXECUTE FUNCTION probe_commit();
        CREATE TRIGGER probe_updates AFTER INSERT ON plan_updates FOR EACH ROW EXECUTE FUNCTION probe_commit();
        CREATE TRIGGER probe_audit AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION probe_commit();`);
      const res = await postAs(hub, key, '/results', observation({ id: randomUUID(), cpr: LONE_CPR, value: 4.2 }));
      expect(res.status).toBe(201);
      const { rows } = await db.query('SELECT tbl, xid FROM commit_probe');
      expect(new Set(rows.map((r) => r.tbl))).toEqual(new Set(['results', 'plan_updates', 'audit_log']));
      expect(new Set(rows.map((r) => r.xid)).size).toBe(1);
      const stored = await db.query("SELECT count(*) FROM plan_updates WHERE plan_id = $1 AND origin = 'result'", [
        planId,
      ]);
      expect(Number(stored.rows[0].count)).toBe(1);
    });

    it('a failure writing the plan update leaves no result row, no audit entry and no plan change', async () => {
      const { hub, key, db, count } = await postgresHub();
      const planId = await hub.planOf('Carl Jensen');
      const rows0 = await count('SELECT count(*) FROM results');
      const audit0 = await count("SELECT count(*) FROM audit_log WHERE action = 'result.file'");
      await db.query(`
        CREATE FUNCTION refuse_result_update() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'injected failure'; END $$;
        CREATE TRIGGER refuse_result_update BEFORE INSERT ON plan_updates FOR EACH ROW
          WHEN (NEW.origin = 'result') EXECUTE FUNCTION refuse_result_update();`);
      const id = randomUUID();
      const failed = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 4.3 }));
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(await count('SELECT count(*) FROM results')).toBe(rows0);
      expect(await count("SELECT count(*) FROM audit_log WHERE action = 'result.file'")).toBe(audit0);
      expect(await count("SELECT count(*) FROM plan_updates WHERE origin = 'result'")).toBe(0);
      const copy = await freshCopy(hub, planId);
      expect(
        sectionOf(copy, 'results')
          .toArray()
          .some((e) => e.get('value') === 4.3),
      ).toBe(false);

      await db.query('DROP TRIGGER refuse_result_update ON plan_updates');
      const again = await postAs(hub, key, '/results', observation({ id, cpr: CARL, value: 4.3 }));
      expect(again.status).toBe(201);
      const { id: resultId } = (await again.json()) as { id: string };
      await waitForDoc(copy, (d) => resultIn(d, resultId), 5000, 'the result, filed again');
    });
  });
});
