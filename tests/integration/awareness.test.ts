import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, eventually, type CollabClient } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Awareness from clients (issue 14, finding 14): only the caret and selection Tiptap's
 * CollaborationCaret sends (y-prosemirror's `cursor: {anchor, head}` of relative positions)
 * reaches other clients, in that shape and size; `user` is the server's; read-only sessions
 * likewise. Stock y-websocket clients.
 */
describe('awareness relays carets only', () => {
  let hub: TestHub;
  let planId: string;
  const clients: CollabClient[] = [];
  const client = async (token: string) => {
    const c = connectCollab(hub.wsUrl, planId, token);
    clients.push(c);
    await c.synced;
    return c;
  };

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });
  afterAll(() => hub.stop());

  /** A caret as y-prosemirror makes it: relative positions in a goal's description. */
  const caret = (doc: Y.Doc, at: number, json: boolean) => {
    const fragment = sectionOf(doc, 'goals').get(0).get('description') as Y.XmlFragment;
    const text = (fragment.get(0) as Y.XmlElement).get(0) as Y.XmlText;
    const rp = Y.createRelativePositionFromTypeIndex(text, at);
    // y-prosemirror puts RelativePosition objects into the state (JSON.stringify serialises them).
    return json
      ? { anchor: Y.relativePositionToJSON(rp), head: Y.relativePositionToJSON(rp) }
      : { anchor: rp, head: rp };
  };
  const stateAt = (observer: CollabClient, of: CollabClient) =>
    observer.provider.awareness.getStates().get(of.doc.clientID) as Record<string, unknown> | undefined;

  it('relays a caret and the server’s user, and drops every other field', async () => {
    const observer = await client(await hub.token('hanne'));
    const gitte = await client(await hub.token('gitte'));
    for (const json of [false, true]) {
      const cursor = caret(gitte.doc, json ? 3 : 2, json);
      gitte.provider.awareness.setLocalState({
        cursor,
        user: { name: 'Mallory', color: '#000000' },
        note: 'FREE-TEXT-AWARENESS',
        typing: { entry: 'FREE-TEXT-AWARENESS' },
      });
      const expected = JSON.parse(JSON.stringify(cursor)) as unknown;
      await eventually(
        () => JSON.stringify(stateAt(observer, gitte)?.cursor) === JSON.stringify(expected),
        5000,
        'the caret at the observer',
      );
      const state = stateAt(observer, gitte)!;
      expect(Object.keys(state).sort()).toEqual(['cursor', 'user']);
      expect(state.user).toMatchObject({ name: 'Gitte Grønlund', role: 'gp' });
      // The caret still resolves in the observer's copy, as CollaborationCaret resolves it.
      const anchor = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON((state.cursor as { anchor: unknown }).anchor),
        observer.doc,
      );
      expect(anchor?.index).toBe(json ? 3 : 2);
    }
    expect(JSON.stringify([...observer.provider.awareness.getStates().values()])).not.toContain('FREE-TEXT');
  });

  it('drops a caret of another shape, and a state too large to read', async () => {
    const observer = await client(await hub.token('hanne'));
    const maja = await client(await hub.token('maja'));
    const good = caret(maja.doc, 1, true);
    const wrong: unknown[] = [
      'FREE-TEXT-CURSOR',
      { anchor: good.anchor, head: good.head, label: 'FREE-TEXT-CURSOR' },
      { anchor: { type: 'FREE-TEXT-CURSOR' }, head: good.head },
      { anchor: { ...good.anchor, text: 'FREE-TEXT-CURSOR' }, head: good.head },
      { anchor: { tname: 'FREE-TEXT-CURSOR'.repeat(20) }, head: good.head },
      { anchor: { item: { client: -1, clock: 0 } }, head: good.head },
    ];
    // Each after a good caret, so that its arrival shows as the caret disappearing.
    for (const state of [...wrong.map((cursor) => ({ cursor })), { cursor: good, pad: 'FREE-TEXT-PAD'.repeat(400) }]) {
      maja.provider.awareness.setLocalState({ cursor: good, user: {} });
      await eventually(() => stateAt(observer, maja)?.cursor !== undefined, 5000, 'a good caret first');
      maja.provider.awareness.setLocalState(state);
      await eventually(
        () => stateAt(observer, maja) !== undefined && stateAt(observer, maja)!.cursor === undefined,
        5000,
        'the wrong caret dropped',
      );
      expect(Object.keys(stateAt(observer, maja)!)).toEqual(['user']);
    }
    expect(JSON.stringify([...observer.provider.awareness.getStates().values()])).not.toContain('FREE-TEXT');
  });

  it('lets a read-only session show its caret, and nothing else', async () => {
    const observer = await client(await hub.token('hanne'));
    const created = (await (
      await hub.api(`/plans/${planId}/embed-links`, {
        method: 'POST',
        token: await hub.token('gitte'),
        body: JSON.stringify({ access: 'read' }),
      })
    ).json()) as { link: string };
    const { token } = (await (
      await hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link: created.link }) })
    ).json()) as { token: string };
    const reader = await client(token);
    const cursor = caret(reader.doc, 4, true);
    reader.provider.awareness.setLocalState({
      cursor,
      user: { name: 'FREE-TEXT-READER' },
      selection: 'FREE-TEXT-READER',
    });
    await eventually(() => stateAt(observer, reader)?.cursor !== undefined, 5000, 'the reader’s caret');
    const state = stateAt(observer, reader)!;
    expect(Object.keys(state).sort()).toEqual(['cursor', 'user']);
    expect(state.cursor).toEqual(cursor);
    expect(JSON.stringify(state)).not.toContain('FREE-TEXT');
  });
});
