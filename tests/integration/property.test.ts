import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as authProtocol from 'y-protocols/auth';
import * as Y from 'yjs';
import type { Actor } from '../../shared/permissions.ts';
import { CloseCode } from '../../shared/protocol.ts';
import { checkOps, newStats } from '../../bench/property/check.ts';
import { Markers, OpExecutor } from '../../bench/property/executor.ts';
import { snapshot, sameSnapshot, violations } from '../../bench/property/invariants.ts';
import { opsArb, type Op, type SessionKind, type Value } from '../../bench/property/ops.ts';
import { PropertyWorld } from '../../bench/property/world.ts';
import { connectCollab, waitForDocs, type CollabClient } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The property suite (bench/property/check.ts states the property): a short seeded run here;
 * the long one is `node --import tsx bench/property/run.ts --minutes 10 --seed N`. A failure
 * prints fast-check's shrunk counterexample and the seed.
 */
const SEED = 20_260_114;

describe('the permission check, as a property', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  it('holds for random operation sequences from every role and session kind against a real plan room (in memory)', async () => {
    const world = await PropertyWorld.create();
    cleanup.push(() => world.close());
    const stats = newStats();
    await fc.assert(
      fc.asyncProperty(opsArb(30), (ops) => checkOps(world, ops, stats)),
      { seed: SEED, numRuns: 200 },
    );
    // The run reached what it is for: many operations, refusals, allowed changes, faults, closes.
    expect(stats.operations).toBeGreaterThan(800);
    expect(stats.refusals).toBeGreaterThan(300);
    expect(stats.refusals).toBeLessThan(stats.updates);
    expect(stats.faults).toBeGreaterThan(0);
    expect(stats.reloads).toBeGreaterThan(0);
  });

  it('holds for a smaller run over a real hub with stock y-websocket clients', async () => {
    const hub = await startHub();
    cleanup.push(() => hub.stop());
    const planId = await hub.planOf('Carl Jensen');
    const observer = await connected(hub, planId, await hub.token('hanne'));
    cleanup.push(() => observer.destroy());

    // /collab refuses citizens and administrators: their kinds are asserted refused, not driven.
    for (const user of ['carl', 'admin']) {
      const refused = connectCollab(hub.wsUrl, planId, await hub.token(user));
      expect([CloseCode.forbidden, CloseCode.notFound]).toContain((await refused.closed).code);
      refused.destroy();
    }
    const sessions = new Map<SessionKind, { client: CollabClient; actor: Actor; received: Uint8Array[] }>();
    const people: Record<string, { id: string; sector: Actor['sector']; role: Actor['role'] }> = {};
    for (const [kind, user] of [
      ['hospital_doctor', 'hanne'],
      ['hospital_nurse', 'niels'],
      ['municipal_nurse', 'maja'],
      ['gp', 'gitte'],
    ] as const) {
      const login = await hub.login(user);
      people[user] = { id: login.user.id, sector: login.user.organisation?.sector ?? null, role: login.user.role };
      sessions.set(
        kind,
        await session(await connected(hub, planId, login.token), {
          userId: login.user.id,
          role: login.user.role,
          sector: people[user]!.sector,
        }),
      );
    }
    for (const [kind, access] of [
      ['embed_read', 'read'],
      ['embed_edit', 'edit'],
    ] as const) {
      const created = (await (
        await hub.api(`/plans/${planId}/embed-links`, {
          method: 'POST',
          token: await hub.token('gitte'),
          body: JSON.stringify({ access }),
        })
      ).json()) as { link: string };
      const s = (await (
        await hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link: created.link }) })
      ).json()) as {
        token: string;
        user: { id: string; role: Actor['role']; organisation: { sector: Actor['sector'] } | null };
      };
      const actor: Actor = {
        userId: s.user.id,
        role: s.user.role,
        sector: s.user.organisation?.sector ?? null,
        ...(access === 'read' ? { readOnly: true } : {}),
      };
      sessions.set(kind, await session(await connected(hub, planId, s.token), actor));
    }
    for (const s of sessions.values()) cleanup.push(() => s.client.destroy());
    const users = new Set(Object.values(people).map((p) => p.id));
    const storedAfter = (seq: number) =>
      hub
        .sqlite()
        .prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ? AND seq > ?')
        .pluck()
        .all(planId, seq) as Buffer[];
    const lastSeq = () =>
      hub
        .sqlite()
        .prepare('SELECT COALESCE(MAX(seq), 0) FROM plan_updates WHERE plan_id = ?')
        .pluck()
        .get(planId) as number;
    const docs = () => [observer.doc, ...[...sessions.values()].map((s) => s.client.doc)];
    let run = 0;
    let operations = 0;

    await fc.assert(
      fc.asyncProperty(
        opsArb(12).map((ops) => ops.filter(hubSafe)),
        async (ops) => {
          const markers = new Markers(1000 + run++);
          for (const op of ops) {
            const s = sessions.get(op.session);
            if (!s) continue;
            operations++;
            const before = snapshot(observer.doc);
            const seq = lastSeq();
            const from = [...sessions.values()].map((p) => ({ p, at: p.received.length }));
            markers.begin();
            const touched = new Set<string>();
            const other = s.actor.userId === people.hanne!.id ? people.maja! : people.hanne!;
            new OpExecutor(
              markers,
              {
                userId: s.actor.userId,
                sector: s.actor.sector,
                otherUserId: other.id,
                otherSector: other.sector ?? 'hospital',
              },
              () => 1_500_000_000 + operations * 10,
            ).apply(s.client.doc, op, { fields: touched }, null);
            await waitForDocs(
              docs(),
              () => converged(docs()),
              10_000,
              `the clients to converge after ${fc.stringify(op).slice(0, 300)}`,
            );
            const after = snapshot(observer.doc);
            expect(violations(before, after, s.actor, touched, users)).toEqual([]);
            const gone = [...markers.values, ...markers.names].filter((m) => !after.text.includes(m));
            for (const { p, at } of from)
              if (p !== s)
                for (const m of gone)
                  expect(Buffer.concat(p.received.slice(at)).includes(m), `${m} at a peer`).toBe(false);
            const stored = Buffer.concat(storedAfter(seq));
            for (const m of gone) expect(stored.includes(m), `${m} stored`).toBe(false);
          }
        },
      ),
      { seed: SEED, numRuns: 10, endOnFailure: true },
    );
    expect(operations).toBeGreaterThan(30);
  });
});

