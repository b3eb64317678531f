import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { verifyAuditLog } from '../../server/audit/verify.ts';
import { openStore } from '../../server/store/open-store.ts';
import { PostgresStore } from '../../server/store/postgres/postgres-store.ts';
import type { StoredNotification, StoredResult } from '../../server/store/result-store.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { DuplicateSorError, type Store } from '../../server/store/store.ts';
import type { AuditEntryInput, NewPlanUpdate } from '../../server/store/records.ts';
import { createTestDatabase } from '../fixtures/postgres.ts';
import { tempDir } from '../fixtures/server.ts';

/**
 * The Store contract: numbered rules every implementation keeps, one suite run against each.
 * `open()` gives a migrated store on a new, empty database, and `another()` a second store on
 * the same database: a second node (for PostgreSQL, a second pool), to test what several
 * nodes sharing one database rely on.
 */
interface Opened {
  store: Store;
  another(): Promise<Store>;
  dispose(): Promise<void>;
}

const implementations: { name: string; open(): Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir();
      const file = join(dir, 'contract.db');
      const stores = [new SqliteStore(file, { synchronous: 'FULL' })];
      await stores[0]!.migrate();
      return {
        store: stores[0]!,
        async another() {
          const s = new SqliteStore(file, { synchronous: 'FULL' });
          stores.push(s);
          await s.migrate();
          return s;
        },
        async dispose() {
          for (const s of stores) await s.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const db = await createTestDatabase();
      const stores = [new PostgresStore(db.url)];
      await stores[0]!.migrate();
      return {
        store: stores[0]!,
        async another() {
          const s = new PostgresStore(db.url);
          stores.push(s);
          await s.migrate();
          return s;
        },
        async dispose() {
          for (const s of stores) await s.close();
          await db.drop();
        },
      };
    },
  },
];

const bytes = (...n: number[]) => new Uint8Array(n);
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const audit = (n: number, extra: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
  time: at(n),
  actorId: 'u',
  action: 'plan.read',
  patientId: null,
  planId: null,
  outcome: 'allowed',
  details: { n },
  ...extra,
});

