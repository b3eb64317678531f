import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as authProtocol from 'y-protocols/auth';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, waitForDoc, waitForDocs, type CollabClient } from '../fixtures/collab-client.ts';
import { bytesContain, join, sameState, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The permission check fails closed (issue 14, findings 1 and 8): whatever throws while an
 * update is checked, nothing of that update is stored or reaches another client, the author
 * is told, and the plan's views keep answering.
 */
describe('the permission check fails closed', () => {
  let hub: TestHub;
  let planId: string;
  const members: Member[] = [];
  const clients: CollabClient[] = [];
  const as = async (user: string) => {
    const m = await join(hub, user, planId);
    members.push(m);
    return m;
  };

  beforeAll(async () => {
    hub = await startHub();
    planId = await hub.planOf('Carl Jensen');
  });
  afterEach(() => {
    for (const m of members.splice(0)) m.leave();
    for (const c of clients.splice(0)) c.destroy();
  });
  afterAll(() => hub.stop());

  const storedBytes = (): Uint8Array[] =>
    (
      hub.sqlite().prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ?').pluck().all(planId) as Buffer[]
    ).map((b) => new Uint8Array(b));

  /** A read-only embed session (a GP's read link), as a stock y-websocket client recording auth messages. */
  async function readOnlyEmbed(): Promise<CollabClient & { denied: string[] }> {
    const created = await hub.api(`/plans/${planId}/embed-links`, {
      method: 'POST',
      token: await hub.token('gitte'),
      body: JSON.stringify({ access: 'read' }),
    });
    expect(created.status).toBe(201);
    const { link } = (await created.json()) as { link: string };
    const session = await hub.api('/embed/session', { method: 'POST', body: JSON.stringify({ link }) });
    const { token } = (await session.json()) as { token: string };
    const client = connectCollab(hub.wsUrl, planId, token);
    const denied: string[] = [];
    (client.provider as unknown as { messageHandlers: unknown[] }).messageHandlers[2] = (
      _enc: unknown,
      decoder: Parameters<typeof authProtocol.readAuthMessage>[0],
    ) => authProtocol.readAuthMessage(decoder, client.doc, (_doc, reason) => denied.push(reason));
    clients.push(client);
    await client.synced;
    return Object.assign(client, { denied });
  }

  async function viewsAnswer(): Promise<void> {
    const token = await hub.token('hanne');
    expect((await hub.api(`/plans/${planId}/document`, { token })).status).toBe(200);
    expect((await hub.api(`/plans/${planId}/fhir`, { token })).status).toBe(200);
  }

  /** Nothing of `marker` reached the observer or the store; the author converged and still edits. */
  async function refusedEverywhere(
    author: { doc: Y.Doc; denied: string[] },
    observer: Member,
    marker: string,
    section: string,
  ): Promise<void> {
    await waitForDocs(
      [author.doc, observer.doc],
      () => sameState(author.doc, observer.doc),
      10_000,
      'the author to converge to the server state',
    );
    expect(
      author.denied.some((d) => d.startsWith(section)),
      author.denied.join('\n'),
    ).toBe(true);
    expect(bytesContain(observer.received, marker)).toBe(false);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain(marker);
    expect(bytesContain(storedBytes(), marker)).toBe(false);
    await viewsAnswer();
    // The author goes on editing what it may (a read-only session may not edit: the observer shows the room is up).
    const next = `after-${randomUUID()}`;
    sectionOf(observer.doc, 'goals').push([
      newEntry({ id: randomUUID(), description: richText(next), status: 'proposed', sector: observer.sector }),
    ]);
    await waitForDoc(
      author.doc,
      (d) => JSON.stringify(planToJson(d)).includes(next),
      5000,
      'a later edit at the author',
    );
  }

  /** A formatted XmlText whose toJSON() is longer than V8's longest string (about 2^29 characters). */
  function explodingText(doc: Y.Doc, entry: Y.Map<unknown>, key: string, marker: string): void {
    doc.transact(() => {
      const text = new Y.XmlText();
      entry.set(key, text);
      text.insert(0, marker + 'x'.repeat(600));
      text.format(0, text.length, { big: { v: 'y'.repeat(1_000_000) } });
      for (let i = 0; i < text.length; i += 2) text.format(i, 1, { t: true });
    });
  }

  it('refuses a new goal whose description is a formatted XmlText too long to serialise, from a read-only embed session', async () => {
    const observer = await as('hanne');
    const embed = await readOnlyEmbed();
    embed.doc.transact(() => {
      const entry = newEntry({ id: randomUUID(), status: 'proposed', sector: 'hospital' });
      sectionOf(embed.doc, 'goals').push([entry]);
      explodingText(embed.doc, entry, 'description', 'FORBIDDEN-XMLTEXT-EMBED');
    });
    await refusedEverywhere(embed, observer, 'FORBIDDEN-XMLTEXT-EMBED', 'goals');
  });

  it('refuses the same from a nurse, who may add goals, and at a key that is not rich text', async () => {
    const maja = await as('maja');
    const observer = await as('hanne');
    for (const key of ['description', 'target']) {
      const marker = `FORBIDDEN-XMLTEXT-${key}`;
      maja.doc.transact(() => {
        const entry = newEntry({
          id: randomUUID(),
          status: 'proposed',
          sector: 'municipality',
          ...(key === 'target' ? { description: richText('ok') } : {}),
        });
        sectionOf(maja.doc, 'goals').push([entry]);
        explodingText(maja.doc, entry, key, marker);
      });
      await maja.nextRefusal();
      await refusedEverywhere(maja, observer, marker, 'goals');
    }
  });

  it('refuses meta keys that are names of Object.prototype', async () => {
    const gitte = await as('gitte');
    const observer = await as('niels');
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const marker = `FORBIDDEN-META-${key}`;
      metaOf(gitte.doc).set(key, marker);
      const refusal = await gitte.nextRefusal();
      expect(refusal.section).toBe('meta');
      await refusedEverywhere(gitte, observer, marker, 'meta');
    }
  });

  it('refuses entry keys that are names of Object.prototype, also on an existing entry', async () => {
    const hanne = await as('hanne');
    const observer = await as('niels');
    const existing = sectionOf(hanne.doc, 'goals').get(0);
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const marker = `FORBIDDEN-KEY-${key.replaceAll('_', '')}`;
      sectionOf(hanne.doc, 'goals').push([
        newEntry({
          id: randomUUID(),
          description: richText('ok'),
          status: 'proposed',
          sector: 'hospital',
          [key]: { author: marker },
        }),
      ]);
      await hanne.nextRefusal();
      await refusedEverywhere(hanne, observer, marker, 'goals');
      existing.set(key, `${marker}-changed`);
      await hanne.nextRefusal();
      await refusedEverywhere(hanne, observer, `${marker}-changed`, 'goals');
    }
  });

  it('refuses a value nested thousands of levels deep without storing or relaying it', async () => {
    const hanne = await as('hanne');
    const observer = await as('niels');
    const marker = 'FORBIDDEN-DEEP';
    hanne.doc.transact(() => {
      const entry = newEntry({ id: randomUUID(), description: richText('ok'), status: 'proposed', sector: 'hospital' });
      sectionOf(hanne.doc, 'goals').push([entry]);
      let level: Y.Map<unknown> | Y.Array<unknown> = new Y.Map<unknown>();
      entry.set('target', level);
      for (let i = 0; i < 20_000; i++) {
        const next: Y.Map<unknown> | Y.Array<unknown> = i % 2 === 0 ? new Y.Array<unknown>() : new Y.Map<unknown>();
        if (level instanceof Y.Map) level.set('k', next);
        else level.push([next]);
        level = next;
      }
      if (level instanceof Y.Map) level.set('k', marker);
      else level.push([marker]);
    });
    const refusal = await hanne.nextRefusal();
    expect(refusal.section).toBe('goals');
    expect(bytesContain(storedBytes(), marker)).toBe(false);
    expect(bytesContain(observer.received, marker)).toBe(false);
    await viewsAnswer();
    // The room is up for everyone else.
    const next = `after-deep-${randomUUID()}`;
    sectionOf(observer.doc, 'goals').push([
      newEntry({ id: randomUUID(), description: richText(next), status: 'proposed', sector: 'hospital' }),
    ]);
    const other = await as('maja');
    await waitForDoc(other.doc, (d) => JSON.stringify(planToJson(d)).includes(next), 5000, 'a later edit');
  });

  it('stores and relays no name a client chose for a refused key or an unknown section, and the author keeps editing', async () => {
    const hanne = await as('hanne');
    const observer = await as('niels');
    const goal = sectionOf(hanne.doc, 'goals').get(0);
    goal.set('FORBIDDEN-KEYNAME', 'x');
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, observer, 'FORBIDDEN-KEYNAME', 'goals');
    // The same key again (its item now sits next to the renamed one), and a new section.
    goal.set('FORBIDDEN-KEYNAME', 'y');
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, observer, 'FORBIDDEN-KEYNAME', 'goals');
    hanne.doc.getMap('FORBIDDEN-ROOTNAME').set('k', 'v');
    await hanne.nextRefusal();
    // A name that is not identifier-like is not repeated in the refusal (nor in the audit log).
    await refusedEverywhere(hanne, observer, 'FORBIDDEN-ROOTNAME', '(a name outside the contract)');
    hanne.doc.getArray('FORBIDDEN-ROOTNAME-2').push(['v']);
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, observer, 'FORBIDDEN-ROOTNAME-2', '(a name outside the contract)');
    const audit = hub
      .sqlite()
      .prepare("SELECT details FROM audit_log WHERE action = 'plan.update' AND outcome = 'refused'")
      .pluck()
      .all() as string[];
    expect(audit.join('\n')).not.toContain('FORBIDDEN-');
    // A later client syncing from the server, and the plan reloaded from the store, hold none of them.
    const late = await as('gitte');
    expect(bytesContain([Y.encodeStateAsUpdate(late.doc)], 'FORBIDDEN-')).toBe(false);
  });

  it('stores no client-chosen name written into an entry someone else removed meanwhile', async () => {
    const hanne = await as('hanne');
    const maja = await as('maja');
    const notes = (d: Y.Doc) => sectionOf(d, 'notes');
    const hannesNote = (d: Y.Doc) =>
      notes(d)
        .toArray()
        .find((n) => n.get('author') === hanne.userId)!;
    // A refused edit inside the note first: the server's restored copy keeps the note's content
    // in memory after a removal (Yjs keeps what its undo machinery restored).
    ((hannesNote(maja.doc).get('body') as Y.XmlFragment).get(0) as Y.XmlElement).delete(0, 1);
    await maja.nextRefusal();
    await waitForDocs([maja.doc, hanne.doc], () => sameState(maja.doc, hanne.doc), 5000, 'the nurse to converge');
    const target = hannesNote(maja.doc);
    const id = target.get('id');
    maja.provider.disconnect();
    notes(hanne.doc).delete(
      notes(hanne.doc)
        .toArray()
        .findIndex((n) => n.get('id') === id),
      1,
    );
    await waitForDoc(
      hanne.doc,
      () => !JSON.stringify(planToJson(hanne.doc).notes).includes(String(id)),
      5000,
      'the removal',
    );
    target.set('FORBIDDEN-DEADNAME', 'x');
    maja.provider.connect();
    await waitForDocs(
      [maja.doc, hanne.doc],
      () => sameState(maja.doc, hanne.doc),
      5000,
      'the offline nurse to converge',
    );
    expect(bytesContain(storedBytes(), 'FORBIDDEN-DEADNAME')).toBe(false);
    expect(bytesContain(hanne.received, 'FORBIDDEN-DEADNAME')).toBe(false);
  });

  it('refuses server-only keys on a new entry, and values that are not JSON; the plan’s views still answer (finding 8)', async () => {
    const maja = await as('maja');
    const observer = await as('hanne');
    const forged = {
      dose: {
        values: [
          { value: 'FORBIDDEN-CONFLICT', author: observer.userId, authorName: 'Hanne Holm' },
          { value: 'x', author: null, authorName: null },
        ],
        detected: new Date().toISOString(),
      },
    };
    sectionOf(maja.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Besøg', sector: 'municipality', status: 'planned', conflicts: forged }),
    ]);
    await maja.nextRefusal();
    await refusedEverywhere(maja, observer, 'FORBIDDEN-CONFLICT', 'tasks');

    const hanne = observer;
    const other = await as('gitte');
    const withBigInt = {
      dose: {
        values: [
          { value: 10n, author: 'FORBIDDEN-BIGINT' },
          { value: 1n, author: null },
        ],
        detected: 'x',
      },
    };
    sectionOf(hanne.doc, 'medications').push([newEntry({ id: randomUUID(), drug: 'Panodil', conflicts: withBigInt })]);
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, other, 'FORBIDDEN-BIGINT', 'medications');
    // A BigInt at a plain key of an existing entry, and in meta.
    const med = sectionOf(hanne.doc, 'medications').get(0);
    med.set('note', { text: 'FORBIDDEN-BIGINT-NOTE', n: 5n });
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, other, 'FORBIDDEN-BIGINT-NOTE', 'medications');
    metaOf(hanne.doc).set('conditions', [{ system: 'FORBIDDEN-BIGINT-META', code: 1n, display: 'x' }]);
    await hanne.nextRefusal();
    await refusedEverywhere(hanne, other, 'FORBIDDEN-BIGINT-META', 'meta');
  });
});
