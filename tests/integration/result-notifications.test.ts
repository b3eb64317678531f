import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CareTeamNotifier } from '../../server/results/care-team-notifier.ts';
import { CriticalEscalation } from '../../server/results/critical-escalation.ts';
import type { ResultEvents } from '../../server/results/result-events.ts';
import { ResultNotifications } from '../../server/results/result-notifications.ts';
import { seedDemoData } from '../../server/seed/demo-data.ts';
import { CARL } from '../../server/seed/demo-patients.ts';
import type { StoredResult } from '../../server/store/result-store.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { containsCprNumber } from '../../shared/cpr-in-text.ts';
import { NPU_SYSTEM } from '../../shared/fhir-systems.ts';
import type { Notification } from '../../shared/notifications.ts';
import { isCriticalFlag, type IncomingResult } from '../../shared/results.ts';
import { tempDir } from '../fixtures/server.ts';

/**
 * Telling the care team about filed results, without a server or Socket.IO: ResultNotifications
 * (the coalescing windows) and CriticalEscalation over a real SQLite store with the demo data,
 * a real CareTeamNotifier, and a sink that records what would go out to each person's sessions.
 */
class RecordingSink implements ResultEvents {
  readonly sent: { userId: string; notification: Notification }[] = [];
  readonly resolvedFor: { userId: string; ids: string[] }[] = [];
  private waiters: (() => void)[] = [];

  resultFiled(): void {}

  resolved(userId: string, ids: string[]): void {
    this.resolvedFor.push({ userId, ids });
  }

  notify(userId: string, notification: Notification): void {
    this.sent.push({ userId, notification });
    for (const wake of this.waiters.splice(0)) wake();
  }

  to(userId: string): Notification[] {
    return this.sent.filter((s) => s.userId === userId).map((s) => s.notification);
  }

