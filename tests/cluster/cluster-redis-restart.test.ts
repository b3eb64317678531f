import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { metaOf, newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, eventually, waitForDocs, type CollabClient } from '../fixtures/collab-client.ts';
import { missingFrom } from '../fixtures/doc-state.ts';
import { runCli } from '../fixtures/cli.ts';
import { observation } from '../fixtures/results.ts';
import { CARL } from '../fixtures/fhir/lab.ts';
import { firstPlanOf, hubSandbox, loginAt } from '../fixtures/server-process.ts';
import {
  clusterDatabase,
  nextEvent,
  privateRedis,
  startCluster,
  storedPlan,
  watchOn,
  type ClusterDatabase,
  type EventSocket,
  type PrivateRedis,
} from '../fixtures/cluster.ts';

/** Who edits each plan on nodes 0, 1 and 2 (Carl's team spans three sectors, Ingrid's is the hospital's). */
const PEOPLE = [
  [
    { user: 'hanne', sector: 'hospital' },
    { user: 'maja', sector: 'municipality' },
    { user: 'gitte', sector: 'general_practice' },
  ],
  [
    { user: 'hanne', sector: 'hospital' },
    { user: 'niels', sector: 'hospital' },
    { user: 'niels', sector: 'hospital' },
  ],
] as const;

describe('Redis restarted under a running cluster', () => {
  const sandbox = hubSandbox();
  let db: ClusterDatabase | undefined;
  let redis: PrivateRedis | undefined;
  const sockets: EventSocket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    sandbox.dispose();
    await redis?.stop();
    await db?.drop();
  });

  it('is survived: nodes go on serving their own clients, then every plan converges', async () => {
    // A private redis-server, so stopping it disturbs nobody else's Redis.
    redis = await privateRedis();
    db = await clusterDatabase();
    const cluster = await startCluster(sandbox, { nodes: 3, databaseUrl: db.url, redisUrl: redis.url });
    const { nodes } = cluster;
    const token = await loginAt(nodes[0]!.url, 'hanne');
    // Two plans: each must converge on its own.
    const plans = [
      await firstPlanOf(nodes[0]!.url, token, 'Carl Jensen'),
      await firstPlanOf(nodes[0]!.url, token, 'Ingrid Madsen'),
    ];
    const byPlan: CollabClient[][] = [];
    for (const [p, plan] of plans.entries()) {
      const clients: CollabClient[] = [];
      for (const [n, node] of nodes.entries())
        clients.push(connectCollab(node.wsUrl, plan, await loginAt(node.url, PEOPLE[p]![n]!.user)));
      sandbox.clients.push(...clients);
      await Promise.all(clients.map((c) => c.synced));
      byPlan.push(clients);
    }
    const edit = (round: string) =>
      byPlan.forEach((clients, p) =>
        clients.forEach((c, n) => {
          for (let i = 0; i < 10; i++)
            sectionOf(c.doc, 'tasks').push([
              newEntry({
                id: randomUUID(),
                title: `${round} ${n}.${i}`,
                sector: PEOPLE[p]![n]!.sector,
                status: 'planned',
              }),
            ]);
        }),
      );
    const converged = (clients: CollabClient[]) => {
      const all = new Y.Doc();
      for (const c of clients) Y.applyUpdate(all, Y.encodeStateAsUpdate(c.doc));
      return clients.every((c) => missingFrom(c.doc, all).size === 0);
    };
    const allDocs = byPlan.flat().map((c) => c.doc);
    edit('before');
    await waitForDocs(allDocs, () => byPlan.every(converged), 10_000, 'convergence before the restart');

    await redis.stop();
    await eventually(
      async () => (await fetch(`${nodes[1]!.url}/readyz`)).status === 503,
      10_000,
      '/readyz to report Redis gone',
    );
    // Without Redis each node still stores and serves its own clients' edits.
    edit('during');
    for (const clients of byPlan) {
      for (const [n, c] of clients.entries()) {
        const peer = connectCollab(
          nodes[n]!.wsUrl,
          plans[byPlan.indexOf(clients)]!,
          await loginAt(nodes[n]!.url, 'hanne'),
        );
        sandbox.clients.push(peer);
        await waitForDocs(
          [peer.doc],
          () => missingFrom(peer.doc, c.doc).size === 0,
          10_000,
          'a same-node peer to get edits while Redis is down',
        );
        peer.destroy();
      }
    }

    await redis.start();
    await waitForDocs(allDocs, () => byPlan.every(converged), 30_000, 'every plan to converge after Redis is back');
    for (const node of nodes)
      await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 200, 10_000, '/readyz ready again');
    // Live again: an edit and a filed result reach the other nodes at once.
    metaOf(byPlan[0]![0]!.doc).set('title', 'Efter Redis-genstart');
    await waitForDocs(
      allDocs,
      () => byPlan[0]!.every((c) => metaOf(c.doc).get('title') === 'Efter Redis-genstart'),
      5000,
      'a live edit after the restart',
    );
    const run = await runCli(['api-key', 'create', '--system', 'restart-lab'], cluster.env);
    expect(run.code, run.stderr).toBe(0);
    const watcher = await watchOn(nodes[2]!, await loginAt(nodes[2]!.url, 'gitte'), plans[0]!);
    sockets.push(watcher);
    const filed = nextEvent(watcher, 'result:filed', (r) => r.planId === plans[0], 10_000);
    const res = await fetch(`${nodes[0]!.url}/api/v1/results`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        authorization: `Bearer ${run.stdout.trim().split('\n').at(-1)!}`,
      },
      body: JSON.stringify(observation({ id: randomUUID(), cpr: CARL, value: 4.2 })),
    });
    expect(res.status).toBe(201);
    await filed;
    // And the store holds what every client holds.
    for (const [i, plan] of plans.entries()) {
      const stored = await storedPlan(db.url, plan);
      for (const c of byPlan[i]!) expect(missingFrom(stored.log, c.doc)).toEqual(new Map());
    }
  });
});
