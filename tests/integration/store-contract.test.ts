import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { Store } from '../../server/store/store.ts';
import { tempDir } from '../fixtures/server.ts';

/**
 * The Store contract: numbered rules every implementation keeps. Each implementation adds
 * itself to `implementations`; the PostgreSQL store joins with the several-nodes work.
 */
const implementations: { name: string; open(): Promise<{ store: Store; dispose(): Promise<void> }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir();
      const store = new SqliteStore(join(dir, 'contract.db'));
      await store.migrate();
      return { store, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
];

const bytes = (...n: number[]) => new Uint8Array(n);
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

for (const impl of implementations) {
  describe(`Store contract: ${impl.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let planId: string;

    beforeEach(async () => {
      ({ store, dispose } = await impl.open());
      const patient = await store.createPatient({ cpr: '0101701234', name: 'Test Person' });
      planId = (await store.createPlan({ patientId: patient.id, title: 'Plan' })).id;
    });
    afterEach(() => dispose());

    it('1. migrating twice is harmless and a new store is empty', async () => {
      await store.migrate();
      expect(await store.isEmpty()).toBe(true);
    });

    it('2. appends give consecutive seqs per plan, in the order given, in one batch', async () => {
      const patient = await store.createPatient({ cpr: '0202701234', name: 'Other' });
      const other = (await store.createPlan({ patientId: patient.id, title: 'Other' })).id;
      const seqs = await store.appendUpdates([
        { planId, author: 'u1', origin: 'client', time: at(1), update: bytes(1) },
        { planId: other, author: 'u1', origin: 'client', time: at(1), update: bytes(2) },
        { planId, author: null, origin: 'server', time: at(2), update: bytes(3) },
      ]);
      expect(seqs).toEqual([1, 1, 2]);
      expect(await store.appendUpdates([{ planId, author: 'u2', origin: 'client', time: at(3), update: bytes(4) }])).toEqual([3]);
      expect(await store.latestSeq(planId)).toBe(3);
      const all = await store.listUpdates(planId);
      expect(all.map((u) => [u.seq, u.author, u.origin, [...u.update]])).toEqual([
        [1, 'u1', 'client', [1]],
        [2, null, 'server', [3]],
        [3, 'u2', 'client', [4]],
      ]);
    });

    it('3. loading reads the latest checkpoint and only the tail after it', async () => {
      await store.appendUpdates([1, 2, 3, 4].map((n) => ({ planId, author: null, origin: 'client' as const, time: at(n), update: bytes(n) })));
      await store.writeCheckpoint({ planId, seq: 2, state: bytes(9, 9), time: at(5) });
      await store.writeCheckpoint({ planId, seq: 3, state: bytes(8, 8), time: at(6) });
      const state = await store.loadPlanState(planId);
      expect(state.checkpoint?.seq).toBe(3);
      expect([...state.checkpoint!.state]).toEqual([8, 8]);
      expect(state.tail.map((u) => u.seq)).toEqual([4]);
    });

    it('4. a plan with no log loads as nothing, not as an error', async () => {
      expect(await store.loadPlanState(planId)).toEqual({ checkpoint: null, tail: [] });
    });

    it('5. history reads up to a time and after a seq', async () => {
      await store.appendUpdates([1, 2, 3].map((n) => ({ planId, author: null, origin: 'client' as const, time: at(n * 10), update: bytes(n) })));
      expect((await store.listUpdates(planId, { until: at(20) })).map((u) => u.seq)).toEqual([1, 2]);
      expect((await store.listUpdates(planId, { afterSeq: 1 })).map((u) => u.seq)).toEqual([2, 3]);
    });

    it('6. care-team membership is by organisation or person, and listable per patient', async () => {
      const org = await store.createOrganisation({ name: 'Org', sector: 'hospital', region: null });
      const plan = await store.getPlan(planId);
      const member = await store.addCareTeamMember({ patientId: plan!.patientId, organisationId: org.id, userId: null, addedBy: null });
      const user = await store.createUser({ username: 'u', name: 'U', role: 'gp', organisationId: org.id, patientId: null, passwordHash: 'x' });
      expect((await store.listPatientsForStaff(user.id, org.id)).map((p) => p.id)).toEqual([plan!.patientId]);
      expect((await store.listPatientsForStaff(user.id, org.id, 'Test')).length).toBe(1);
      expect((await store.listPatientsForStaff(user.id, org.id, 'Nobody')).length).toBe(0);
      expect(await store.removeCareTeamMember(plan!.patientId, member.id)).toBe(true);
      expect(await store.listPatientsForStaff(user.id, org.id)).toEqual([]);
    });

    it('7. usernames and CPR numbers are unique', async () => {
      await expect(store.createPatient({ cpr: '0101701234', name: 'Dup' })).rejects.toThrow();
      await store.createUser({ username: 'dup', name: 'A', role: 'admin', organisationId: null, patientId: null, passwordHash: 'x' });
      await expect(store.createUser({ username: 'dup', name: 'B', role: 'admin', organisationId: null, patientId: null, passwordHash: 'x' })).rejects.toThrow();
    });

    it('8. audit entries are appended', async () => {
      await store.appendAudit([{ time: at(1), actorId: 'u', action: 'login', patientId: null, planId: null, outcome: 'allowed', details: {} }]);
      await store.appendAudit([{ time: at(2), actorId: 'u', action: 'plan.read', patientId: null, planId, outcome: 'refused', details: { reason: 'x' } }]);
    });
  });
}

describe('SQLite specifics', () => {
  it('refuses to change or delete history, even through SQL', async () => {
    const dir = tempDir();
    const store = new SqliteStore(join(dir, 'x.db'));
    await store.migrate();
    const patient = await store.createPatient({ cpr: '0101701234', name: 'P' });
    const plan = await store.createPlan({ patientId: patient.id, title: 'T' });
    await store.appendUpdates([{ planId: plan.id, author: null, origin: 'client', time: at(1), update: bytes(1) }]);
    expect(() => store.database.prepare('DELETE FROM plan_updates').run()).toThrow(/append-only/);
    expect(() => store.database.prepare("UPDATE plan_updates SET author = 'x'").run()).toThrow(/append-only/);
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