  /** Resolves once `userId` has been sent `count` notifications; rejects after `ms`. */
  async until(userId: string, count: number, ms = 5000): Promise<Notification[]> {
    const deadline = Date.now() + ms;
    while (this.to(userId).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${userId} was sent ${this.to(userId).length} notifications, not ${count}`);
      await new Promise<void>((resolve) => {
        const timer = realSetTimeout(resolve, left);
        this.waiters.push(() => {
          realClearTimeout(timer);
          resolve();
        });
      });
    }
    return this.to(userId);
  }
}

const log = pino({ level: 'silent' });
// The sink's bound on waiting stays real while a test fakes the windows' timers.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

describe('telling the care team about results (a recording sink, no Socket.IO)', () => {
  let dir: string;
  let store: SqliteStore;
  let patientId: string;
  let planId: string;
  const people: Record<'hanne' | 'maja' | 'gitte', string> = { hanne: '', maja: '', gitte: '' };
  let sink: RecordingSink;
  let notifier: CareTeamNotifier;

  beforeAll(async () => {
    dir = tempDir();
    store = new SqliteStore(join(dir, 'carehub.db'), { synchronous: 'NORMAL' });
    await store.migrate();
    await seedDemoData(store);
    patientId = (await store.getPatientByCpr(CARL.cpr))!.id;
    planId = (await store.listPlansForPatient(patientId))[0]!.id;
    for (const name of Object.keys(people) as (keyof typeof people)[])
      people[name] = (await store.getUserByUsername(name))!.id;
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sink = new RecordingSink();
    notifier = new CareTeamNotifier(store, sink);
  });

  const result = (
    o: {
      display?: string;
      value?: number | string;
      flag?: IncomingResult['interpretation'];
      filed?: string;
      category?: IncomingResult['category'];
      code?: string;
      text?: string;
    } = {},
  ): StoredResult => {
    const identifier = randomUUID();
    const interpretation = o.flag;
    return {
      id: randomUUID(),
      sourceSystem: 'lab',
      identifier,
      version: 1,
      patientId,
      resultId: randomUUID(),
      payloadHash: identifier,
      result: {
        identifier,
        cpr: CARL.cpr,
        kind: o.category === 'hospital-notification' ? 'notification' : 'lab',
        category: o.category ?? 'laboratory',
        code: { system: NPU_SYSTEM, code: o.code ?? 'NPU03230', display: o.display ?? 'P-Kalium' },
        ...(o.value !== undefined ? { value: o.value, unit: 'mmol/L' } : {}),
        ...(interpretation ? { interpretation } : {}),
        ...(o.text ? { text: o.text } : {}),
        status: 'final',
      },
      filed: o.filed ?? new Date().toISOString(),
      critical: isCriticalFlag(interpretation),
      releaseAt: new Date().toISOString(),
      plans: [planId],
    };
  };

  describe('ResultNotifications', () => {
    let notifications: ResultNotifications;
    afterEach(() => {
      notifications.stop();
      vi.useRealTimers();
    });

    it('tells the first at once, gathers the next, tells a critical one without waiting, and the gathered together', async () => {
      notifications = new ResultNotifications({ notifier, log, coalesceMs: 60_000 });
      notifications.filed(planId, [result({ value: 4.1 })], false);
      expect((await sink.until(people.maja, 1))[0]).toMatchObject({
        planId,
        severity: 'info',
        kind: 'result',
        params: { count: 1, tests: ['P-Kalium'], moreTests: false },
      });

      notifications.filed(planId, [result({ value: 4.2 })], false);
      notifications.filed(
        planId,
        [result({ value: 4.3 }), result({ display: 'HbA1c', code: 'NPU27300', value: 48 })],
        false,
      );
      notifications.filed(
        planId,
        [result({ value: 6.9, flag: 'HH' }), result({ display: 'P-Natrium', value: 139 })],
        false,
      );
      // Told in filing order: the critical one arriving second shows that the three were held back.
      const [, critical] = await sink.until(people.maja, 2);
      expect(critical).toMatchObject({
        severity: 'critical',
        kind: 'result-critical',
        params: { results: [{ code: 'NPU03230', display: 'P-Kalium', value: 6.9, unit: 'mmol/L' }] },
      });

      await notifications.settled();
      const told = sink.to(people.maja);
      expect(told).toHaveLength(3);
      expect(told[2]).toMatchObject({
        severity: 'info',
        kind: 'result',
        params: { count: 3, tests: ['P-Kalium', 'HbA1c'], moreTests: false },
      });
      // The whole care team was told the same, each their own stored notification.
      for (const person of [people.hanne, people.gitte])
        expect(sink.to(person).map((n) => n.kind)).toEqual(['result', 'result-critical', 'result']);
      const stored = await store.results.listUnseenNotifications(people.maja);
      expect(stored.slice(-3).map(({ id, kind, params }) => ({ id, kind, params }))).toEqual(
        told.map(({ id, kind, params }) => ({ id, kind, params })),
      );
    });

    it('ends a window after RESULT_NOTIFY_COALESCE_MS and opens the next for what comes then', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      notifications = new ResultNotifications({ notifier, log, coalesceMs: 1000 });
      notifications.filed(planId, [result()], false);
      await sink.until(people.maja, 1);
      notifications.filed(planId, [result({ display: 'P-Natrium' })], false);
      vi.advanceTimersByTime(1000);
      expect((await sink.until(people.maja, 2))[1]).toMatchObject({
        kind: 'result',
        params: { count: 1, tests: ['P-Natrium'] },
      });
      // The window reopened when it told what it had gathered: the next result waits in it.
      notifications.filed(planId, [result({ display: 'eGFR' })], false);
      vi.advanceTimersByTime(999);
      notifications.filed(planId, [result({ value: 7.1, flag: 'HH' })], false);
      expect((await sink.until(people.maja, 3))[2]).toMatchObject({ kind: 'result-critical' });
      vi.advanceTimersByTime(1);
      expect((await sink.until(people.maja, 4))[3]).toMatchObject({
        kind: 'result',
        params: { count: 1, tests: ['eGFR'] },
      });
    });

    it('names each test once and at most four; 0 tells every filing at once', async () => {
      notifications = new ResultNotifications({ notifier, log, coalesceMs: 0 });
      const names = ['P-Kalium', 'P-Natrium', 'P-Kreatinin', 'eGFR', 'B-Hæmoglobin', 'P-CRP'];
      notifications.filed(
        planId,
        [...names, 'P-Kalium'].map((display) => result({ display })),
        false,
      );
      notifications.filed(planId, [result()], false);
      const told = await sink.until(people.maja, 2);
      expect(told[0]).toMatchObject({
        kind: 'result',
        params: { count: 7, tests: names.slice(0, 4), moreTests: true },
      });
      expect(told[1]).toMatchObject({ kind: 'result', params: { count: 1, tests: ['P-Kalium'], moreTests: false } });
    });

    it('tells home care and the GP of every hospital notification, with no CPR number in what it says', async () => {
      notifications = new ResultNotifications({ notifier, log, coalesceMs: 60_000 });
      const admission = result({
        category: 'hospital-notification',
        code: 'admission',
        display: 'Indlagt',
        text: 'Rigshospitalet, Kardiologisk Klinik',
      });
      const discharge = result({
        category: 'hospital-notification',
        code: 'discharge',
        display: 'Udskrevet',
        text: `Rigshospitalet, pt ${CARL.cpr}`,
      });
      notifications.filed(planId, [admission, discharge], true);
      for (const person of [people.maja, people.gitte]) {
        const told = await sink.until(person, 2);
        expect(told.map((n) => n.severity)).toEqual(['warning', 'warning']);
        expect(told[0]).toMatchObject({
          kind: 'encounter',
          params: { event: 'admission', place: 'Rigshospitalet, Kardiologisk Klinik' },
        });
        expect(told[1]).toMatchObject({ kind: 'encounter', params: { event: 'discharge' } });
      }
      await notifications.settled();
      expect(sink.to(people.hanne)).toEqual([]);
      // What it says carries no CPR number; the patient it names is told apart from it, by name and CPR.
      expect(containsCprNumber(JSON.stringify(sink.sent.map((s) => s.notification.params)))).toBe(false);
      expect(sink.to(people.gitte)[0]!.patient).toEqual({ id: patientId, name: CARL.name, cpr: CARL.cpr });
      // What is stored: no CPR number in what it says, and Carl's nowhere (ids and times are left
      // out of the general check: a random UUID or a time can hold ten digits that pass as one).
      const stored = await store.results.listUnseenNotifications(people.gitte);
      expect(containsCprNumber(JSON.stringify(stored.map((n) => n.params)))).toBe(false);
      for (const form of [CARL.cpr, CARL.cpr.replace('-', '')]) expect(JSON.stringify(stored)).not.toContain(form);
    });
  });

  describe('resolved for everyone', () => {
    it('a critical notification stops asking anyone once all its results are acknowledged, on every bell', async () => {
      const notifications = new ResultNotifications({ notifier, log, coalesceMs: 0 });
      const first = result({ value: 7.1, flag: 'HH' });
      const second = result({ display: 'P-Natrium', value: 118, flag: 'LL' });
      await store.results.insertResultVersions([first, second]);
      notifications.filed(planId, [first, second], false);
      await notifications.settled();
      const asked = (person: string) =>
        store.results
          .listUnseenNotifications(person)
          .then((ns) => ns.filter((n) => n.kind === 'result-critical').map((n) => n.id));
      const [majas] = sink.to(people.maja).filter((n) => n.kind === 'result-critical');
      expect(await asked(people.maja)).toContain(majas!.id);

      const ack = (resultId: string) =>
        store.results.addResultEvent({
          resultId,
          version: 1,
          kind: 'acknowledged',
          userId: people.hanne,
          time: new Date().toISOString(),
        });
      // One of its two results acknowledged: it still asks.
      await ack(first.resultId);
      await notifications.acknowledged([first.resultId]);
      expect(sink.resolvedFor).toEqual([]);
      expect(await asked(people.maja)).toContain(majas!.id);

      await ack(second.resultId);
      await notifications.acknowledged([second.resultId]);
      // Both: resolved for the whole team at once, and each person's sessions told which.
      const told = new Map(sink.resolvedFor.map((r) => [r.userId, r.ids]));
      expect(told.get(people.maja)).toEqual([majas!.id]);
      for (const person of [people.hanne, people.gitte]) {
        expect(told.get(person)).toHaveLength(1);
        expect(await asked(person)).not.toContain(told.get(person)![0]);
      }
      expect(await asked(people.maja)).not.toContain(majas!.id);
      // Again: nothing more to resolve.
      const before = sink.resolvedFor.length;
      await notifications.acknowledged([second.resultId]);
      expect(sink.resolvedFor).toHaveLength(before);
      notifications.stop();
    });

    it('a critical result acknowledged before its notification was stored resolves it at once', async () => {
      const early = result({ value: 7.4, flag: 'HH' });
      await store.results.insertResultVersions([early]);
      await store.results.addResultEvent({
        resultId: early.resultId,
        version: early.version,
        kind: 'acknowledged',
        userId: people.hanne,
        time: new Date().toISOString(),
      });
      await notifier.notify(patientId, {
        planId,
        severity: 'critical',
        resultIds: [early.resultId],
        awaitsAcknowledgement: [early.resultId],
        kind: 'result-critical',
        params: { results: [{ code: 'NPU03230', display: 'P-Kalium', value: 7.4 }] },
      });
      const id = sink.to(people.maja).at(-1)!.id!;
      expect(sink.resolvedFor.find((r) => r.userId === people.maja)?.ids).toEqual([id]);
      expect((await store.results.listUnseenNotifications(people.maja)).map((n) => n.id)).not.toContain(id);
    });
  });

  describe('CriticalEscalation', () => {
    it('tells the team once more of a critical result nobody acknowledged in time, once', async () => {
      const longAgo = new Date(Date.now() - 3_600_000).toISOString();
      const due = result({ value: 2.4, flag: 'LL', filed: longAgo });
      const acknowledged = result({ value: 6.8, flag: 'HH', filed: longAgo });
      const ordinary = result({ value: 4.0, filed: longAgo });
      const recent = result({ value: 7.0, flag: 'HH' });
      await store.results.insertResultVersions([due, acknowledged, ordinary, recent]);
      await store.results.addResultEvent({
        resultId: acknowledged.resultId,
        version: acknowledged.version,
        kind: 'acknowledged',
        userId: people.hanne,
        time: new Date().toISOString(),
      });

      const escalation = new CriticalEscalation({ store, notifier, log, escalateSeconds: 1800 });
      expect(await escalation.escalateDue()).toBe(1);
      const told = sink.to(people.maja);
      expect(told).toEqual([
        {
          id: expect.any(String),
          planId,
          patient: { id: patientId, name: CARL.name, cpr: CARL.cpr },
          severity: 'critical',
          kind: 'result-escalated',
          params: { code: 'NPU03230', display: 'P-Kalium', value: 2.4, unit: 'mmol/L' },
        },
      ]);
      expect(sink.to(people.gitte)).toHaveLength(1);
      // Escalated once: the next sweep finds nothing due.
      expect(await escalation.escalateDue()).toBe(0);
      expect(sink.to(people.maja)).toHaveLength(1);
    });
  });
});