describe.each(implementations)('Store contract: $name', (impl) => {
  let opened: Opened;
  let store: Store;
  let planId: string;
  let patientId: string;

  beforeEach(async () => {
    opened = await impl.open();
    store = opened.store;
    patientId = (await store.createPatient({ cpr: '0101701234', name: 'Test Person' })).id;
    planId = (await store.createPlan({ patientId, title: 'Plan' })).id;
  });
  afterEach(() => opened.dispose());

  it('1. migrating twice is harmless and a new store is empty', async () => {
    await store.migrate();
    expect(await store.isEmpty()).toBe(true);
    await store.ping();
    await store.createOrganisation({ name: 'Org', sector: 'hospital', region: null });
    expect(await store.isEmpty()).toBe(false);
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
    expect(
      await store.appendUpdates([{ planId, author: 'u2', origin: 'client', time: at(3), update: bytes(4) }]),
    ).toEqual([3]);
    expect(await store.appendUpdates([])).toEqual([]);
    expect(await store.latestSeq(planId)).toBe(3);
    expect(await store.latestSeq(randomUUID())).toBe(0);
    const all = await store.listUpdates(planId);
    expect(all.map((u) => [u.seq, u.author, u.origin, [...u.update]])).toEqual([
      [1, 'u1', 'client', [1]],
      [2, null, 'server', [3]],
      [3, 'u2', 'client', [4]],
    ]);
  });

  it('3. loading reads the latest checkpoint and only the tail after it', async () => {
    await store.appendUpdates(
      [1, 2, 3, 4].map((n) => ({ planId, author: null, origin: 'client' as const, time: at(n), update: bytes(n) })),
    );
    await store.writeCheckpoint({ planId, seq: 2, state: bytes(9, 9), time: at(5) });
    await store.writeCheckpoint({ planId, seq: 3, state: bytes(8, 8), snapshot: bytes(6, 6), time: at(6) });
    // A second checkpoint at the same seq (another node, a retry) is ignored, not an error.
    await store.writeCheckpoint({ planId, seq: 3, state: bytes(7, 7), snapshot: bytes(5), time: at(7) });
    const state = await store.loadPlanState(planId);
    // Its snapshot comes with it (stored with the state, migration 016).
    expect(state.checkpoint).toEqual({ planId, seq: 3, state: bytes(8, 8), snapshot: bytes(6, 6), time: at(6) });
    expect(state.tail.map((u) => u.seq)).toEqual([4]);
    // A checkpoint written without one reads as null.
    await store.writeCheckpoint({ planId, seq: 4, state: bytes(4, 4), time: at(8) });
    expect((await store.loadPlanState(planId)).checkpoint).toEqual({
      planId,
      seq: 4,
      state: bytes(4, 4),
      snapshot: null,
      time: at(8),
    });
  });

  it('4. a plan with no log loads as nothing, not as an error', async () => {
    expect(await store.loadPlanState(planId)).toEqual({ checkpoint: null, tail: [] });
  });

  it('5. history reads up to a time and after a seq', async () => {
    await store.appendUpdates(
      [1, 2, 3].map((n) => ({ planId, author: null, origin: 'client' as const, time: at(n * 10), update: bytes(n) })),
    );
    expect((await store.listUpdates(planId, { until: at(20) })).map((u) => u.seq)).toEqual([1, 2]);
    expect((await store.listUpdates(planId, { afterSeq: 1 })).map((u) => u.seq)).toEqual([2, 3]);
    expect((await store.listUpdates(planId, { afterSeq: 1, until: at(20) })).map((u) => u.seq)).toEqual([2]);
  });

  it('6. care-team membership is by organisation or person, and listable per patient', async () => {
    const org = await store.createOrganisation({ name: 'Org', sector: 'hospital', region: null });
    const plan = await store.getPlan(planId);
    const member = await store.addCareTeamMember({
      patientId: plan!.patientId,
      organisationId: org.id,
      userId: null,
      addedBy: null,
    });
    const user = await store.createUser({
      username: 'u',
      name: 'U',
      role: 'gp',
      organisationId: org.id,
      patientId: null,
      passwordHash: 'x',
    });
    expect((await store.listPatientsForStaff(user.id, org.id)).map((p) => p.id)).toEqual([plan!.patientId]);
    expect((await store.listPatientsForStaff(user.id, org.id, 'Test')).length).toBe(1);
    expect((await store.listPatientsForStaff(user.id, org.id, 'test person')).length).toBe(1);
    expect((await store.listPatientsForStaff(user.id, org.id, 'Nobody')).length).toBe(0);
    expect((await store.listPatientsForStaff(user.id, org.id, '%')).length).toBe(0);
    // An objection, to the person or to the organisation, leaves the patient out; withdrawn, it does not.
    for (const [id, target] of [
      [randomUUID(), { organisationId: null, userId: user.id }],
      [randomUUID(), { organisationId: org.id, userId: null }],
    ] as const) {
      await store.accessGrants.addObjection({
        id,
        patientId: plan!.patientId,
        ...target,
        created: at(1),
        withdrawn: null,
      });
      expect(await store.listPatientsForStaff(user.id, org.id)).toEqual([]);
      expect(await store.listPatientsForStaff(user.id, org.id, 'Test')).toEqual([]);
      expect(await store.accessGrants.withdrawObjection(plan!.patientId, id, at(2))).toBe(true);
      expect((await store.listPatientsForStaff(user.id, org.id)).map((p) => p.id)).toEqual([plan!.patientId]);
    }
    expect(await store.listCareTeam(plan!.patientId)).toEqual([member]);
    expect(await store.removeCareTeamMember(plan!.patientId, member.id)).toBe(true);
    expect(await store.removeCareTeamMember(plan!.patientId, member.id)).toBe(false);
    expect(await store.listPatientsForStaff(user.id, org.id)).toEqual([]);
  });

  it('7. usernames and CPR numbers are unique', async () => {
    await expect(store.createPatient({ cpr: '0101701234', name: 'Dup' })).rejects.toThrow();
    await store.createUser({
      username: 'dup',
      name: 'A',
      role: 'admin',
      organisationId: null,
      patientId: null,
      passwordHash: 'x',
    });
    await expect(
      store.createUser({
        username: 'dup',
        name: 'B',
        role: 'admin',
        organisationId: null,
        patientId: null,
        passwordHash: 'x',
      }),
    ).rejects.toThrow();
  });

  it('8. audit entries are appended to a chain that verifies, with details stored as written', async () => {
    await store.appendAudit([
      { time: at(1), actorId: 'u', action: 'login', patientId: null, planId: null, outcome: 'allowed', details: {} },
    ]);
    await store.appendAudit([
      {
        time: at(2),
        actorId: 'v',
        action: 'plan.read',
        patientId: null,
        planId,
        outcome: 'refused',
        details: { reason: 'x', z: 1, a: [1.5, 'æøå'] },
      },
      {
        time: at(3),
        actorId: null,
        action: 'plan.update',
        patientId,
        planId: null,
        outcome: 'allowed',
        details: { nested: { b: 2, a: 1 } },
      },
    ]);
    await store.appendAudit([]);
    const chain = await store.readAuditChain(null, 10);
    expect(chain.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(chain[1]!.details).toBe('{"reason":"x","z":1,"a":[1.5,"æøå"]}');
    expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
    expect((await store.readAuditChain(2, 10)).map((r) => r.seq)).toEqual([3]);
    expect(await verifyAuditLog(store, 2)).toEqual({ ok: true, entries: 3, last: { seq: 3, hash: chain[2]!.hash } });
  });

  it('9. audit queries filter by patient (directly or through a plan), time and actor, newest first', async () => {
    await store.appendAudit([
      audit(1, { planId }),
      audit(2, { patientId, actorId: 'v' }),
      audit(3),
      audit(4, { actorId: null, patientId }),
    ]);
    const forPatient = await store.listAudit({ patientId, limit: 10 });
    expect(forPatient.map((e) => e.seq)).toEqual([4, 2, 1]);
    expect(forPatient[2]).toMatchObject({
      time: at(1),
      actorId: 'u',
      action: 'plan.read',
      planId,
      outcome: 'allowed',
      details: { n: 1 },
    });
    expect((await store.listAudit({ patientId, from: at(2), to: at(3), limit: 10 })).map((e) => e.seq)).toEqual([2]);
    expect((await store.listAudit({ patientId, notActor: 'u', limit: 10 })).map((e) => e.seq)).toEqual([2]);
    expect((await store.listAudit({ limit: 2 })).map((e) => e.seq)).toEqual([4, 3]);
  });

  it('10. what was written reads back exactly: times, bytes as plain Uint8Array, large Yjs client ids', async () => {
    const time = '2026-03-04T05:06:07.089Z';
    const update = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    await store.appendUpdates([
      { planId, author: 'u', origin: 'result', time, update, sections: ['results', 'notes'] },
    ]);
    const [u] = await store.listUpdates(planId);
    expect(u).toEqual({ planId, seq: 1, author: 'u', origin: 'result', time, update, sections: ['results', 'notes'] });
    expect(Object.getPrototypeOf(u!.update)).toBe(Uint8Array.prototype);
    const org = await store.createOrganisation({ name: 'Ø', sector: 'general_practice', region: 'Region Hovedstaden' });
    const gp = await store.createUser({
      username: 'g',
      name: 'Gitte',
      role: 'gp',
      organisationId: org.id,
      patientId: null,
      passwordHash: 'h',
    });
    expect(await store.getUser(gp.id)).toEqual(gp);
    expect(await store.getUserByUsername('g')).toEqual(gp);
    expect(await store.getOrganisation(org.id)).toEqual(org);
    expect(await store.listOrganisations()).toEqual([org]);
    const citizen = await store.createUser({
      username: 'c',
      name: 'Carl',
      role: 'citizen',
      organisationId: null,
      patientId,
      passwordHash: 'h',
    });
    expect(
      (await store.listUsersRelatedTo({ organisationIds: [org.id], userIds: [], patientId })).map((x) => x.id),
    ).toEqual([citizen.id, gp.id]);
    expect(await store.listUsersRelatedTo({ organisationIds: [], userIds: [], patientId: null })).toEqual([]);
    await store.recordClientAuthors(planId, [
      { clientId: 4_000_000_000, userId: gp.id },
      { clientId: 7, userId: 'gone' },
    ]);
    await store.recordClientAuthors(planId, [{ clientId: 4_000_000_000, userId: 'someone else' }]);
    expect((await store.listClientAuthors(planId)).sort((a, b) => a.clientId - b.clientId)).toEqual([
      { clientId: 7, userId: 'gone', name: null },
      { clientId: 4_000_000_000, userId: gp.id, name: 'Gitte' },
    ]);
    expect(await store.getPatientByCpr('0101701234')).toEqual(await store.getPatient(patientId));
    await store.updatePlanSummary(planId, { status: 'completed' });
    await store.updatePlanSummary(planId, { title: 'Ny titel' });
    expect(await store.listPlansForPatient(patientId)).toEqual([
      expect.objectContaining({ id: planId, title: 'Ny titel', status: 'completed' }),
    ]);
  });

  it('11. results: versions are unique per source, a batch is all or nothing, events are idempotent', async () => {
    const result = (version: number, over: Partial<StoredResult> = {}): StoredResult => ({
      id: randomUUID(),
      sourceSystem: 'lab',
      identifier: 'lab|1',
      version,
      patientId,
      resultId: 'r1',
      payloadHash: `h${version}`,
      result: {
        identifier: 'lab|1',
        cpr: '0101701234',
        kind: 'lab',
        category: 'laboratory',
        code: { system: 's', code: 'c', display: 'd' },
        value: 5.1,
        status: 'final',
      },
      filed: at(version),
      critical: true,
      releaseAt: at(100),
      plans: [planId],
      ...over,
    });
    const v1 = result(1);
    await store.results.insertResultVersions([v1]);
    await expect(store.results.insertResultVersions([result(2), result(1)])).rejects.toThrow();
    expect(await store.results.latestResultVersion('lab', 'lab|1')).toEqual(v1);
    expect((await store.results.listCriticalToEscalate(at(50))).map((r) => r.id)).toEqual([v1.id]);
    const ack = (version: number, userId: string, time: string) =>
      store.results.addResultEvent({ resultId: 'r1', version, kind: 'acknowledged', userId, time });
    expect(await ack(1, 'u', at(3))).toBe(true);
    expect(await ack(1, 'v', at(4))).toBe(false);
    expect(await store.results.listCriticalToEscalate(at(50))).toEqual([]);
    // An amended critical value is asked about again: acknowledgements are per version, and
    // escalation follows the newest version.
    const v2 = result(2);
    await store.results.insertResultVersions([v2]);
    expect(await store.results.getResult('r1')).toEqual(v2);
    expect(await store.results.latestResultVersion('lab', 'nothing')).toBeNull();
    expect((await store.results.listCriticalToEscalate(at(50))).map((r) => r.id)).toEqual([v2.id]);
    expect(await ack(2, 'v', at(5))).toBe(true);
    expect(await store.results.listResultEvents('r1')).toEqual([
      { resultId: 'r1', version: 1, kind: 'acknowledged', userId: 'u', time: at(3) },
      { resultId: 'r1', version: 2, kind: 'acknowledged', userId: 'v', time: at(5) },
    ]);
    expect(await store.results.listCriticalToEscalate(at(50))).toEqual([]);
    // Amended to a value that is not critical: nothing to escalate.
    await store.results.insertResultVersions([result(3, { critical: false })]);
    expect(await store.results.listCriticalToEscalate(at(50))).toEqual([]);

    await store.results.createApiKey({
      id: 'k1',
      system: 'lab',
      keyHash: 'kh',
      scope: 'intake',
      organisationId: null,
      created: at(1),
    });
    expect(await store.results.revokeApiKey('k1')).toBe(true);
    expect(await store.results.revokeApiKey('k1')).toBe(false);
    expect((await store.results.getApiKey('k1'))?.revoked).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await store.results.listApiKeys()).map((k) => k.id)).toEqual(['k1']);
    // A practice key is bound to one organisation; an intake key to none (the database refuses a mix).
    const practice = await store.createOrganisation({ name: 'Praksis', sector: 'general_practice', region: null });
    const key = {
      id: 'k2',
      system: 'praksis',
      keyHash: 'kh2',
      scope: 'practice' as const,
      organisationId: practice.id,
      created: at(2),
    };
    await store.results.createApiKey(key);
    expect(await store.results.getApiKey('k2')).toEqual({ ...key, revoked: null });
    await expect(store.results.createApiKey({ ...key, id: 'k3', organisationId: null })).rejects.toThrow();
    await expect(store.results.createApiKey({ ...key, id: 'k4', scope: 'intake' })).rejects.toThrow();
    expect((await store.results.listApiKeys()).map((k) => k.id)).toEqual(['k1', 'k2']);

    const note = (id: string, created: number): StoredNotification => ({
      id,
      userId: 'u',
      planId,
      kind: 'result-critical',
      params: { results: [{ code: 'NPU03230', display: 'P-Kalium', value: 6.9, unit: 'mmol/L' }] },
      severity: 'critical',
      created: at(created),
      seen: null,
    });
    await store.results.createNotifications([note('n2', 2), note('n1', 1)]);
    expect((await store.results.listUnseenNotifications('u')).map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(await store.results.markNotificationsSeen('u', ['n1', 'n1', 'x'], at(5))).toBe(1);
    expect(await store.results.listUnseenNotifications('u')).toEqual([note('n2', 2)]);
  });

  it('18. a notification about critical results is resolved for everyone once all are acknowledged; unacknowledged and recent results list per patient', async () => {
    const r = (identifier: string, version: number, critical: boolean, filed: number): StoredResult => ({
      id: `${identifier}-v${version}`,
      sourceSystem: 'lab',
      identifier,
      version,
      patientId,
      resultId: `res-${identifier}`,
      payloadHash: `${identifier}${version}`,
      result: {
        identifier,
        cpr: '0101701234',
        kind: 'lab',
        category: 'laboratory',
        code: { system: 'urn:npu', code: 'NPU03230', display: 'P-Kalium' },
        effective: at(filed),
        status: 'final',
      },
      filed: at(filed),
      critical,
      releaseAt: at(filed),
      plans: [planId],
    });
    await store.results.insertResultVersions([
      r('a', 1, true, 1),
      r('b', 1, true, 2),
      r('c', 1, false, 3),
      r('d', 1, true, 4),
      r('d', 2, false, 5),
    ]);
    expect((await store.results.listUnacknowledgedCritical([patientId])).map((x) => x.resultId)).toEqual([
      'res-a',
      'res-b',
    ]);
    expect((await store.results.listResultsFiledSince(patientId, at(2), 10)).map((x) => x.id)).toEqual([
      'd-v2',
      'd-v1',
      'c-v1',
    ]);
    expect(await store.results.listUnacknowledgedCritical([])).toEqual([]);

    const note = (id: string, userId: string, resultIds: string[]): StoredNotification => ({
      id,
      userId,
      planId,
      kind: 'result-critical',
      params: { results: [{ code: 'NPU03230', display: 'P-Kalium' }] },
      severity: 'critical',
      created: at(6),
      seen: null,
      resultIds,
    });
    await store.results.createNotifications([
      note('n1', 'u1', ['res-a', 'res-b']),
      note('n2', 'u2', ['res-a', 'res-b']),
    ]);
    await store.results.createNotifications([note('n3', 'u1', ['res-b'])]);
    await store.results.addResultEvent({
      resultId: 'res-a',
      version: 1,
      kind: 'acknowledged',
      userId: 'u2',
      time: at(7),
    });
    expect(await store.results.resolveAcknowledgedNotifications(['res-a'], at(7))).toEqual([]);
    await store.results.addResultEvent({
      resultId: 'res-b',
      version: 1,
      kind: 'acknowledged',
      userId: 'u2',
      time: at(8),
    });
    const resolved = await store.results.resolveAcknowledgedNotifications(['res-b'], at(8));
    expect(resolved.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'n1', userId: 'u1' },
      { id: 'n2', userId: 'u2' },
      { id: 'n3', userId: 'u1' },
    ]);
    expect(await store.results.resolveAcknowledgedNotifications(['res-a', 'res-b'], at(9))).toEqual([]);
    expect(await store.results.listUnseenNotifications('u1')).toEqual([]);
    expect(await store.results.listUnacknowledgedCritical([patientId])).toEqual([]);
  });

  it('19. personal: a plan seen only moves forward, per person; a chosen language reads back', async () => {
    expect(await store.personal.listPlanViews('u1')).toEqual(new Map());
    await store.personal.markPlanSeen('u1', planId, { time: at(5), seq: 7 });
    await store.personal.markPlanSeen('u1', planId, { time: at(3), seq: 2 });
    await store.personal.markPlanSeen('u2', planId, { time: at(1), seq: 1 });
    expect(await store.personal.listPlanViews('u1')).toEqual(new Map([[planId, { time: at(5), seq: 7 }]]));
    await store.personal.markPlanSeen('u1', planId, { time: at(9), seq: 9 });
    expect(await store.personal.listPlanViews('u1')).toEqual(new Map([[planId, { time: at(9), seq: 9 }]]));
    expect(await store.personal.listPlanViews('u2')).toEqual(new Map([[planId, { time: at(1), seq: 1 }]]));
    expect(await store.personal.getLanguage('u1')).toBeNull();
    await store.personal.setLanguage('u1', 'en');
    await store.personal.setLanguage('u1', 'da');
    await store.personal.setLanguage('u2', 'en');
    expect(await store.personal.getLanguage('u1')).toBe('da');
    expect(await store.personal.getLanguage('u2')).toBe('en');
  });

  it("20. summaries: a plan summary and a section change only move to a later seq; heads are the logs' last seqs", async () => {
    const s = store.summaries;
    expect(await s.getSummaries([planId])).toEqual(new Map());
    expect(await s.headSeqs([planId, 'no-plan'])).toEqual(
      new Map([
        [planId, 0],
        ['no-plan', 0],
      ]),
    );
    await store.appendUpdates([
      { planId, author: 'u1', origin: 'client', time: at(1), update: bytes(1), sections: ['tasks'] },
      { planId, author: 'u2', origin: 'client', time: at(2), update: bytes(2), sections: ['notes'] },
    ]);
    expect(await s.headSeqs([planId])).toEqual(new Map([[planId, 2]]));
    const summary = (seq: number, text: string) => ({ summaries: [{ planId, seq, summary: text }], changes: [] });
    await s.keepSummaries(summary(2, 'two'));
    await s.keepSummaries(summary(1, 'one'));
    expect(await s.getSummaries([planId, 'no-plan'])).toEqual(new Map([[planId, { seq: 2, summary: 'two' }]]));
    await s.keepSummaries(summary(3, 'three'));
    expect((await s.getSummaries([planId])).get(planId)).toEqual({ seq: 3, summary: 'three' });

    // Several plans' summaries and section changes in one call; a plan named twice keeps its latest.
    const other = (await store.createPlan({ patientId, title: 'Other' })).id;
    await s.keepSummaries({
      summaries: [
        { planId, seq: 2, summary: 'old' },
        { planId: other, seq: 5, summary: 'five' },
        { planId: other, seq: 6, summary: 'six' },
      ],
      changes: [
        { planId, author: 'u1', section: 'tasks', seq: 4, time: at(4) },
        { planId, author: 'u1', section: 'tasks', seq: 2, time: at(2) },
        { planId, author: 'u2', section: 'notes', seq: 3, time: at(3) },
      ],
    });
    expect(await s.getSummaries([planId, other])).toEqual(
      new Map([
        [planId, { seq: 3, summary: 'three' }],
        [other, { seq: 6, summary: 'six' }],
      ]),
    );
    await s.keepSummaries({
      summaries: [],
      changes: [{ planId, author: 'u2', section: 'notes', seq: 1, time: at(1) }],
    });
    const changes = (await s.listSectionChanges([planId])).sort((x, y) => x.seq - y.seq);
    expect(changes).toEqual([
      { planId, author: 'u2', section: 'notes', seq: 3, time: at(3) },
      { planId, author: 'u1', section: 'tasks', seq: 4, time: at(4) },
    ]);
    expect(await s.listSectionChanges([])).toEqual([]);
  });

  it('12. access: objections withdraw once, break-the-glass expires, embed links revoke once', async () => {
    const org = await store.createOrganisation({ name: 'Org', sector: 'municipality', region: null });
    const user = await store.createUser({
      username: 'm',
      name: 'M',
      role: 'municipal_nurse',
      organisationId: org.id,
      patientId: null,
      passwordHash: 'x',
    });
    const a = store.accessGrants;
    await a.addObjection({
      id: 'o1',
      patientId,
      organisationId: org.id,
      userId: null,
      created: at(1),
      withdrawn: null,
    });
    expect(await a.listObjections(patientId)).toEqual([
      { id: 'o1', patientId, organisationId: org.id, userId: null, created: at(1), withdrawn: null },
    ]);
    expect(await a.withdrawObjection(patientId, 'o1', at(2))).toBe(true);
    expect(await a.withdrawObjection(patientId, 'o1', at(3))).toBe(false);
    expect(await a.listObjections(patientId)).toEqual([]);

    const grant = { id: 'g1', userId: user.id, patientId, planId, reason: 'akut', created: at(1), expires: at(60) };
    await a.addBreakGlass(grant);
    expect(await a.activeBreakGlass(user.id, patientId, at(59))).toEqual(grant);
    expect(await a.activeBreakGlass(user.id, patientId, at(60))).toBeNull();

    const link = {
      id: 'e1',
      planId,
      access: 'read' as const,
      createdBy: user.id,
      createdBySystem: null,
      createdByKey: null,
      actsAs: user.id,
      created: at(1),
      expires: at(90),
      revoked: null,
    };
    await a.addEmbedLink(link);
    expect(await a.getEmbedLink('e1')).toEqual(link);
    await store.results.createApiKey({
      id: 'kp',
      system: 'praksis',
      keyHash: 'kh',
      scope: 'practice',
      organisationId: org.id,
      created: at(1),
    });
    const bySystem = { ...link, id: 'e2', createdBy: null, createdBySystem: 'praksis', createdByKey: 'kp' };
    await a.addEmbedLink(bySystem);
    expect(await a.getEmbedLink('e2')).toEqual(bySystem);
    expect(await a.revokeEmbedLink('e1', at(2))).toBe(true);
    expect(await a.revokeEmbedLink('e1', at(3))).toBe(false);
    expect((await a.getEmbedLink('e1'))?.revoked).toBe(at(2));
    expect(await a.getEmbedLink('none')).toBeNull();
  });

  it('13. two nodes appending to the same plans at once get unique, gap-free seqs, and a reader never sees a gap', async () => {
    const second = await opened.another();
    const patient = await store.createPatient({ cpr: '0303701234', name: 'Third' });
    const planB = (await store.createPlan({ patientId: patient.id, title: 'B' })).id;
    // Each node sends 25 batches at once (several in flight per node on PostgreSQL's pool);
    // batches hold 1–4 updates and both plans, in opposite orders on the two nodes.
    const batch = (node: number, i: number): NewPlanUpdate[] =>
      Array.from({ length: 1 + (i % 4) }, (_, k) => {
        const plan = (k + node) % 2 === 0 ? planId : planB;
        return {
          planId: plan,
          author: `node${node}`,
          origin: 'client' as const,
          time: at(i),
          update: bytes(node, i, k),
        };
      });
    const sent = new Map<string, string>(); // `${plan}/${seq}` → `${node}.${i}.${k}`
    let appending = true;
    const gaps: string[] = [];
    const reader = (async () => {
      while (appending) {
        for (const p of [planId, planB]) {
          const seqs = (await second.listUpdates(p)).map((u) => u.seq);
          if (seqs.some((s, i) => s !== i + 1)) gaps.push(`${p}: ${seqs.join(',')}`);
        }
      }
    })();
    await Promise.all(
      [store, second].flatMap((node, n) =>
        Array.from({ length: 25 }, async (_, i) => {
          const updates = batch(n, i);
          const seqs = await node.appendUpdates(updates);
          updates.forEach((u, k) => sent.set(`${u.planId}/${seqs[k]}`, `${n}.${i}.${k}`));
        }),
      ),
    );
    appending = false;
    await reader;
    expect(gaps).toEqual([]);
    const total = 2 * Array.from({ length: 25 }, (_, i) => 1 + (i % 4)).reduce((a, b) => a + b, 0);
    expect(sent.size).toBe(total);
    for (const p of [planId, planB]) {
      const log = await store.listUpdates(p);
      expect(log.map((u) => u.seq)).toEqual(log.map((_, i) => i + 1));
      expect(await second.latestSeq(p)).toBe(log.length);
      // Every stored update is the one its appender was told that seq for.
      for (const u of log) expect(sent.get(`${p}/${u.seq}`)).toBe(u.update.join('.'));
    }
  });

  it('14. two nodes appending audit entries at once leave one chain that verifies', async () => {
    const second = await opened.another();
    await Promise.all(
      [store, second].flatMap((node, n) =>
        Array.from({ length: 20 }, (_, i) =>
          node.appendAudit(
            Array.from({ length: 1 + (i % 3) }, (_, k) => audit(i, { actorId: `node${n}`, details: { n, i, k } })),
          ),
        ),
      ),
    );
    const total = 2 * Array.from({ length: 20 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    expect(await verifyAuditLog(second, 7)).toMatchObject({ ok: true, entries: total });
    const rows = await store.readAuditChain(null, 1000);
    expect(new Set(rows.map((r) => r.details)).size).toBe(total);
  });

  it('15. results stored with their audit entries: one transaction, both or neither, one chain that verifies', async () => {
    const result = (identifier: string, version: number): StoredResult => ({
      id: randomUUID(),
      sourceSystem: 'lab',
      identifier,
      version,
      patientId,
      resultId: `r-${identifier}`,
      payloadHash: `h${version}`,
      result: {
        identifier,
        cpr: '0101701234',
        kind: 'lab',
        category: 'laboratory',
        code: { system: 's', code: 'c', display: 'd' },
        value: 5.1,
        status: 'final',
      },
      filed: at(version),
      critical: false,
      releaseAt: at(100),
      plans: [planId],
    });
    const filed = (n: number, identifier: string) =>
      audit(n, { actorId: null, action: 'result.file', patientId, details: { identifier } });
    await store.appendAudit([audit(1)]);
    await store.results.insertResultVersions([result('a', 1)], [filed(2, 'a')]);
    // A batch that fails (a duplicate version) stores neither its results nor its audit entries.
    await expect(
      store.results.insertResultVersions([result('b', 1), result('a', 1)], [filed(3, 'b'), filed(4, 'a')]),
    ).rejects.toThrow();
    expect(await store.results.latestResultVersion('lab', 'b')).toBeNull();
    await store.appendAudit([audit(5)]);
    const chain = await store.readAuditChain(null, 10);
    expect(chain.map((r) => [r.seq, r.action])).toEqual([
      [1, 'plan.read'],
      [2, 'result.file'],
      [3, 'plan.read'],
    ]);
    expect(chain[1]).toMatchObject({ patientId, actorId: null, details: '{"identifier":"a"}' });
    expect(await verifyAuditLog(store, 2)).toMatchObject({ ok: true, entries: 3 });
  });

  it('16. identity: providers and SMART clients list until removed once; an identity links one user, also when two nodes race; switched-off users read back', async () => {
    const id = store.identity;
    const org = await store.createOrganisation({ name: 'Region', sector: 'hospital', region: null });
    const provider = {
      id: 'p1',
      organisationId: org.id,
      name: 'Region',
      issuer: 'https://idp.example',
      clientId: 'carehub',
      clientSecretEnv: 'IDP_SECRET',
      scopes: 'openid profile',
      roleClaim: 'roles',
      roleMap: { doctor: 'hospital_doctor' as const },
      cprClaim: null,
      organisationClaim: null,
      organisationValue: null,
      allowAdmin: false,
      created: at(1),
      removed: null,
    };
    const citizens = {
      ...provider,
      id: 'p2',
      organisationId: null,
      name: 'MitID',
      roleClaim: null,
      roleMap: {},
      cprClaim: 'cpr',
      clientSecretEnv: null,
    };
    await id.addProvider(provider);
    await id.addProvider(citizens);
    expect(await id.listProviders()).toEqual([citizens, provider]);
    // A citizens' login names a CPR claim and no organisation; an organisation's provider a role claim.
    await expect(id.addProvider({ ...provider, id: 'p3', cprClaim: 'cpr' })).rejects.toThrow();
    await expect(id.addProvider({ ...provider, id: 'p4', roleClaim: null })).rejects.toThrow();
    expect(await id.removeProvider('p1', at(2))).toBe(true);
    expect(await id.removeProvider('p1', at(3))).toBe(false);
    expect(await id.listProviders()).toEqual([citizens]);
    expect(await id.getProvider('p1')).toEqual({ ...provider, removed: at(2) });

    const smart = {
      id: 's1',
      organisationId: org.id,
      name: 'Praksis',
      issuer: 'https://ehr.example/fhir',
      clientId: 'carehub',
      clientSecretEnv: null,
      frameOrigin: 'https://ehr.example',
      authIssuer: null,
      created: at(1),
      removed: null,
    };
    await id.addSmartClient(smart);
    await expect(id.addSmartClient({ ...smart, id: 's2' })).rejects.toThrow();
    expect(await id.listSmartClients()).toEqual([smart]);
    expect(await id.removeSmartClient('s1', at(2))).toBe(true);
    await id.addSmartClient({ ...smart, id: 's2' });
    expect((await id.listSmartClients()).map((c) => c.id)).toEqual(['s2']);
    expect((await id.getSmartClient('s1'))?.removed).toBe(at(2));
    // Its authorization server's issuer is pinned once.
    expect(await id.pinSmartAuthIssuer('s2', 'https://ehr.example/oauth')).toBe(true);
    expect(await id.pinSmartAuthIssuer('s2', 'https://evil.example')).toBe(false);
    expect((await id.getSmartClient('s2'))?.authIssuer).toBe('https://ehr.example/oauth');

    // Two nodes linking the same person at once: one user, and both are told which.
    const second = await opened.another();
    const newUser = (n: number) => ({
      username: `dr-${n}`,
      name: 'Dr',
      role: 'hospital_doctor' as const,
      organisationId: org.id,
      patientId: null,
      passwordHash: '!',
    });
    const identity = { issuer: 'https://idp.example', subject: 'abc', created: at(4), source: 'oidc:p1' };
    const [a, b] = await Promise.all([
      id.createLinkedUser(newUser(1), identity),
      second.identity.createLinkedUser(newUser(2), identity),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.user.id).toBe(b.user.id);
    expect(await id.getExternalIdentity('https://idp.example', 'abc')).toEqual({ ...identity, userId: a.user.id });
    expect(await id.getExternalIdentity('https://idp.example', 'other')).toBeNull();
    expect(await id.linkIdentity({ ...identity, userId: 'x' })).toBe(false);
    const local = await store.createUser(newUser(3));
    expect(local.disabled).toBeNull();
    expect(
      await id.linkIdentity({
        issuer: 'https://idp.example',
        subject: 'def',
        userId: local.id,
        created: at(5),
        source: null,
      }),
    ).toBe(true);
    // An identity from before sources were kept is claimed by the first source presenting it, once.
    expect(await id.claimIdentitySource('https://idp.example', 'def', null, 'oidc:p1')).toBe(true);
    expect(await id.claimIdentitySource('https://idp.example', 'def', null, 'smart:s2')).toBe(false);
    // A re-registration of the same provider takes it over from the removed one.
    expect(await id.claimIdentitySource('https://idp.example', 'def', 'oidc:p1', 'oidc:p9')).toBe(true);
    expect(await id.claimIdentitySource('https://idp.example', 'def', 'oidc:p1', 'oidc:p8')).toBe(false);
    expect((await id.getExternalIdentity('https://idp.example', 'def'))?.source).toBe('oidc:p9');
    await id.updateUserAccess(local.id, { role: 'hospital_nurse', organisationId: org.id, disabled: at(6) });
    expect(await store.getUser(local.id)).toMatchObject({ role: 'hospital_nurse', disabled: at(6) });

    // Whom a person's access reaches through care teams: in person or through the organisation.
    const other = await store.createPatient({ cpr: '0202701234', name: 'Other' });
    await store.addCareTeamMember({ patientId, organisationId: org.id, userId: null, addedBy: null });
    await store.addCareTeamMember({ patientId: other.id, organisationId: null, userId: local.id, addedBy: null });
    expect((await id.careTeamPatientIds(local.id, org.id)).sort()).toEqual([patientId, other.id].sort());
    expect(await id.careTeamPatientIds(local.id, null)).toEqual([other.id]);
    expect(await id.careTeamPatientIds('nobody', null)).toEqual([]);
  });

  it('17. a pending sign-in is taken once, by whichever node asks first, and never after it expired', async () => {
    const id = store.identity;
    const future = new Date(Date.now() + 600_000).toISOString();
    await id.putPending('k1', 'state', '{"a":1}', future);
    expect(await id.takePending('k1', 'handoff', new Date().toISOString())).toBeNull();
    const second = await opened.another();
    const taken = await Promise.all([
      id.takePending('k1', 'state', new Date().toISOString()),
      second.identity.takePending('k1', 'state', new Date().toISOString()),
    ]);
    expect(taken.filter((t) => t !== null)).toEqual(['{"a":1}']);
    await id.putPending('k2', 'handoff', 'x', future);
    expect(await id.takePending('k2', 'handoff', future)).toBeNull();
    expect(await id.takePending('k2', 'handoff', new Date().toISOString())).toBeNull();
  });

  it("17b. a signed-in session is kept, ends once, and a provider's removal ends every live session signed in through it", async () => {
    const id = store.identity;
    const now = Date.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    const base = { started: iso(0), expires: iso(3_600_000), ended: null, endedReason: null };
    await id.addSession({ ...base, id: 's1', userId: 'u1', providerId: null });
    await id.addSession({ ...base, id: 's2', userId: 'u2', providerId: 'p1' });
    await id.addSession({ ...base, id: 's3', userId: 'u3', providerId: 'p1' });
    await id.addSession({ ...base, id: 's4', userId: 'u3', providerId: 'p1' });
    await id.addSession({ ...base, id: 's5', userId: 'u4', providerId: 'p2' });
    expect(await id.getSession('s1')).toEqual({ ...base, id: 's1', userId: 'u1', providerId: null });
    expect(await id.getSession('nope')).toBeNull();
    // Ended once: a second sign-out of the same session changes nothing.
    expect(await id.endSession('s1', iso(10), 'signed_out')).toBe(true);
    expect(await id.endSession('s1', iso(20), 'signed_out')).toBe(false);
    expect(await id.endSession('nope', iso(20), 'signed_out')).toBe(false);
    expect(await id.getSession('s1')).toMatchObject({ ended: iso(10), endedReason: 'signed_out' });
    // A session signed out already keeps its reason when its provider goes later.
    expect(await id.endSession('s4', iso(30), 'signed_out')).toBe(true);
    expect((await id.endProviderSessions('p1', iso(40), 'provider_removed')).sort()).toEqual(['u2', 'u3']);
    expect(await id.getSession('s2')).toMatchObject({ ended: iso(40), endedReason: 'provider_removed' });
    expect(await id.getSession('s4')).toMatchObject({ ended: iso(30), endedReason: 'signed_out' });
    expect(await id.getSession('s5')).toMatchObject({ ended: null });
    expect(await id.endProviderSessions('p1', iso(50), 'provider_removed')).toEqual([]);
    // Sessions over for more than a day are cleared when the next one is kept.
    await id.addSession({
      ...base,
      id: 'old',
      userId: 'u5',
      providerId: null,
      started: iso(-3 * 86_400_000),
      expires: iso(-2 * 86_400_000),
    });
    await id.addSession({ ...base, id: 's6', userId: 'u5', providerId: null });
    expect(await id.getSession('old')).toBeNull();
    expect(await id.getSession('s6')).not.toBeNull();
  });

  it('18. organisations carry a SOR code (one organisation each), an EAN number and a ydernummer, found by SOR, changed or cleared', async () => {
    const plain = await store.createOrganisation({ name: 'Uden koder', sector: 'hospital', region: null });
    expect(plain).toMatchObject({ sor: null, ean: null, ydernummer: null });
    const kk = await store.createOrganisation({
      name: 'Kommune',
      sector: 'municipality',
      region: 'Region Hovedstaden',
      sor: '953741000016009',
      ean: '5790001348120',
    });
    expect(await store.getOrganisation(kk.id)).toEqual(kk);
    expect(await store.getOrganisationBySor('953741000016009')).toEqual(kk);
    expect(await store.getOrganisationBySor('000000')).toBeNull();
    await expect(
      store.createOrganisation({ name: 'Twin', sector: 'hospital', region: null, sor: '953741000016009' }),
    ).rejects.toBeInstanceOf(DuplicateSorError);
    await expect(
      store.updateOrganisationCodes(plain.id, { sor: '953741000016009', ean: null, ydernummer: null }),
    ).rejects.toBeInstanceOf(DuplicateSorError);
    // Organisations without a code do not collide.
    await store.createOrganisation({ name: 'Også uden', sector: 'hospital', region: null });
    expect(
      await store.updateOrganisationCodes(plain.id, { sor: '265161000016000', ean: '5790000209354', ydernummer: null }),
    ).toBe(true);
    expect(await store.getOrganisationBySor('265161000016000')).toMatchObject({ id: plain.id, ean: '5790000209354' });
    expect(await store.updateOrganisationCodes(kk.id, { sor: null, ean: null, ydernummer: null })).toBe(true);
    expect(await store.getOrganisationBySor('953741000016009')).toBeNull();
    expect(await store.updateOrganisationCodes('no-such-id', { sor: null, ean: null, ydernummer: null })).toBe(false);
    expect((await store.listOrganisations()).map((o) => o.sor).sort()).toEqual(['265161000016000', null, null]);
    // A practice's ydernummer (MedCom's HomeCareObservation receiver needs it), kept with its leading zero.
    const practice = await store.createOrganisation({
      name: 'Lægepraksis',
      sector: 'general_practice',
      region: null,
      sor: '52581000016005',
      ean: '5790000127092',
      ydernummer: '061654',
    });
    expect(await store.getOrganisation(practice.id)).toMatchObject({ ydernummer: '061654' });
    expect(
      await store.updateOrganisationCodes(practice.id, {
        sor: '52581000016005',
        ean: '5790000127092',
        ydernummer: '070001',
      }),
    ).toBe(true);
    expect(await store.getOrganisationBySor('52581000016005')).toMatchObject({ ydernummer: '070001' });
  });
});

describe('SQLite specifics', () => {
  it('refuses to change or delete history, even through SQL', async () => {
    const dir = tempDir();
    const store = new SqliteStore(join(dir, 'x.db'), { synchronous: 'FULL' });
    await store.migrate();
    const patient = await store.createPatient({ cpr: '0101701234', name: 'P' });
    const plan = await store.createPlan({ patientId: patient.id, title: 'T' });
    await store.appendUpdates([{ planId: plan.id, author: null, origin: 'client', time: at(1), update: bytes(1) }]);
    // A second connection to the file: the store hands out no handle.
    const raw = new Database(join(dir, 'x.db'));
    expect(() => raw.prepare('DELETE FROM plan_updates').run()).toThrow(/append-only/);
    expect(() => raw.prepare("UPDATE plan_updates SET author = 'x'").run()).toThrow(/append-only/);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * Migration 005 on a database that holds keys and links from before it: every existing key
 * becomes an intake key (what keys were for); a link a person made acts as that person; a link
 * a system made without naming anyone cannot act as anybody and is revoked.
 */
describe.each(['sqlite', 'postgres'] as const)('migration 005 carries keys and links over: %s', (engine) => {
  const MIGRATIONS = join(
    fileURLToPath(new URL('.', import.meta.url)),
    '..',
    '..',
    'server',
    'store',
    'migrations',
    engine,
  );
  const upTo4 = readdirSync(MIGRATIONS)
    .filter((f) => /^\d+_.+\.sql$/.test(f) && Number(f.split('_')[0]) <= 4)
    .sort()
    .map((f) => ({ version: Number(f.split('_')[0]), file: f, sql: readFileSync(join(MIGRATIONS, f), 'utf8') }));
  const OLD_ROWS = `
    INSERT INTO organisations (id, name, sector, region) VALUES ('o1', 'Praksis', 'general_practice', NULL);
    INSERT INTO patients (id, cpr, name, created) VALUES ('p1', '0101701234', 'P', '${at(0)}');
    INSERT INTO users (id, username, name, role, organisation_id, patient_id, password_hash, created) VALUES ('u1', 'n', 'Nurse', 'municipal_nurse', 'o1', NULL, 'x', '${at(0)}');
    INSERT INTO plans (id, patient_id, title, status, created) VALUES ('pl1', 'p1', 'T', 'active', '${at(0)}');
    INSERT INTO api_keys (id, system, key_hash, created, revoked) VALUES ('k-old', 'lab', 'kh', '${at(1)}', NULL);
    INSERT INTO embed_links (id, plan_id, access, created_by, created_by_system, acts_as, created, expires, revoked) VALUES
      ('by-person', 'pl1', 'edit', 'u1', NULL, NULL, '${at(1)}', '${at(9000)}', NULL),
      ('by-system', 'pl1', 'edit', NULL, 'praksis', NULL, '${at(1)}', '${at(9000)}', NULL);`;

  it('existing keys become intake keys, links act as their maker, nameless system links are revoked', async () => {
    let store: Store;
    let dispose: () => Promise<void>;
    if (engine === 'sqlite') {
      const dir = tempDir();
      const file = join(dir, 'old.db');
      const old = new Database(file);
      old.exec(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
      );
      for (const m of upTo4) {
        old.exec(m.sql);
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.file, at(0));
      }
      old.exec(OLD_ROWS);
      old.close();
      const sqlite = new SqliteStore(file, { synchronous: 'FULL' });
      await sqlite.migrate();
      store = sqlite;
      dispose = async () => {
        await sqlite.close();
        rmSync(dir, { recursive: true, force: true });
      };
    } else {
      const db = await createTestDatabase();
      const pgStore = new PostgresStore(db.url);
      await pgStore.pool.query(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
      );
      for (const m of upTo4) {
        await pgStore.pool.query(m.sql);
        await pgStore.pool.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.file, at(0)]);
      }
      await pgStore.pool.query(OLD_ROWS);
      await pgStore.migrate();
      store = pgStore;
      dispose = async () => {
        await pgStore.close();
        await db.drop();
      };
    }
    try {
      expect(await store.results.getApiKey('k-old')).toMatchObject({
        scope: 'intake',
        organisationId: null,
        revoked: null,
      });
      expect(await store.accessGrants.getEmbedLink('by-person')).toMatchObject({
        actsAs: 'u1',
        createdByKey: null,
        revoked: null,
      });
      const bySystem = await store.accessGrants.getEmbedLink('by-system');
      expect(bySystem).toMatchObject({ actsAs: null });
      expect(bySystem?.revoked).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    } finally {
      await dispose();
    }
  });
});

/**
 * Migration 006 on a database that holds notifications from before it: each keeps the words the
 * server wrote then, as a notification of kind `text`, and new ones carry a kind and parameters.
 */
describe.each(['sqlite', 'postgres'] as const)(
  'migration 006 keeps the words of earlier notifications: %s',
  (engine) => {
    const MIGRATIONS = join(
      fileURLToPath(new URL('.', import.meta.url)),
      '..',
      '..',
      'server',
      'store',
      'migrations',
      engine,
    );
    const upTo5 = readdirSync(MIGRATIONS)
      .filter((f) => /^\d+_.+\.sql$/.test(f) && Number(f.split('_')[0]) <= 5)
      .sort()
      .map((f) => ({ version: Number(f.split('_')[0]), file: f, sql: readFileSync(join(MIGRATIONS, f), 'utf8') }));
    const OLD_ROWS = `
    INSERT INTO notifications (id, user_id, plan_id, kind, severity, text, created, seen) VALUES
      ('n-old', 'u1', 'pl1', 'result-critical', 'critical', 'Kritisk svar: P-Kalium 6.9 mmol/L — kræver kvittering', '${at(1)}', NULL),
      ('n-seen', 'u1', 'pl1', 'result', 'info', 'Nye svar (1): P-Kalium', '${at(2)}', '${at(3)}');`;

    it('an earlier notification reads back as kind text with its words; a new one with its parameters', async () => {
      let store: Store;
      let dispose: () => Promise<void>;
      if (engine === 'sqlite') {
        const dir = tempDir();
        const file = join(dir, 'old.db');
        const old = new Database(file);
        old.exec(
          'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
        );
        for (const m of upTo5) {
          old.exec(m.sql);
          old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.file, at(0));
        }
        old.exec(OLD_ROWS);
        old.close();
        const sqlite = new SqliteStore(file, { synchronous: 'FULL' });
        await sqlite.migrate();
        store = sqlite;
        dispose = async () => {
          await sqlite.close();
          rmSync(dir, { recursive: true, force: true });
        };
      } else {
        const db = await createTestDatabase();
        const pgStore = new PostgresStore(db.url);
        await pgStore.pool.query(
          'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)',
        );
        for (const m of upTo5) {
          await pgStore.pool.query(m.sql);
          await pgStore.pool.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.file, at(0)]);
        }
        await pgStore.pool.query(OLD_ROWS);
        await pgStore.migrate();
        store = pgStore;
        dispose = async () => {
          await pgStore.close();
          await db.drop();
        };
      }
      try {
        expect(await store.results.listUnseenNotifications('u1')).toEqual([
          {
            id: 'n-old',
            userId: 'u1',
            planId: 'pl1',
            kind: 'text',
            params: { text: 'Kritisk svar: P-Kalium 6.9 mmol/L — kræver kvittering' },
            severity: 'critical',
            created: at(1),
            seen: null,
          },
        ]);
        const fresh: StoredNotification = {
          id: 'n-new',
          userId: 'u1',
          planId: 'pl1',
          kind: 'encounter',
          params: { event: 'admission', place: 'Rigshospitalet' },
          severity: 'warning',
          created: at(4),
          seen: null,
        };
        await store.results.createNotifications([fresh]);
        expect((await store.results.listUnseenNotifications('u1')).at(-1)).toEqual(fresh);
        expect(await store.results.markNotificationsSeen('u1', ['n-old', 'n-seen'], at(5))).toBe(1);
      } finally {
        await dispose();
      }
    });
  },
);

