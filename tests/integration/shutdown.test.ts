import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import { missingFrom, snapshotDoc } from '../fixtures/doc-state.ts';
import { firstPlanOf, loginAt, hubSandbox } from '../fixtures/server-process.ts';

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

const isOpen = (c: CollabClient): boolean => c.provider.ws?.readyState === WebSocket.OPEN;

describe('graceful shutdown', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0).reverse()) fn();
  });

  it('loses nothing on SIGTERM during an edit burst: exits 0 promptly, closes clients with 1001, keeps every update sent', async () => {
    const sandbox = hubSandbox();
    cleanup.push(() => sandbox.dispose());
    const { clients } = sandbox;
    const hub = await sandbox.spawn();
    const hanne = await loginAt(hub.url, 'hanne');
    const gitte = await loginAt(hub.url, 'gitte');
    const maja = await loginAt(hub.url, 'maja');
    const plans = [await firstPlanOf(hub.url, hanne, 'Carl Jensen'), await firstPlanOf(hub.url, gitte, 'Erik Nielsen')];
    const writers = [connectCollab(hub.wsUrl, plans[0]!, hanne), connectCollab(hub.wsUrl, plans[1]!, gitte)];
    const observers = plans.map((planId) => connectCollab(hub.wsUrl, planId, maja));
    clients.push(...writers, ...observers);
    await Promise.all([...writers, ...observers].map((c) => c.synced));
    // No client reconnects: an observer holds exactly what the server sent it, a writer exactly
    // what it sent (y-websocket sends an update only while its socket is OPEN, and the burst
    // below edits only then).
    for (const c of [...writers, ...observers]) {
      c.provider.on('status', ({ status }: { status: string }) => {
        if (status !== 'connected') c.provider.disconnect();
      });
    }
    const closes = [...writers, ...observers].map((c) => within(c.closed, 15_000, 'a client close'));

    let received = 0;
    for (const o of observers) o.doc.on('update', () => received++);
    const sectors = ['hospital', 'general_practice'];
    const sent = [0, 0];
    let burst: NodeJS.Timeout | null = null;
    const writersDone = new Promise<void>((resolve) => {
      burst = setInterval(() => {
        let open = 0;
        writers.forEach((w, i) => {
          if (!isOpen(w)) return;
          open++;
          for (let k = 0; k < 3; k++) {
            sectionOf(w.doc, 'tasks').push([
              newEntry({ id: randomUUID(), title: `Opgave ${sent[i]}`, sector: sectors[i], status: 'planned' }),
            ]);
            sent[i]!++;
          }
        });
        if (open === 0) {
          clearInterval(burst!);
          resolve();
        }
      }, 1);
    });
    cleanup.push(() => clearInterval(burst!));
    await waitForDoc(observers[0]!.doc, () => received >= 60, 20_000, 'the observers to receive part of the burst');

    const signalled = Date.now();
    hub.child.kill('SIGTERM');
    const code = await within(hub.exited, 10_000, 'shutting down after SIGTERM');
    const tookMs = Date.now() - signalled;
    await within(writersDone, 5000, 'the writers to see their sockets close');
    const closeEvents = await Promise.all(closes);
    // Everything each writer sent (it edited only while its socket was open) and everything each
    // observer received.
    const sentByWriters = writers.map((w) => snapshotDoc(w.doc));
    const seenByObservers = observers.map((o) => snapshotDoc(o.doc));

    expect(code, hub.output().slice(-2000)).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    for (const e of closeEvents) expect(e.code).toBe(CloseCode.goingAway);
    expect(hub.output()).toContain('shutting down');
    expect(Math.min(...sent)).toBeGreaterThan(30);

    const restarted = await sandbox.spawn();
    const tokens = [await loginAt(restarted.url, 'hanne'), await loginAt(restarted.url, 'gitte')];
    for (const [i, planId] of plans.entries()) {
      const fresh = connectCollab(restarted.wsUrl, planId, tokens[i]!);
      clients.push(fresh);
      await within(fresh.synced, 10_000, 'syncing after the restart');
      const lacks = (seen: Y.Doc) => Object.fromEntries(missingFrom(fresh.doc, seen));
      expect(lacks(seenByObservers[i]!), `plan ${i}: updates the observer received`).toEqual({});
      expect(
        lacks(sentByWriters[i]!),
        `plan ${i}: updates the writer sent (${sent[i]} tasks) before its socket closed`,
      ).toEqual({});
      expect(sectionOf(fresh.doc, 'tasks').length).toBe(sectionOf(sentByWriters[i]!, 'tasks').length);
    }
  });

  it('exits 0 within its bound even when a peer never answers the close handshake', async () => {
    const sandbox = hubSandbox();
    const sockets: Socket[] = [];
    cleanup.push(() => {
      for (const s of sockets) s.destroy();
      sandbox.dispose();
    });
    const { clients } = sandbox;
    const hub = await sandbox.spawn();
    const token = await loginAt(hub.url, 'hanne');
    const planId = await firstPlanOf(hub.url, token, 'Carl Jensen');
    // A frozen tablet: it opens the plan's socket, then never reads again.
    const frozen = connect(hub.port, '127.0.0.1');
    sockets.push(frozen);
    frozen.write(
      `GET /collab/${planId}?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const head = await within(
      new Promise<string>((resolve) => frozen.once('data', (d: Buffer) => resolve(d.toString()))),
      5000,
      'the upgrade',
    );
    expect(head).toMatch(/^HTTP\/1\.1 101/);
    frozen.pause();
    const writer = connectCollab(hub.wsUrl, planId, token);
    clients.push(writer);
    await writer.synced;
    writer.provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'connected') writer.provider.disconnect();
    });
    sectionOf(writer.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Før nedlukning', sector: 'hospital', status: 'planned' }),
    ]);
    const sent = snapshotDoc(writer.doc);

    const signalled = Date.now();
    hub.child.kill('SIGTERM');
    const code = await within(hub.exited, 10_000, 'shutting down with a frozen peer');
    expect(code, hub.output().slice(-2000)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect((await within(writer.closed, 5000, 'the writer close')).code).toBe(CloseCode.goingAway);

    const restarted = await sandbox.spawn();
    const fresh = connectCollab(restarted.wsUrl, planId, await loginAt(restarted.url, 'gitte'));
    clients.push(fresh);
    await within(fresh.synced, 10_000, 'syncing after the restart');
    expect(Object.fromEntries(missingFrom(fresh.doc, sent))).toEqual({});
  });
});
