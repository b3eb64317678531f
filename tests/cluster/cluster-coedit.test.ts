import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { CloseCode } from '../../shared/protocol.ts';
import { metaOf, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDocs, type CollabClient } from '../fixtures/collab-client.ts';
import { runCli } from '../fixtures/cli.ts';
import { observation } from '../fixtures/results.ts';
import { CARL } from '../fixtures/fhir/lab.ts';
import { firstPlanOf, hubSandbox, loginAt } from '../fixtures/server-process.ts';
import { snapshotDoc } from '../fixtures/doc-state.ts';
import { openStore } from '../../server/store/open-store.ts';
import {
  api,
  clusterDatabase,
  nextEvent,
  SHARED_REDIS_URL,
  startCluster,
  watchOn,
  type Cluster,
  type ClusterDatabase,
  type EventSocket,
} from '../fixtures/cluster.ts';

const SECTOR: Record<string, string> = { hanne: 'hospital', maja: 'municipality', gitte: 'general_practice' };

describe('several nodes over Redis', () => {
  const sandbox = hubSandbox();
  let db: ClusterDatabase;
  let cluster: Cluster;
  let plan: string;
  const tokens: Record<string, string> = {};
  const sockets: EventSocket[] = [];

  beforeAll(async () => {
    db = await clusterDatabase();
    cluster = await startCluster(sandbox, { nodes: 3, databaseUrl: db.url, redisUrl: SHARED_REDIS_URL });
    for (const [i, user] of ['hanne', 'maja', 'gitte'].entries())
      tokens[user] = await loginAt(cluster.nodes[i]!.url, user);
    plan = await firstPlanOf(cluster.nodes[0]!.url, tokens.hanne!, 'Carl Jensen');
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    sandbox.dispose();
    await db?.drop();
  });

  it('reports Redis in /readyz on every node', async () => {
    for (const node of cluster.nodes) {
      const res = await fetch(`${node.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ready', redis: 'ok' });
    }
  });

  it('lets clients on different nodes co-edit one plan and converge', async () => {
    const users = ['hanne', 'maja', 'gitte'] as const;
    const clients: CollabClient[] = users.map((u, i) => connectCollab(cluster.nodes[i]!.wsUrl, plan, tokens[u]!));
    sandbox.clients.push(...clients);
    await Promise.all(clients.map((c) => c.synced));
    const before = sectionOf(clients[0]!.doc, 'tasks').length;
    for (let round = 0; round < 20; round++) {
      users.forEach((u, i) =>
        sectionOf(clients[i]!.doc, 'tasks').push([
          newEntry({ id: randomUUID(), title: `${u} ${round}`, sector: SECTOR[u], status: 'planned' }),
        ]),
      );
    }
    metaOf(clients[0]!.doc).set('title', 'Fælles plan på tre noder');
    const docs = clients.map((c) => c.doc);
    await waitForDocs(
      docs,
      () =>
        docs.every(
          (d) => sectionOf(d, 'tasks').length === before + 60 && metaOf(d).get('title') === 'Fælles plan på tre noder',
        ),
      15_000,
      'every node to carry every edit',
    );
    const expected = JSON.stringify(planToJson(docs[0]!));
    for (const d of docs) expect(JSON.stringify(planToJson(d))).toBe(expected);
    // A client joining late on any node gets the same plan.
    const late = connectCollab(cluster.nodes[2]!.wsUrl, plan, tokens.gitte!);
    sandbox.clients.push(late);
    await late.synced;
    expect(JSON.stringify(planToJson(late.doc))).toBe(expected);
  });

  it('lists people on every node in presence', async () => {
    const watcher = await watchOn(cluster.nodes[1]!, tokens.maja!, plan);
    sockets.push(watcher);
    const everyone = nextEvent(
      watcher,
      'presence',
      (p) => p.planId === plan && ['Hanne', 'Gitte'].every((n) => p.users.some((u) => u.name.startsWith(n))),
      10_000,
    );
    const far = [
      connectCollab(cluster.nodes[0]!.wsUrl, plan, tokens.hanne!),
      connectCollab(cluster.nodes[2]!.wsUrl, plan, tokens.gitte!),
    ];
    sandbox.clients.push(...far);
    // An editor announces itself (a state at clock 0 is ignored by y-protocols).
    for (const c of far) c.provider.awareness.setLocalStateField('cursor', null);
    await everyone;
  });

  it('pushes a result filed on one node to watchers and live copies on the others', async () => {
    const run = await runCli(['api-key', 'create', '--system', 'cluster-lab'], cluster.env);
    expect(run.code, run.stderr).toBe(0);
    const key = run.stdout.trim().split('\n').at(-1)!;
    const watchers = await Promise.all(
      [1, 2].map(async (i) => watchOn(cluster.nodes[i]!, tokens[i === 1 ? 'maja' : 'gitte']!, plan)),
    );
    sockets.push(...watchers);
    const live = connectCollab(cluster.nodes[2]!.wsUrl, plan, tokens.gitte!);
    sandbox.clients.push(live);
    await live.synced;
    const id = randomUUID();
    const filed = watchers.map((w) => nextEvent(w, 'result:filed', (r) => r.planId === plan, 10_000));
    const notified = nextEvent(watchers[0]!, 'notification', (n) => n.planId === plan, 10_000);
    const res = await fetch(`${cluster.nodes[0]!.url}/api/v1/results`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${key}` },
      body: JSON.stringify(observation({ id, cpr: CARL, value: 7.9, flag: 'HH' })),
    });
    expect(res.status).toBe(201);
    await Promise.all(filed);
    expect((await notified).severity).toBeTruthy();
    await waitForDocs(
      [live.doc],
      () => JSON.stringify(sectionOf(live.doc, 'results').toJSON()).includes('7.9'),
      10_000,
      'the result in the live copy on another node',
    );
  });

  it('closes a removed care-team member’s session on another node', async () => {
    const maja = connectCollab(cluster.nodes[2]!.wsUrl, plan, tokens.maja!);
    sandbox.clients.push(maja);
    await maja.synced;
    const team = await api<{ id: string; organisation?: { id: string; sector: string } }[]>(
      cluster.nodes[0]!.url,
      `/plans/${plan}/care-team`,
      { token: tokens.hanne! },
    );
    const municipality = team.body.find((m) => m.organisation?.sector === 'municipality')!;
    expect(
      (
        await api(cluster.nodes[0]!.url, `/plans/${plan}/care-team/${municipality.id}`, {
          method: 'DELETE',
          token: tokens.hanne!,
        })
      ).status,
    ).toBe(204);
    expect((await maja.closed).code).toBe(CloseCode.forbidden);
    maja.provider.disconnect();
    const back = await api(cluster.nodes[1]!.url, `/plans/${plan}/care-team`, {
      method: 'POST',
      token: tokens.hanne!,
      body: { organisationId: municipality.organisation!.id },
    });
    expect(back.status).toBe(201);
  });

  it('closes an embedded session (its live copy and its socket) on other nodes when its link is revoked', async () => {
    const created = await api<{ id: string; link: string }>(cluster.nodes[0]!.url, `/plans/${plan}/embed-links`, {
      method: 'POST',
      token: tokens.gitte!,
      body: { access: 'edit' },
    });
    expect(created.status).toBe(201);
    const session = await api<{ token: string }>(cluster.nodes[1]!.url, '/embed/session', {
      method: 'POST',
      body: { link: created.body.link },
    });
    expect(session.status).toBe(200);
    const embedded = connectCollab(cluster.nodes[2]!.wsUrl, plan, session.body.token);
    sandbox.clients.push(embedded);
    await embedded.synced;
    // Its Socket.IO socket, on yet another node, watching its plan.
    const socket = io(cluster.nodes[1]!.url, {
      auth: { token: session.body.token },
      transports: ['websocket'],
      reconnection: false,
    });
    const ended = new Promise<{ reason: string }>((resolve) => socket.once('session:ended', resolve));
    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    expect(await socket.emitWithAck('plan:watch', { planId: plan })).toEqual({ ok: true });
    sectionOf(embedded.doc, 'goals').push([
      newEntry({
        id: randomUUID(),
        description: richText('Fra praksissystemet'),
        status: 'proposed',
        sector: 'general_practice',
      }),
    ]);
    expect(
      (await api(cluster.nodes[0]!.url, `/embed-links/${created.body.id}`, { method: 'DELETE', token: tokens.gitte! }))
        .status,
    ).toBe(204);
    expect((await embedded.closed).code).toBe(CloseCode.unauthorized);
    expect(await ended).toMatchObject({ reason: 'revoked' });
    await disconnected;
    socket.close();
    embedded.provider.disconnect();
  });

  it("closes a signed-out session's live copy and socket on other nodes; the person's other session goes on", async () => {
    const signedOut = await loginAt(cluster.nodes[0]!.url, 'maja');
    const other = await loginAt(cluster.nodes[0]!.url, 'maja');
    const live = connectCollab(cluster.nodes[2]!.wsUrl, plan, signedOut);
    const kept = connectCollab(cluster.nodes[2]!.wsUrl, plan, other);
    sandbox.clients.push(live, kept);
    await Promise.all([live.synced, kept.synced]);
    const socket = io(cluster.nodes[1]!.url, {
      auth: { token: signedOut },
      transports: ['websocket'],
      reconnection: false,
    });
    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const out = await api(cluster.nodes[0]!.url, '/auth/logout', { method: 'POST', token: signedOut });
    expect(out.status).toBe(204);
    expect((await live.closed).code).toBe(CloseCode.unauthorized);
    await disconnected;
    expect((await api(cluster.nodes[1]!.url, '/me', { token: signedOut })).status).toBe(401);
    expect((await api(cluster.nodes[1]!.url, '/me', { token: other })).status).toBe(200);
    expect(kept.provider.wsconnected).toBe(true);
    socket.close();
  });

  it('notices messages it missed (a head naming a later seq, a gap in seqs) and catches up from the store', async () => {
    const clients = cluster.nodes.map((node, i) =>
      connectCollab(node.wsUrl, plan, tokens[['hanne', 'maja', 'gitte'][i]!]!),
    );
    sandbox.clients.push(...clients);
    await Promise.all(clients.map((c) => c.synced));
    // Updates a node stored but whose messages Redis lost: written to the store directly.
    const store = await openStore({ databaseUrl: db.url, sqliteSynchronous: 'FULL', logLevel: 'silent' });
    const redis = new Redis(SHARED_REDIS_URL);
    const channel = `carehub:${cluster.prefix}:plan:${plan}`;
    const lost = async (title: string): Promise<{ seq: number; update: Uint8Array }> => {
      const copy = snapshotDoc(clients[0]!.doc);
      let update: Uint8Array | null = null;
      copy.on('update', (u: Uint8Array) => (update = u));
      sectionOf(copy, 'tasks').push([newEntry({ id: randomUUID(), title, sector: 'hospital', status: 'planned' })]);
      const [seq] = await store.appendUpdates([
        {
          planId: plan,
          author: null,
          origin: 'server',
          time: new Date().toISOString(),
          update: update!,
          sections: ['tasks'],
        },
      ]);
      return { seq: seq!, update: update! };
    };
    const holds = (title: string) => () =>
      clients.every((c) => JSON.stringify(sectionOf(c.doc, 'tasks').toJSON()).includes(title));
    try {
      const first = await lost('Tabt besked 1');
      await redis.publish(channel, JSON.stringify({ v: 1, type: 'head', node: 'lost-node', seq: first.seq }));
      await waitForDocs(
        clients.map((c) => c.doc),
        holds('Tabt besked 1'),
        5000,
        'a catch-up after a head naming a seq the nodes lack',
      );
      await lost('Tabt besked 2');
      const third = await lost('Tabt besked 3');
      // Only the third arrives: the seq before it is missing, so the store is read.
      await redis.publish(
        channel,
        JSON.stringify({
          v: 1,
          type: 'update',
          node: 'lost-node',
          seqs: [third.seq],
          update: Buffer.from(third.update).toString('base64'),
        }),
      );
      await waitForDocs(
        clients.map((c) => c.doc),
        () => holds('Tabt besked 2')() && holds('Tabt besked 3')(),
        5000,
        'a catch-up after a gap in seqs',
      );
    } finally {
      redis.disconnect();
      await store.close();
    }
  });

  it('drops garbage on the cluster channels and goes on', async () => {
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      const base = `carehub:${cluster.prefix}`;
      for (const text of [
        'not json',
        '{"v":1,"type":"update","node":"x","seqs":[1],"update":"!!"}',
        '{"v":1,"type":"update","node":"x","seqs":[999999],"update":"AAAA"}',
        '{"v":9}',
        JSON.stringify({ v: 1, type: 'access-changed', node: 'x', patientId: 'nope' }),
      ]) {
        await redis.publish(`${base}:plan:${plan}`, text);
        await redis.publish(`${base}:events`, text);
      }
    } finally {
      redis.disconnect();
    }
    const a = connectCollab(cluster.nodes[0]!.wsUrl, plan, tokens.hanne!);
    const b = connectCollab(cluster.nodes[1]!.wsUrl, plan, tokens.maja!);
    sandbox.clients.push(a, b);
    await Promise.all([a.synced, b.synced]);
    metaOf(a.doc).set('title', 'Efter støj på kanalen');
    await waitForDocs(
      [b.doc],
      () => metaOf(b.doc).get('title') === 'Efter støj på kanalen',
      10_000,
      'an edit after garbage',
    );
    for (const node of cluster.nodes) expect(node.child.exitCode).toBeNull();
    expect(cluster.nodes.some((n) => n.output().includes('dropping a malformed cluster message'))).toBe(true);
  });
});
