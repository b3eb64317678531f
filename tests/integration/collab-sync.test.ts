import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { ownCaret } from '../../client/src/collab/caret.ts';
import { addNote, metaOf, planToJson, richTextToPlain, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc, type CollabClient } from '../fixtures/collab-client.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

describe('co-editing a plan over the y-websocket protocol', () => {
  let hub: TestHub;
  let planId: string;
  const clients: CollabClient[] = [];
  const connect = async (user: string): Promise<CollabClient> => {
    const c = connectCollab(hub.wsUrl, planId, await hub.token(user));
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await hub.stop();
  });

  it('gives a new client the stored plan, then converges two clients editing concurrently', async () => {
    const hanne = await connect('hanne');
    const gitte = await connect('gitte');
    await Promise.all([hanne.synced, gitte.synced]);
    expect(metaOf(hanne.doc).get('title')).toBe('Hjertesvigt – forløb efter udskrivelse');
    const notesBefore = sectionOf(hanne.doc, 'notes').length;
    expect(notesBefore).toBeGreaterThan(0);

    // Concurrent edits: both write before either has seen the other's change.
    const me = (await hub.login('hanne')).user;
    const gp = (await hub.login('gitte')).user;
    hanne.doc.transact(() => metaOf(hanne.doc).set('title', 'Hjertesvigt – opdateret'));
    addNote(gitte.doc, {
      id: randomUUID(),
      author: gp.id,
      sector: 'general_practice',
      created: new Date().toISOString(),
      body: 'Ring til Carl fredag',
    });
    addNote(hanne.doc, {
      id: randomUUID(),
      author: me.id,
      sector: 'hospital',
      created: new Date().toISOString(),
      body: 'Ekko bestilt',
    });

    const converged = (doc: Y.Doc) =>
      sectionOf(doc, 'notes').length === notesBefore + 2 && metaOf(doc).get('title') === 'Hjertesvigt – opdateret';
    await Promise.all([
      waitForDoc(hanne.doc, converged, 5000, 'hanne converges'),
      waitForDoc(gitte.doc, converged, 5000, 'gitte converges'),
    ]);
    expect(Y.encodeStateAsUpdate(hanne.doc)).toEqual(Y.encodeStateAsUpdate(gitte.doc));

    // Concurrent typing in one goal's description merges character-wise, not last-writer-wins.
    const bodyOf = (doc: Y.Doc) =>
      (sectionOf(doc, 'goals').get(0) as Y.Map<unknown>).get('description') as Y.XmlFragment;
    const textOf = (doc: Y.Doc) => (bodyOf(doc).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    const first = richTextToPlain(bodyOf(hanne.doc));
    textOf(hanne.doc).insert(0, 'A: ');
    textOf(gitte.doc).insert(first.length, ' :G');
    const merged = (doc: Y.Doc) => richTextToPlain(bodyOf(doc)) === `A: ${first} :G`;
    await Promise.all([
      waitForDoc(hanne.doc, merged, 5000, 'merged text at hanne'),
      waitForDoc(gitte.doc, merged, 5000, 'merged text at gitte'),
    ]);

    // A client joining later receives the full state.
    const niels = await connect('niels');
    await niels.synced;
    expect(planToJson(niels.doc)).toEqual(planToJson(hanne.doc));

    // ...and so does the REST view of the document.
    const res = await hub.api(`/plans/${planId}/document`, { token: await hub.token('maja') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(planToJson(hanne.doc));
  });

  it('stamps presence with the authenticated identity and shows who else is in the plan', async () => {
    const hanne = await connect('hanne');
    const gitte = await connect('gitte');
    await Promise.all([hanne.synced, gitte.synced]);
    // Gitte claims to be Hanne; the server overwrites `user` with who she is.
    gitte.provider.awareness.setLocalStateField('user', {
      id: 'someone-else',
      name: 'Hanne Holm',
      role: 'hospital_doctor',
    });
    hanne.provider.awareness.setLocalStateField('user', { name: 'Hanne' });
    const seenByHanne = () =>
      [...hanne.provider.awareness.getStates().entries()].find(([id]) => id === gitte.doc.clientID)?.[1] as
        | { user?: { name: string; role: string } }
        | undefined;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no presence from gitte')), 5000);
      const check = () => {
        if (seenByHanne()?.user?.name === 'Gitte Grønlund') {
          clearTimeout(timer);
          hanne.provider.awareness.off('change', check);
          resolve();
        }
      };
      hanne.provider.awareness.on('change', check);
      check();
    });
    expect(seenByHanne()?.user).toMatchObject({
      name: 'Gitte Grønlund',
      role: 'gp',
      organisation: 'Lægehuset Nørrebro',
    });
  });

  it('shows a person in one colour: the caret colour their own editor draws is the one colleagues see', async () => {
    const hanne = await connect('hanne');
    const gitte = await connect('gitte');
    await Promise.all([hanne.synced, gitte.synced]);
    const gp = (await hub.login('gitte')).user;
    // What the browser gives Gitte's own caret (client/src/collab/usePlanConnection.ts).
    const own = ownCaret(gp);
    gitte.provider.awareness.setLocalStateField('user', own);
    const seenByHanne = () =>
      (
        [...hanne.provider.awareness.getStates().entries()].find(([id]) => id === gitte.doc.clientID)?.[1] as
          | { user?: { id?: string; color?: string } }
          | undefined
      )?.user;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no presence from gitte')), 5000);
      const check = () => {
        if (seenByHanne()?.id === gp.id) {
          clearTimeout(timer);
          hanne.provider.awareness.off('change', check);
          resolve();
        }
      };
      hanne.provider.awareness.on('change', check);
      check();
    });
    // The server's stamp (not Gitte's claim) is what Hanne sees: the same colour.
    expect(seenByHanne()?.color).toBe(own.color);
  });
});
