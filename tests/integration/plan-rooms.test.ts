import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol.ts';
import { metaOf } from '../../shared/plan-doc.ts';
import { connectCollab, eventually, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

describe('plan rooms', () => {
  let hub: TestHub;
  let planId: string;

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(() => hub.stop());

  // That the joins share one load is tested in memory (tests/unit/plan-room.test.ts).
  it('serves a plan to many clients joining at the same instant, and unloads it when they leave', async () => {
    const token = await hub.token('hanne');
    expect(hub.server.rooms.get(planId)).toBeUndefined();
    const clients: CollabClient[] = Array.from({ length: 20 }, () => connectCollab(hub.wsUrl, planId, token));
    await Promise.all(clients.map((c) => c.synced));
    expect(hub.server.rooms.openCount).toBe(1);
    for (const c of clients) expect(metaOf(c.doc).get('title')).toBe(metaOf(clients[0]!.doc).get('title'));
    for (const c of clients) c.destroy();
    // The server learns of the closes asynchronously; the room unloads when the last one is gone.
    await eventually(() => hub.server.rooms.get(planId) === undefined, 5000, 'the room to unload');
    expect(hub.server.rooms.openCount).toBe(0);
  });

  it('closes only the connection that sends a garbage frame', async () => {
    const token = await hub.token('hanne');
    const good = connectCollab(hub.wsUrl, planId, await hub.token('gitte'));
    await good.synced;
    const frames = [
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint overflow
      Buffer.from([0x00, 0x02, 0x7f, 0x01]), // update claiming 127 bytes, holding 1
      Buffer.from([0x00, 0x02, 0x03, 0x01, 0x02, 0x03]), // well-framed update with a broken Yjs payload
      Buffer.from([0x07]), // unknown message type
      Buffer.from([0x01, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05]), // broken awareness payload
      Buffer.from('hello, this is not yjs'),
    ];
    for (const frame of frames) {
      const ws = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${token}`);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(frame);
      const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      expect(code, frame.toString('hex')).toBe(CloseCode.protocolError);
    }
    // The well-behaved client is still connected and still syncing.
    expect(good.provider.wsconnected).toBe(true);
    const other = connectCollab(hub.wsUrl, planId, token);
    await other.synced;
    metaOf(other.doc).set('title', 'Efter støj');
    await waitForDoc(good.doc, (d) => metaOf(d).get('title') === 'Efter støj', 5000, 'edit after garbage');
    other.destroy();
    good.destroy();
  });

  it('refuses an oversized frame with 1009', async () => {
    const ws = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${await hub.token('hanne')}`);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(Buffer.alloc(hub.config.wsMaxMessageBytes + 1));
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(CloseCode.messageTooBig);
  });

  it('does not let a client clear or take over another client’s presence', async () => {
    const hanne = connectCollab(hub.wsUrl, planId, await hub.token('hanne'));
    const gitte = connectCollab(hub.wsUrl, planId, await hub.token('gitte'));
    await Promise.all([hanne.synced, gitte.synced]);
    // Carets as Tiptap's CollaborationCaret sends them (other fields are not relayed).
    const caret = (at: number) => ({ anchor: { tname: 'goals', assoc: at }, head: { tname: 'goals', assoc: 0 } });
    hanne.provider.awareness.setLocalStateField('cursor', caret(1));
    await eventually(
      () => gitte.provider.awareness.getStates().has(hanne.doc.clientID),
      5000,
      'hanne’s presence at gitte',
    );
    // Gitte's client forges an awareness update for Hanne's client id, then her own.
    const forger = new Y.Doc();
    forger.clientID = hanne.doc.clientID;
    const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness');
    const fake = new Awareness(forger);
    fake.setLocalState({ user: { name: 'Not Hanne' } });
    (fake.meta.get(forger.clientID) as { clock: number }).clock = 1000;
    const frame = Buffer.concat([Buffer.from([0x01]), encodeVarBytes(encodeAwarenessUpdate(fake, [forger.clientID]))]);
    const raw = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${await hub.token('gitte')}`);
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(frame);
    gitte.provider.awareness.setLocalStateField('cursor', caret(2));
    await eventually(
      () =>
        (
          hanne.provider.awareness.getStates().get(gitte.doc.clientID) as
            | { cursor?: { anchor: { assoc: number } } }
            | undefined
        )?.cursor?.anchor.assoc === 2,
      5000,
      'gitte’s later presence',
    );
    const hanneAsSeen = gitte.provider.awareness.getStates().get(hanne.doc.clientID) as { user: { name: string } };
    expect(hanneAsSeen.user.name).toBe('Hanne Holm');
    fake.destroy();
    raw.close();
    hanne.destroy();
    gitte.destroy();
  });
});

function encodeVarBytes(bytes: Uint8Array): Buffer {
  const len: number[] = [];
  let n = bytes.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from(len), Buffer.from(bytes)]);
}