/** What a stock client on a real hub can be sent without being closed (bench covers the rest in memory). */
function hubSafe(op: Op): boolean {
  const bad = (v: Value | null): boolean => {
    if (v === null) return false;
    if (v.t === 'deep') return v.depth > 30;
    if (v.t === 'obj' || v.t === 'ymap') return v.entries.some(([, x]) => bad(x));
    if (v.t === 'arr' || v.t === 'yarray') return v.items.some(bad);
    return false;
  };
  return op.edits.every((e) => {
    if ('value' in e && bad(e.value as Value | null)) return false;
    if (e.kind === 'entry-add') return !e.entry.overrides.some(([, v]) => bad(v));
    if (e.kind === 'rich-edit' && (e.action.a === 'embed' || e.action.a === 'attr')) return !bad(e.action.value);
    return true;
  });
}

async function connected(hub: TestHub, planId: string, token: string): Promise<CollabClient> {
  const client = connectCollab(hub.wsUrl, planId, token);
  await client.synced;
  return client;
}

async function session(client: CollabClient, actor: Actor) {
  const received: Uint8Array[] = [];
  // The stock provider logs a refusal with the socket's URL (its token): read it quietly, as an app does.
  (client.provider as unknown as { messageHandlers: unknown[] }).messageHandlers[2] = (
    _enc: unknown,
    decoder: Parameters<typeof authProtocol.readAuthMessage>[0],
  ) => authProtocol.readAuthMessage(decoder, client.doc, () => {});
  client.doc.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin === client.provider) received.push(u);
  });
  return { client, actor, received };
}

/** Same state vector, and the same plan as the bytes say (not the objects the author built). */
function converged(docs: Y.Doc[]): boolean {
  const [first, ...rest] = docs as [Y.Doc, ...Y.Doc[]];
  const sv = Buffer.from(Y.encodeStateVector(first));
  if (!rest.every((d) => Buffer.from(Y.encodeStateVector(d)).equals(sv))) return false;
  const decoded = (d: Y.Doc) => {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(d));
    const snap = snapshot(copy);
    copy.destroy();
    return snap;
  };
  const snap = decoded(first);
  return rest.every((d) => sameSnapshot(decoded(d), snap));
}