describe('PostgreSQL specifics', () => {
  it('refuses to change, delete or truncate history, even through SQL', async () => {
    const db = await createTestDatabase();
    const store = new PostgresStore(db.url);
    try {
      await store.migrate();
      const patient = await store.createPatient({ cpr: '0101701234', name: 'P' });
      const plan = await store.createPlan({ patientId: patient.id, title: 'T' });
      await store.appendUpdates([{ planId: plan.id, author: null, origin: 'client', time: at(1), update: bytes(1) }]);
      await store.appendAudit([audit(1)]);
      for (const sql of [
        'DELETE FROM plan_updates',
        "UPDATE plan_updates SET author = 'x'",
        'TRUNCATE plan_updates',
        'DELETE FROM audit_log',
        "UPDATE audit_log SET action = 'x'",
        'TRUNCATE audit_log',
      ]) {
        await expect(store.pool.query(sql), sql).rejects.toThrow(/append-only/);
      }
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('several nodes starting at once on a new database migrate it once', async () => {
    const db = await createTestDatabase();
    const nodes = Array.from({ length: 4 }, () => new PostgresStore(db.url));
    try {
      await Promise.all(nodes.map((n) => n.migrate()));
      const { rows } = await nodes[0]!.pool.query(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      // Every migration of migrations/postgres/, each once.
      const versions = readdirSync(
        join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'server', 'store', 'migrations', 'postgres'),
      )
        .filter((f) => /^\d+_.+\.sql$/.test(f))
        .map((f) => Number(f.split('_')[0]))
        .sort((x, y) => x - y);
      expect(versions.length).toBeGreaterThanOrEqual(6);
      expect(rows.map((r: { version: number }) => r.version)).toEqual(versions);
      expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
      expect(await nodes[3]!.isEmpty()).toBe(true);
    } finally {
      for (const n of nodes) await n.close();
      await db.drop();
    }
  });

  it('opens through DATABASE_URL, and fails fast, without the password, when the server is unreachable', async () => {
    const db = await createTestDatabase();
    try {
      const store = await openStore({ databaseUrl: db.url, sqliteSynchronous: 'FULL', logLevel: 'silent' });
      expect(store.kind).toBe('postgres');
      expect(await store.isEmpty()).toBe(true);
      await store.close();
      await store.close();
    } finally {
      await db.drop();
    }
    const refused = openStore({
      databaseUrl: 'postgres://carehub:s3cret@127.0.0.1:1/carehub',
      sqliteSynchronous: 'FULL',
      logLevel: 'silent',
    });
    await expect(refused).rejects.toThrow(/ECONNREFUSED/);
    await expect(refused).rejects.not.toThrow(/s3cret/);
  });

  it('says what is wrong with a DATABASE_URL without echoing it', () => {
    expect(() => new PostgresStore('postgres://user:s3cret@[bad')).toThrow(/not a valid URL/);
    expect(() => new PostgresStore('postgres://user:s3cret@[bad')).not.toThrow(/s3cret/);
  });
});
