import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { json } from '../fixtures/credentials.ts';
import { observation, postAs, watcher, type Watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL = '120345-1237';

/**
 * Fix-b, finding 10: an acknowledgement was of a result, not of a version, so an amended
 * critical value after an acknowledgement asked nobody again; escalation looked at the first
 * version only. Now an acknowledgement is of the version shown, a critical amendment must be
 * acknowledged again (the plan shows it unacknowledged), and escalation follows the newest
 * version.
 */
describe('an amended critical result', () => {
  let hub: TestHub;
  let lab: string;
  let hanneSocket: Watcher;
  let carlPlan: string;

  beforeAll(async () => {
    // Escalation after 0.05 s: the hub's sweep (every 50 ms) escalates whatever is unacknowledged.
    hub = await startHub({ env: { CRITICAL_ESCALATE_SECONDS: '0.05' } });
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
    carlPlan = await hub.planOf('Carl Jensen');
    hanneSocket = await watcher(hub, 'hanne', carlPlan);
  });
  afterAll(async () => {
    hanneSocket.close();
    await hub.stop();
  });

  const file = async (id: string, value: number, flag: string, status = 'final') => {
    const res = await postAs(hub, lab, '/results', observation({ id, cpr: CARL, value, flag, status }));
    expect(res.status).toBeLessThan(300);
    return (await json<{ id: string }>(res)).id;
  };
  const acknowledge = async (resultId: string) =>
    hub.api(`/results/${resultId}/acknowledge`, { method: 'POST', token: await hub.token('hanne') });
  const entryOf = async (resultId: string) => {
    const doc = await json<{ results: Record<string, unknown>[] }>(
      await hub.api(`/plans/${carlPlan}/document`, { token: await hub.token('hanne') }),
    );
    return doc.results.find((r) => r.id === resultId);
  };

  it('must be acknowledged again, and is escalated with its new value if nobody does', async () => {
    const identifier = randomUUID();
    const resultId = await file(identifier, 7.9, 'HH');
    const first = await acknowledge(resultId);
    expect(first.status).toBe(200);
    expect(await json<{ version: number }>(first)).toMatchObject({ version: 1 });
    expect(await entryOf(resultId)).toMatchObject({ acknowledgedBy: 'Hanne Holm' });

    // Amended to an even higher value: the plan shows it unacknowledged again.
    expect(await file(identifier, 8.6, 'HH', 'amended')).toBe(resultId);
    const amended = await entryOf(resultId);
    expect(amended).toMatchObject({ value: 8.6 });
    expect(amended?.acknowledgedBy).toBeUndefined();

    // Nobody acknowledges it: the hub escalates it, with the amended value.
    await eventually(
      () =>
        hanneSocket.notifications.some(
          (n) => n.kind === 'result-escalated' && (n.params as { value?: number }).value === 8.6,
        ),
      5000,
      'the amended value escalated',
    );

    // Acknowledged again: of version 2.
    const second = await acknowledge(resultId);
    expect(await json<{ version: number }>(second)).toMatchObject({ version: 2 });
    await eventually(async () => (await entryOf(resultId))?.acknowledgedBy === 'Hanne Holm', 5000, 'the plan');
  });

  it('amended to a value that is not critical is not escalated, and not acknowledged', async () => {
    const identifier = randomUUID();
    const resultId = await file(identifier, 2.1, 'LL');
    await file(identifier, 3.9, 'N', 'corrected');
    const due = await hub.server.store.results.listCriticalToEscalate(new Date().toISOString());
    expect(due.map((r) => r.resultId)).not.toContain(resultId);
    expect((await acknowledge(resultId)).status).toBe(409);
  });
});
