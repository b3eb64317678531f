import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDocs } from '../fixtures/collab-client.ts';
import { missingFrom } from '../fixtures/doc-state.ts';
import { firstPlanOf, hubSandbox, loginAt, type HubProcess } from '../fixtures/server-process.ts';
import {
  checkpointProblems,
  clusterDatabase,
  movableClient,
  SHARED_REDIS_URL,
  startCluster,
  storedPlan,
  type ClusterDatabase,
  type MovableClient,
} from '../fixtures/cluster.ts';

const PEOPLE = [
  { user: 'hanne', sector: 'hospital' },
  { user: 'maja', sector: 'municipality' },
  { user: 'gitte', sector: 'general_practice' },
  { user: 'niels', sector: 'hospital' },
] as const;

describe('a node killed with SIGKILL during an edit burst', () => {
  const sandbox = hubSandbox();
  let db: ClusterDatabase | undefined;
  afterAll(async () => {
    sandbox.dispose();
    await db?.drop();
  });

  it('loses no update any client saw: its clients move to the other nodes and everything converges', async () => {
    db = await clusterDatabase();
    const { nodes } = await startCluster(sandbox, { nodes: 3, databaseUrl: db.url, redisUrl: SHARED_REDIS_URL });
    const plan = await firstPlanOf(nodes[0]!.url, await loginAt(nodes[0]!.url, 'hanne'), 'Carl Jensen');
    // Two writers on every node, one of each pair writing as a different sector.
    const clients: { client: MovableClient; sector: string; node: number }[] = [];
    for (const [n, node] of nodes.entries()) {
      for (const p of [PEOPLE[n]!, PEOPLE[(n + 1) % PEOPLE.length]!]) {
        const client = movableClient(node, plan, await loginAt(node.url, p.user));
        sandbox.clients.push(client);
        clients.push({ client, sector: p.sector, node: n });
      }
    }
    await Promise.all(clients.map((c) => c.client.current.synced));

    let written = 0;
    const burst = setInterval(() => {
      for (const c of clients) {
        sectionOf(c.client.doc, 'tasks').push([
          newEntry({ id: randomUUID(), title: `Opgave ${written}`, sector: c.sector, status: 'planned' }),
        ]);
        written++;
      }
    }, 2);
    const victim = nodes[1] as HubProcess;
    const victims = clients.filter((c) => c.node === 1);
    // Mid-burst: the victim's clients have received edits from every node.
    const seenByVictims = () => victims.every((v) => sectionOf(v.client.doc, 'tasks').length >= 300);
    await waitForDocs(
      victims.map((v) => v.client.doc),
      seenByVictims,
      20_000,
      'the victim’s clients to receive part of the burst',
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    // A load balancer sends them elsewhere; they keep editing meanwhile.
    victims.forEach((v, i) => v.client.moveTo(nodes[i % 2 === 0 ? 0 : 2]!));
    const movedAt = written;
    await waitForDocs(
      clients.map((c) => c.client.doc),
      () => written > movedAt + 300,
      20_000,
      'more of the burst after the kill',
    );
    clearInterval(burst);

    // Everything any client ever saw (its own edits and what servers sent it).
    const seen = new Y.Doc();
    for (const c of clients) Y.applyUpdate(seen, Y.encodeStateAsUpdate(c.client.observed));
    const docs = clients.map((c) => c.client.doc);
    await waitForDocs(
      docs,
      () => docs.every((d) => missingFrom(d, seen).size === 0),
      30_000,
      'every client to hold every update any client saw',
    );
    // The store holds it all, both as a node loads the plan and in the log itself; a client
    // joining a surviving node gets it too.
    await Promise.all(clients.map((c) => c.client.current.synced));
    const stored = await storedPlanEventually(db.url, plan, seen);
    expect(missingFrom(stored.loaded, seen)).toEqual(new Map());
    expect(missingFrom(stored.log, seen)).toEqual(new Map());
    // Checkpoints were written meanwhile (CHECKPOINT_EVERY=50, one node at a time); each holds
    // every update up to its seq, so a node loading one plus the tail after it misses nothing.
    const { checkpoints, problems } = await checkpointProblems(db.url, plan);
    expect(checkpoints).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    const late = movableClient(nodes[2]!, plan, await loginAt(nodes[2]!.url, 'gitte'));
    sandbox.clients.push(late);
    await late.current.synced;
    expect(missingFrom(late.doc, seen)).toEqual(new Map());
    expect(sectionOf(late.doc, 'tasks').length).toBe(sectionOf(seen, 'tasks').length);
  });
});

/**
 * Clients hold everything once the servers sent it; the last edits they sent may still be in
 * a group commit. Reads the store until it holds `seen`, bounded.
 */
async function storedPlanEventually(url: string, plan: string, seen: Y.Doc): Promise<{ loaded: Y.Doc; log: Y.Doc }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const stored = await storedPlan(url, plan);
    if (missingFrom(stored.log, seen).size === 0 || Date.now() > deadline) return stored;
    await new Promise((r) => setTimeout(r, 100));
  }
}
