import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { addNote, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { syncStep1Message, syncStep2Message, updateMessage } from '../../server/collab/messages.ts';
import { connectCollab, waitForDoc } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * A tablet coming back online sends its sync step 1 first and its offline work only when the
 * server's own step 1 arrives; whatever it types in between builds on that offline work. Such
 * an update is not a refusal: the server asks for what it lacks (a sync step 1) and checks the
 * whole once it arrives.
 */
describe('updates that arrive before the changes they build on', () => {
  let hub: TestHub;
  let planId: string;
  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('asks the client for what is missing instead of refusing, then keeps both edits', async () => {
    const token = await hub.token('maja');
    const maja = (await hub.login('maja')).user;
    const observer = connectCollab(hub.wsUrl, planId, await hub.token('hanne'));
    await observer.synced;

    const doc = new Y.Doc();
    const frames: { kind: number; step: number | null; payload: Uint8Array | string }[] = [];
    const waiters: (() => void)[] = [];
    const ws = new WebSocket(`${hub.wsUrl}/collab/${planId}?token=${encodeURIComponent(token)}`);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      const d = decoding.createDecoder(new Uint8Array(data));
      const kind = decoding.readVarUint(d);
      if (kind === 0) {
        const step = decoding.readVarUint(d);
        const payload = decoding.readVarUint8Array(d);
        if (step !== 0) Y.applyUpdate(doc, payload);
        frames.push({ kind, step, payload });
      } else if (kind === 2) {
        decoding.readVarUint(d);
        frames.push({ kind, step: null, payload: decoding.readVarString(d) });
      }
      for (const w of waiters.splice(0)) w();
    });
    const next = (pred: (f: (typeof frames)[number]) => boolean, what: string) =>
      new Promise<(typeof frames)[number]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what}`)), 5000);
        const check = () => {
          const found = frames.find(pred);
          if (found) {
            clearTimeout(timer);
            frames.splice(frames.indexOf(found), 1);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(syncStep1Message(Y.encodeStateVector(doc)));
    await next((f) => f.kind === 0 && f.step === 1, 'sync step 2');
    await next((f) => f.kind === 0 && f.step === 0, "the server's sync step 1");

    // Offline work: a note (update A), then typing into it (update B builds on A).
    const before = Y.encodeStateVector(doc);
    const noteId = randomUUID();
    addNote(doc, {
      id: noteId,
      author: maja.id,
      sector: 'municipality',
      created: new Date().toISOString(),
      body: 'Besøg kl. 9',
    });
    const updateA = Y.encodeStateAsUpdate(doc, before);
    const middle = Y.encodeStateVector(doc);
    const note = () =>
      sectionOf(doc, 'notes')
        .toArray()
        .find((n) => (n as Y.Map<unknown>).get('id') === noteId) as Y.Map<unknown>;
    ((note().get('body') as Y.XmlFragment).get(0) as Y.XmlElement).insert(1, [new Y.XmlText(' – BT målt')]);
    const updateB = Y.encodeStateAsUpdate(doc, middle);

    // B reaches the server first.
    ws.send(updateMessage(updateB));
    const ask = await next((f) => (f.kind === 0 && f.step === 0) || f.kind === 2, 'an answer to the early update');
    expect(ask.kind, `refused: ${String(ask.payload)}`).toBe(0);
    // The client answers the step 1 as any y-websocket client does: with everything the server lacks.
    ws.send(syncStep2Message(Y.encodeStateAsUpdate(doc, ask.payload as Uint8Array)));

    await waitForDoc(
      observer.doc,
      (d) => JSON.stringify(planToJson(d)).includes('BT målt'),
      5000,
      'both offline edits at the observer',
    );
    expect(planToJson(observer.doc)).toEqual(planToJson(doc));
    expect(frames.filter((f) => f.kind === 2)).toEqual([]);
    ws.close();
    observer.destroy();
  });
});
