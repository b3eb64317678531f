import { describe, expect, it } from 'vitest';
import type { AuditLog, AuditRecord } from '../../server/audit/audit-log.ts';
import { CoalescedAudit } from '../../server/audit/coalesced-audit.ts';
import { decodeOfflineCopy, encodeOfflineCopy, type OfflineCopyHeader } from '../../shared/offline-copy.ts';

const header: OfflineCopyHeader = {
  plan: {
    id: 'p1',
    patientId: 'x1',
    patientName: 'Søren Ærø',
    title: 'Plan',
    status: 'active',
    created: '2026-12-06T00:00:00Z',
  },
  people: [],
  at: '2026-12-06T05:00:00Z',
};

describe('the offline copy format', () => {
  it('round-trips the header (Danish letters) and the update bytes', () => {
    const update = new Uint8Array([0, 1, 2, 250, 255]);
    const decoded = decodeOfflineCopy(encodeOfflineCopy(header, update));
    expect(decoded.header).toEqual(header);
    expect([...decoded.update]).toEqual([...update]);
  });

  it('refuses what is not a copy', () => {
    const good = encodeOfflineCopy(header, new Uint8Array([1]));
    expect(() => decodeOfflineCopy(new Uint8Array([0, 0]))).toThrow();
    expect(() => decodeOfflineCopy(good.subarray(0, 10))).toThrow();
    const bad = encodeOfflineCopy({ ...header, plan: { ...header.plan, status: 'x' as 'active' } }, new Uint8Array());
    expect(() => decodeOfflineCopy(bad)).toThrow();
  });
});

describe('CoalescedAudit', () => {
  it('records the first access at once, repeats of the same person, plan and action once per window', () => {
    const recorded: AuditRecord[] = [];
    const log = { record: (e: AuditRecord) => recorded.push(e) } as unknown as AuditLog;
    let now = 1_000_000;
    const audit = new CoalescedAudit(log, 60_000, () => now);
    const entry = (actorId: string, planId: string) => ({
      actorId,
      action: 'plan.prefetch' as const,
      planId,
      patientId: 'x',
      outcome: 'allowed' as const,
      details: {},
    });
    expect(audit.record(entry('maja', 'p1'))).toBe(true);
    expect(audit.record(entry('maja', 'p1'))).toBe(false);
    expect(audit.record(entry('maja', 'p2'))).toBe(true);
    expect(audit.record(entry('gitte', 'p1'))).toBe(true);
    now += 59_999;
    expect(audit.record(entry('maja', 'p1'))).toBe(false);
    now += 1;
    expect(audit.record(entry('maja', 'p1'))).toBe(true);
    expect(recorded.map((e) => `${e.actorId}:${e.planId}`)).toEqual(['maja:p1', 'maja:p2', 'gitte:p1', 'maja:p1']);
    expect(recorded[0]!.details).toEqual({ coalescedMinutes: 1 });
  });
});
