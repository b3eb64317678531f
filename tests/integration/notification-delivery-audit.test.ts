import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../server/results/api-keys.ts';
import { eventually } from '../fixtures/collab-client.ts';
import { json } from '../fixtures/credentials.ts';
import { observation, postAs, watcher, type Watcher } from '../fixtures/results.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

const CARL = '120345-1237';

/**
 * Fix-b, finding 5: a critical result's notification, delivered live over Socket.IO, shows the
 * result's values to the person, and was not audited. Each delivery is audited once per person
 * and notification (however many sockets they have open), naming the results it shows.
 */
describe('live notifications in the audit', () => {
  let hub: TestHub;
  let lab: string;
  let sockets: Watcher[] = [];

  beforeAll(async () => {
    hub = await startHub();
    lab = (await createApiKey(hub.server.store.results, 'Region H lab')).key;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub.stop();
  });

  const deliveries = () =>
    hub
      .sqlite()
      .prepare(
        "SELECT actor_id, patient_id, plan_id, details, outcome FROM audit_log WHERE action = 'notification.deliver'",
      )
      .all() as { actor_id: string; patient_id: string; plan_id: string; details: string; outcome: string }[];

  it('audits a critical result’s live delivery once per person, naming the result', async () => {
    const hanneId = (await hub.login('hanne')).user.id;
    const nielsId = (await hub.login('niels')).user.id;
    sockets = [await watcher(hub, 'hanne'), await watcher(hub, 'hanne')];
    const filed = await postAs(
      hub,
      lab,
      '/results',
      observation({ id: randomUUID(), cpr: CARL, value: 7.9, flag: 'HH' }),
    );
    expect(filed.status).toBe(201);
    const resultId = (await json<{ id: string }>(filed)).id;
    for (const s of sockets)
      await eventually(() => s.notifications.some((n) => n.kind === 'result-critical'), 5000, 'the notification');
    await eventually(() => deliveries().length > 0, 5000, 'the delivery audited');
    const rows = deliveries();
    const hannes = rows.filter((r) => r.actor_id === hanneId);
    expect(hannes).toHaveLength(1);
    expect(hannes[0]!.outcome).toBe('allowed');
    expect(hannes[0]!.patient_id).not.toBeNull();
    expect(JSON.parse(hannes[0]!.details)).toMatchObject({
      kind: 'result-critical',
      live: true,
      resultIds: [resultId],
    });
    // Niels (same team) was offline: nothing was shown to him, nothing is audited for him.
    expect(rows.filter((r) => r.actor_id === nielsId)).toHaveLength(0);
  });
});
