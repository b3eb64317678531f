import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../shared/api.ts';
import type { AccessLogEntry } from '../../shared/audit.ts';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { auditRows, json } from '../fixtures/credentials.ts';
import { observation, postAs, watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL = '120345-1237';

/**
 * Fix-b, finding 3: the citizen's access log showed "acknowledged one of your results" for a
 * critical result not yet released to them, and their plan's history showed its filing.
 * Citizens learn nothing of an unreleased result from any view; once it is released, the
 * access log shows who acknowledged and released it.
 * Finding 9: the access log is read a page at a time (`before`, `X-Next-Before`).
 */
describe('the citizen and a result not yet released to them', () => {
  let hub: TestHub;
  let carlPlan: string;
  let lab: string;

  beforeAll(async () => {
    hub = await startHub();
    carlPlan = await hub.planOf('Carl Jensen');
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
  });
  afterAll(() => hub.stop());

  const accessLog = async (query = '') =>
    json<AccessLogEntry[]>(await hub.api(`/me/access-log${query}`, { token: await hub.token('carl') }));

  it('neither the access log nor the history tells of it before release; the access log does after', async () => {
    const online = await watcher(hub, 'hanne');
    const filed = await postAs(
      hub,
      lab,
      '/results',
      observation({ id: randomUUID(), cpr: CARL, value: 7.9, flag: 'HH' }),
    );
    expect(filed.status).toBe(201);
    const resultId = (await json<{ id: string }>(filed)).id;
    const hanne = await hub.token('hanne');
    const ack = await hub.api(`/results/${resultId}/acknowledge`, { method: 'POST', token: hanne });
    expect(ack.status).toBe(200);

    // Hanne was shown the critical value live (audited): not in Carl's log yet either.
    await eventually(
      () => auditRows(hub, 'notification.deliver').some((r) => r.details.includes(resultId)),
      5000,
      'the delivery audited',
    );
    online.close();
    const before = await accessLog();
    expect(before.map((e) => e.actionCode)).not.toContain('result.acknowledge');
    expect(before.map((e) => e.actionCode)).not.toContain('notification.deliver');
    const history = await json<HistoryEntry[]>(
      await hub.api(`/plans/${carlPlan}/history`, { token: await hub.token('carl') }),
    );
    expect(history.some((h) => h.origin === 'result' || h.sections.includes('results'))).toBe(false);
    // The care team's history still shows it.
    const staffHistory = await json<HistoryEntry[]>(await hub.api(`/plans/${carlPlan}/history`, { token: hanne }));
    expect(staffHistory.some((h) => h.origin === 'result')).toBe(true);

    // Released by a clinician: now the citizen sees the result, and who acknowledged and released it.
    expect((await hub.api(`/results/${resultId}/release`, { method: 'POST', token: hanne })).status).toBe(200);
    const after = await accessLog();
    expect(after.map((e) => e.actionCode)).toEqual(
      expect.arrayContaining(['result.acknowledge', 'result.release', 'notification.deliver']),
    );
  });

  it('is read a page at a time, newest first, each entry once', async () => {
    const hanne = await hub.token('hanne');
    for (let i = 0; i < 5; i++) await hub.api(`/plans/${carlPlan}/document`, { token: hanne });
    // The audit log is written in batches: wait until the reads are in it.
    await eventually(
      async () => (await accessLog('?limit=1000')).filter((e) => e.actionCode === 'plan.document.read').length >= 5,
      5000,
      'the reads audited',
    );
    const all = await accessLog('?limit=1000');
    expect(all.length).toBeGreaterThan(6);
    const paged: AccessLogEntry[] = [];
    let query = '?limit=3';
    for (let pages = 0; pages < 100; pages++) {
      const res = await hub.api(`/me/access-log${query}`, { token: await hub.token('carl') });
      expect(res.status).toBe(200);
      const page = (await res.json()) as AccessLogEntry[];
      expect(page.length).toBeLessThanOrEqual(3);
      paged.push(...page);
      const next = res.headers.get('x-next-before');
      if (!next) break;
      query = `?limit=3&before=${next}`;
    }
    // The reads of the log itself are the citizen's own: not in it, so the pages add up.
    expect(paged.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
    expect(new Set(paged.map((e) => e.seq)).size).toBe(paged.length);
    expect((await hub.api('/me/access-log?before=0', { token: await hub.token('carl') })).status).toBe(400);
  });
});
