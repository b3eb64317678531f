import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate as encodeStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { decodeAwarenessUpdate, encodeAwarenessUpdate, stampIdentity } from '../../server/collab/awareness-stamp.ts';
import {
  decodeClientMessage,
  MalformedMessage,
  syncStep1Message,
  updateMessage,
} from '../../server/collab/messages.ts';

describe('y-websocket message decoding', () => {
  it('reads sync step 1, updates and awareness', () => {
    const sv = Y.encodeStateVector(new Y.Doc());
    expect(decodeClientMessage(syncStep1Message(sv))).toEqual({ type: 'syncStep1', stateVector: sv });
    expect(decodeClientMessage(updateMessage(new Uint8Array([1, 2])))).toEqual({
      type: 'update',
      update: new Uint8Array([1, 2]),
    });
  });

  it('rejects truncated, trailing, unknown and overlong frames', () => {
    const bad = [
      new Uint8Array([]),
      new Uint8Array([0]),
      new Uint8Array([0, 0, 5, 1]),
      new Uint8Array([0, 9, 0]),
      new Uint8Array([9]),
      new Uint8Array([3, 0]),
      new Uint8Array([...updateMessage(new Uint8Array([1])), 0]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    ];
    for (const frame of bad) expect(() => decodeClientMessage(frame), String([...frame])).toThrow(MalformedMessage);
  });
});

describe('awareness identity stamping', () => {
  it('round-trips, overwrites the user field and keeps only a caret of the right shape', () => {
    const doc = new Y.Doc();
    const awareness = new Awareness(doc);
    const rp = Y.createRelativePositionFromTypeIndex(doc.getText('t'), 0);
    awareness.setLocalState({ user: { name: 'Mallory' }, cursor: { anchor: rp, head: rp }, note: 'free text' });
    const entries = decodeAwarenessUpdate(encodeStates(awareness, [doc.clientID]));
    const user = {
      id: 'u1',
      name: 'Hanne Holm',
      role: 'hospital_doctor',
      organisation: 'Rigshospitalet',
      color: 'red',
    };
    const stamped = stampIdentity(entries, user);
    const position = { type: null, tname: 't', item: null, assoc: 0 };
    expect(stamped[0]!.state).toEqual({ user, cursor: { anchor: position, head: position } });
    for (const cursor of [
      3,
      'x',
      [],
      { anchor: position },
      { anchor: position, head: { ...position, assoc: 0.5 } },
      { anchor: position, head: position, x: 1 },
    ]) {
      expect(
        stampIdentity([{ clientId: 1, clock: 1, state: { cursor } }], user)[0]!.state,
        JSON.stringify(cursor),
      ).toEqual({ user });
    }
    expect(stampIdentity([{ clientId: 1, clock: 1, state: { cursor: null } }], user)[0]!.state).toEqual({
      cursor: null,
      user,
    });
    expect(decodeAwarenessUpdate(encodeAwarenessUpdate(stamped))).toEqual(stamped);
    awareness.destroy();
  });

  it('rejects states that are not objects, and garbage JSON', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 5);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, '[1,2]');
    expect(() => decodeAwarenessUpdate(encoding.toUint8Array(e))).toThrow(MalformedMessage);
    const g = encoding.createEncoder();
    encoding.writeVarUint(g, 1);
    encoding.writeVarUint(g, 5);
    encoding.writeVarUint(g, 1);
    encoding.writeVarString(g, '{nope');
    expect(() => decodeAwarenessUpdate(encoding.toUint8Array(g))).toThrow(MalformedMessage);
  });
});

describe('rich text as plain text', () => {
  it('keeps "<" and ">" and drops only formatting', async () => {
    const { richText, richTextToPlain } = await import('../../shared/plan-doc.ts');
    const doc = new Y.Doc();
    const fragment = richText('BT < 140 og puls > 100\n<b>x</b>');
    doc.getArray('x').push([fragment]);
    ((fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText).format(0, 2, { bold: true });
    expect(richTextToPlain(fragment)).toBe('BT < 140 og puls > 100\n<b>x</b>');
  });
});
