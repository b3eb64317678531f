import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { metaOf, planToJson } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { bytesContain } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';
import { coldPlan } from '../fixtures/cold-plan.ts';

/**
 * Attacks on a cold plan (issue 20): a room answering from its stored bytes drops an update the
 * bytes already hold (`StoredPlan.holdsUpdate`) before the permission check. Neither a forbidden
 * deletion (an update with no structs, only a delete set) nor a rewrite of clock ranges the plan
 * already holds gets past that: the first is checked against the built plan and refused, the
 * second changes nothing, is stored nowhere and reaches no peer. Real hub, stock clients, raw frames.
 */
describe('attacks on a cold plan answered from its bytes', () => {
  let hub: TestHub;
  let planId: string;

  beforeAll(async () => {
    hub = await startHub({ env: { CHECKPOINT_EVERY: '10' } });
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => closeAll());
  afterAll(async () => {
    await hub.stop();
  });

  const { member, client, raw, unloaded, loadedFromStore, closeAll } = coldPlan(
    () => hub,
    () => planId,
  );

  it('checks a deletion-only update (no structs, a delete set) against the built plan: refused, the title stays', async () => {
    // A title the doctor wrote, in the checkpoint.
    const hanne = await member('hanne');
    metaOf(hanne.doc).set('title', 'Titel før angrebet');
    await hub.server.rooms.get(planId)?.flushed();
    await unloaded();
    const expected = await loadedFromStore();
    expect(metaOf(expected).get('title')).toBe('Titel før angrebet');

    // The nurse (who may not write meta) deletes the title: an update with a delete set only.
    const base = new Y.Doc();
    Y.applyUpdate(base, Y.encodeStateAsUpdate(expected));
    const before = Y.encodeStateVector(base);
    metaOf(base).delete('title');
    const deletion = Y.encodeStateAsUpdate(base, before);
    expect(Y.decodeUpdate(deletion).structs).toEqual([]);

    const attacker = await raw('niels');
    const denied = attacker.nextDenied();
    attacker.send(deletion);
    const reason = await Promise.race([denied, new Promise<string>((r) => setTimeout(() => r('no refusal'), 5000))]);
    expect(reason).toContain('meta');
    expect(hub.server.rooms.get(planId)?.isBuilt).toBe(true);
    await hub.server.rooms.get(planId)?.flushed();
    const peer = client(await hub.token('maja'));
    await peer.synced;
    expect(metaOf(peer.doc).get('title')).toBe('Titel før angrebet');
    await unloaded();
    expect(metaOf(await loadedFromStore()).get('title')).toBe('Titel før angrebet');
  });

  it('drops an update the cold plan already holds, and a rewrite of held clock ranges changes nothing anywhere', async () => {
    await unloaded();
    const expected = await loadedFromStore();
    const seqBefore = await hub.server.store.latestSeq(planId);
    const attacker = await raw('niels');

    // The whole plan sent back (as a client's answer after syncing): nothing new, nothing stored.
    attacker.send(Y.encodeStateAsUpdate(expected));
    // A rewrite: another writer's client id, at clocks the plan holds, with other content. Yjs
    // takes an id it holds as known, so this is what the plan holds already, by its ids.
    const victim = [...Y.decodeStateVector(Y.encodeStateVector(expected))].find(([, clock]) => clock >= 4);
    expect(victim).toBeDefined();
    const forged = new Y.Doc();
    forged.clientID = (victim as [number, number])[0];
    metaOf(forged).set('title', 'FORBIDDEN-REWRITE');
    const rewrite = Y.encodeStateAsUpdate(forged);
    for (const s of Y.decodeUpdate(rewrite).structs)
      expect(s.id.clock + s.length).toBeLessThanOrEqual((victim as [number, number])[1]);
    attacker.send(rewrite);

    // The same socket then writes something it may: it arrives, so the two before were handled.
    const peer = client(await hub.token('hanne'));
    await peer.synced;
    const hanne = await member('hanne');
    metaOf(hanne.doc).set('title', 'Efter omskrivningen');
    await waitForDoc(peer.doc, (d) => metaOf(d).get('title') === 'Efter omskrivningen', 5000, 'the later write');
    expect(attacker.denied).toEqual([]);
    expect(attacker.ws.readyState).toBe(attacker.ws.OPEN);
    expect(JSON.stringify(planToJson(peer.doc))).not.toContain('FORBIDDEN');
    const stored = await hub.server.store.listUpdates(planId, { afterSeq: seqBefore });
    // Only the doctor's title was stored after the attack.
    expect(stored.map((u) => u.author)).toEqual([hanne.userId]);
    expect(
      bytesContain(
        stored.map((u) => u.update),
        'FORBIDDEN',
      ),
    ).toBe(false);
  });
});
