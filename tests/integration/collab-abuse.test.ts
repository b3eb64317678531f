import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol.ts';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { MAX_REFUSED_UPDATES } from '../../server/collab/refusal-audit.ts';
import { connectCollab, eventually, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import { linkOf, sessionOf } from '../fixtures/credentials.ts';
import { join } from '../fixtures/plan-team.ts';
import { rawCollab } from '../fixtures/raw-collab.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The live plan room's audit trail and connection slots under abuse (attacker review of issue
 * 14, findings 5–7), each against a real hub with stock y-websocket or raw `ws` clients.
 */
describe('audit and slots of the live plan room under abuse', () => {
  let hub: TestHub;
  let planId: string;
  const cleanup: (() => void)[] = [];
  const collab = (token: string): CollabClient => {
    const c = connectCollab(hub.wsUrl, planId, token);
    cleanup.push(() => c.destroy());
    return c;
  };

  beforeAll(async () => {
    hub = await startHub({ env: { MAX_CONNECTIONS_PER_USER: '3' } });
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });
  afterAll(() => hub.stop());

  const rows = (action: string, actorId: string) =>
    hub
      .sqlite()
      .prepare('SELECT outcome, details FROM audit_log WHERE action = ? AND actor_id = ? ORDER BY seq')
      .all(action, actorId) as { outcome: string; details: string }[];

  it('records refused updates once per code and window with a count, and closes a connection that keeps sending them', async () => {
    const niels = await hub.login('niels');
    const attacker = await rawCollab(hub.wsUrl, planId, niels.token);
    cleanup.push(() => attacker.ws.terminate());
    // A copy of the plan to write forbidden doses into.
    const watcher = collab(niels.token);
    await watcher.synced;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(watcher.doc));
    const medication = sectionOf(doc, 'medications').get(0);
    const sent = MAX_REFUSED_UPDATES + 100;
    for (let i = 0; i < sent && attacker.ws.readyState === attacker.ws.OPEN; i++) {
      const before = Y.encodeStateVector(doc);
      medication.set('dose', `FORBIDDEN-${i}`);
      attacker.send(Y.encodeStateAsUpdate(doc, before));
    }
    const closed = await attacker.closed;
    expect(closed).toEqual({ code: CloseCode.policyViolation, reason: 'too many refused changes' });
    // The room and other connections go on.
    expect(JSON.stringify(planToJson(watcher.doc))).not.toContain('FORBIDDEN');
    await eventually(
      () => rows('plan.update', niels.user.id).some((r) => 'count' in JSON.parse(r.details)),
      5000,
      'the counted refusals',
    );
    const refused = rows('plan.update', niels.user.id).map((r) => JSON.parse(r.details) as Record<string, unknown>);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused[0]).toMatchObject({ code: 'medications.prescribers-only', section: 'medications' });
    expect(refused[1]).toMatchObject({ code: 'medications.prescribers-only' });
    expect(refused[1]?.count as number).toBeGreaterThanOrEqual(MAX_REFUSED_UPDATES);
  });

  it('audits the first edit of a session at once, while it is still open', async () => {
    const gitte = await hub.login('gitte');
    const client = collab(gitte.token);
    await client.synced;
    expect(rows('plan.edit', gitte.user.id)).toEqual([]);
    sectionOf(client.doc, 'goals').push([
      newEntry({
        id: randomUUID(),
        description: richText('Første mål'),
        status: 'proposed',
        sector: 'general_practice',
      }),
    ]);
    await eventually(() => rows('plan.edit', gitte.user.id).length === 1, 5000, 'the plan.edit row');
    expect(JSON.parse(rows('plan.edit', gitte.user.id)[0]!.details)).toMatchObject({ updates: 1, sections: ['goals'] });
    // Later edits are recorded together when the session ends.
    for (const text of ['a', 'b']) {
      sectionOf(client.doc, 'goals').push([
        newEntry({ id: randomUUID(), description: richText(text), status: 'proposed', sector: 'general_practice' }),
      ]);
    }
    const other = await join(hub, 'hanne', planId);
    cleanup.push(() => other.leave());
    await waitForDoc(other.doc, (d) => planToJson(d).goals.length >= 3, 5000, 'the goals at a peer');
    client.provider.disconnect();
    await eventually(() => rows('plan.edit', gitte.user.id).length === 2, 5000, 'the closing plan.edit row');
    expect(JSON.parse(rows('plan.edit', gitte.user.id)[1]!.details)).toMatchObject({ updates: 2 });
  });

  it('gives embed sessions their own connection slots, apart from the person’s', async () => {
    const hanne = await hub.login('hanne');
    const link = await linkOf(hub, hanne.token, planId, { access: 'edit' });
    const session = await sessionOf(hub, link.link);
    // The embed link opens as many plans as it may …
    const embedded = [0, 1, 2].map(() => collab(session.token));
    await Promise.all(embedded.map((c) => c.synced));
    // … and the clinician still has all her own.
    const own = [0, 1, 2].map(() => collab(hanne.token));
    await Promise.all(own.map((c) => c.synced));
    // Each set is bounded.
    const fourthEmbed = collab(session.token);
    expect((await fourthEmbed.closed).code).toBe(CloseCode.tooManyConnections);
    const fourthOwn = collab(hanne.token);
    expect((await fourthOwn.closed).code).toBe(CloseCode.tooManyConnections);
  });
});
