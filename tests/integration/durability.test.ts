import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import { startHub, tempDir } from '../fixtures/server.ts';
import { holdsEverything } from '../fixtures/doc-state.ts';
import { firstPlanOf, loginAt, hubSandbox } from '../fixtures/server-process.ts';

describe('durability', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  it('serves the same state after a restart on the same file', async () => {
    const dir = tempDir();
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await startHub({ dir });
    const planId = await first.planOf('Carl Jensen');
    const client = connectCollab(first.wsUrl, planId, await first.token('hanne'));
    await client.synced;
    metaOf(client.doc).set('title', 'Efter genstart');
    sectionOf(client.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Ny opgave', sector: 'hospital', status: 'planned' }),
    ]);
    const expected = planToJson(client.doc);
    // A peer receives an edit only after it is stored: once the peer has both, both are on disk.
    const peer = connectCollab(first.wsUrl, planId, await first.token('maja'));
    await waitForDoc(
      peer.doc,
      (d) =>
        sectionOf(d, 'tasks').length === sectionOf(client.doc, 'tasks').length &&
        metaOf(d).get('title') === 'Efter genstart',
    );
    peer.destroy();
    client.destroy();
    await first.stop();

    const second = await startHub({ dir });
    const again = connectCollab(second.wsUrl, planId, await second.token('gitte'));
    await again.synced;
    expect(planToJson(again.doc)).toEqual(expected);
    again.destroy();
    await second.stop();
  });

  it('loses no update that a peer had received when the server is killed with SIGKILL mid-burst', async () => {
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    const { clients } = sandbox;
    const hub = await sandbox.spawn();
    const writerToken = await loginAt(hub.url, 'hanne');
    const planId = await firstPlanOf(hub.url, writerToken, 'Carl Jensen');
    const writer = connectCollab(hub.wsUrl, planId, writerToken);
    const observer = connectCollab(hub.wsUrl, planId, await loginAt(hub.url, 'maja'));
    clients.push(writer, observer);
    await Promise.all([writer.synced, observer.synced]);
    // The observer stops listening the moment the socket drops, so it holds only what the server sent.
    observer.provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'connected') observer.provider.disconnect();
    });

    let received = 0;
    observer.doc.on('update', () => received++);
    const tasks = sectionOf(writer.doc, 'tasks');
    const burst = setInterval(() => {
      for (let i = 0; i < 5; i++)
        tasks.push([newEntry({ id: randomUUID(), title: `Opgave ${i}`, sector: 'hospital', status: 'planned' })]);
    }, 1);
    await waitForDoc(observer.doc, () => received >= 150, 20_000, 'the observer to receive part of the burst');
    hub.child.kill('SIGKILL');
    await hub.exited;
    clearInterval(burst);
    writer.provider.disconnect();
    observer.provider.disconnect();
    const seen = new Y.Doc();
    Y.applyUpdate(seen, Y.encodeStateAsUpdate(observer.doc));

    const restarted = await sandbox.spawn();
    const fresh = connectCollab(restarted.wsUrl, planId, await loginAt(restarted.url, 'gitte'));
    clients.push(fresh);
    await fresh.synced;
    expect(sectionOf(seen, 'tasks').length).toBeGreaterThan(150);
    expect(holdsEverything(fresh.doc, seen)).toBe(true);
  });
});
