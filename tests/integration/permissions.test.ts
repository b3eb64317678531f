import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { addNote, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { connectCollab, eventually, waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { CloseCode } from '../../shared/protocol.ts';
import type { Refusal } from '../../shared/refusals.ts';
import { bytesContain, join, sameState, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * The permission table enforced on every CRDT update, with real stock y-websocket clients:
 * a refused change never reaches another client or the store, its author is told why and
 * converges back to the server's state, and goes on editing what it may edit.
 */
describe('permissions on every update', () => {
  let hub: TestHub;
  let planId: string;
  const members: Member[] = [];
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
  });
  afterAll(() => hub.stop());

  const entryWhere = (
    doc: Y.Doc,
    section: 'tasks' | 'medications' | 'notes' | 'goals',
    pred: (e: Y.Map<unknown>) => boolean,
  ) => sectionOf(doc, section).toArray().find(pred) as Y.Map<unknown>;

  const storedBytes = (): Uint8Array[] =>
    (
      hub.sqlite().prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ?').pluck().all(planId) as Buffer[]
    ).map((b) => new Uint8Array(b));

  /** The refused author converged to the observer's (the server's) state, and still works. */
  async function convergedAndStillEditing(author: Member, observer: Member): Promise<void> {
    await waitForDocs(
      [author.doc, observer.doc],
      () => sameState(author.doc, observer.doc),
      5000,
      'the author to converge to the server state',
    );
    expect(author.provider.wsconnected).toBe(true);
    const marker = `still-editing-${randomUUID()}`;
    if (author.sector === null) {
      sectionOf(author.doc, 'selfReports').push([
        newEntry({ id: randomUUID(), kind: 'symptom', value: marker, taken: new Date().toISOString() }),
      ]);
    } else {
      sectionOf(author.doc, 'goals').push([
        newEntry({ id: randomUUID(), description: richText(marker), status: 'proposed', sector: author.sector }),
      ]);
    }
    await waitForDoc(
      observer.doc,
      (d) => JSON.stringify(planToJson(d)).includes(marker),
      5000,
      'the author’s next allowed edit',
    );
  }

  /** Refused with `why` (a code and its parameters): on Socket.IO, and in English with the code on the sync channel. */
  async function expectRefused(
    author: Member,
    observer: Member,
    marker: string,
    section: string,
    why: Refusal,
  ): Promise<void> {
    const { planId: _planId, section: refusedSection, ...refusal } = await author.nextRefusal();
    expect(refusedSection).toBe(section);
    expect(refusal).toEqual(why);
    // Told on the sync channel too (a y-websocket auth message): another connection than
    // Socket.IO's, so it may arrive just after the event. Waited for (bounded), then asserted.
    const told = () => author.denied.some((d) => d.startsWith(section) && d.includes(`[${why.code}`));
    await eventually(told, 5000).catch(() => {});
    expect(told(), author.denied.join('\n')).toBe(true);
    await convergedAndStillEditing(author, observer);
    expect(bytesContain(observer.received, marker)).toBe(false);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain(marker);
    expect(bytesContain(storedBytes(), marker)).toBe(false);
  }

  it('refuses a municipal nurse changing a medication', async () => {
    const maja = await as('maja');
    const hanne = await as('hanne');
    const med = entryWhere(maja.doc, 'medications', (e) => e.get('drug') === 'Furosemid');
    const before = med.get('dose');
    med.set('dose', '400 mg FORBIDDEN-DOSE');
    await expectRefused(maja, hanne, 'FORBIDDEN-DOSE', 'medications', {
      code: 'medications.prescribers-only',
      params: {},
    });
    expect(entryWhere(maja.doc, 'medications', (e) => e.get('drug') === 'Furosemid').get('dose')).toBe(before);
    // Adding a medication is refused too; the entry disappears from her copy.
    sectionOf(maja.doc, 'medications').push([newEntry({ id: randomUUID(), drug: 'FORBIDDEN-DRUG' })]);
    await expectRefused(maja, hanne, 'FORBIDDEN-DRUG', 'medications', {
      code: 'medications.prescribers-only',
      params: {},
    });
  });

  it('refuses a GP changing the status or assignee of a municipality-owned task', async () => {
    const gitte = await as('gitte');
    const maja = await as('maja');
    const task = entryWhere(gitte.doc, 'tasks', (e) => e.get('sector') === 'municipality');
    task.set('status', 'done');
    await expectRefused(gitte, maja, 'FORBIDDEN', 'tasks', {
      code: 'tasks.owner-changes',
      params: { owner: 'municipality', field: 'status' },
    });
    expect(entryWhere(maja.doc, 'tasks', (e) => e.get('sector') === 'municipality').get('status')).toBe('in-progress');
    entryWhere(gitte.doc, 'tasks', (e) => e.get('sector') === 'municipality').set('assignee', 'FORBIDDEN-ASSIGNEE');
    await expectRefused(gitte, maja, 'FORBIDDEN-ASSIGNEE', 'tasks', {
      code: 'tasks.owner-changes',
      params: { owner: 'municipality', field: 'assignee' },
    });
  });

  it('refuses a nurse editing or removing another author’s note, and lets authors edit their own', async () => {
    const maja = await as('maja');
    const hanne = await as('hanne');
    const hannesNote = (d: Y.Doc) => entryWhere(d, 'notes', (e) => e.get('author') === hanne.userId);
    const text = ((hannesNote(maja.doc).get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    text.insert(0, 'FORBIDDEN-NOTE-EDIT ');
    await expectRefused(maja, hanne, 'FORBIDDEN-NOTE-EDIT', 'notes', { code: 'notes.author-only', params: {} });
    const count = sectionOf(hanne.doc, 'notes').length;
    const index = sectionOf(maja.doc, 'notes').toArray().indexOf(hannesNote(maja.doc));
    sectionOf(maja.doc, 'notes').delete(index, 1);
    await maja.nextRefusal();
    await waitForDoc(maja.doc, (d) => sectionOf(d, 'notes').length === count, 5000, 'the removed note to come back');
    await convergedAndStillEditing(maja, hanne);
    expect(hannesNote(maja.doc)).toBeDefined();

    // The author edits her own note; the nurse sees it.
    const own = ((hannesNote(hanne.doc).get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText;
    own.insert(0, 'Rettet: ');
    await waitForDoc(
      maja.doc,
      () => JSON.stringify(planToJson(maja.doc)).includes('Rettet: '),
      5000,
      'the author’s own edit',
    );
    // A note must be written in one's own name.
    addNote(maja.doc, {
      id: randomUUID(),
      author: hanne.userId,
      sector: 'hospital',
      created: new Date().toISOString(),
      body: 'FORBIDDEN-IMPERSONATION',
    });
    await expectRefused(maja, hanne, 'FORBIDDEN-IMPERSONATION', 'notes', { code: 'notes.own-name', params: {} });
  });

  it('lets the citizen add a blood-pressure reading and refuses everything else', async () => {
    const hanne = await as('hanne');
    const carl = await hub.token('carl');
    const post = (body: unknown, token = carl) =>
      hub.api(`/plans/${planId}/self-reports`, { method: 'POST', token, body: JSON.stringify(body) });
    const res = await post({ kind: 'blood-pressure', value: '138/85', unit: 'mm[Hg]' });
    expect(res.status).toBe(201);
    await waitForDoc(
      hanne.doc,
      (d) =>
        sectionOf(d, 'selfReports')
          .toArray()
          .some((e) => e.get('value') === '138/85'),
      5000,
      'the reading at the care team',
    );
    // Invalid readings and staff writing self-reports are refused.
    expect((await post({ kind: '', value: 'x' })).status).toBe(400);
    expect((await post({ kind: 'weight', value: 80, unit: 'kg', taken: 'yesterday' })).status).toBe(400);
    expect((await post({ kind: 'weight', value: 80, evil: 1 })).status).toBe(400);
    expect((await post({ kind: 'weight', value: 80 }, await hub.token('hanne'))).status).toBe(403);
    // The citizen has no live copy of the plan to write anything else into: /collab refuses
    // citizens (a live copy would carry results not yet released to them).
    const live = connectCollab(hub.wsUrl, planId, carl);
    const closed = await live.closed;
    expect(closed.code).toBe(CloseCode.forbidden);
    live.destroy();
  });

  it('refuses results from any client, unknown sections and entries that break their schema', async () => {
    const hanne = await as('hanne');
    const niels = await as('niels');
    sectionOf(hanne.doc, 'results').push([
      newEntry({
        id: randomUUID(),
        kind: 'lab',
        code: { system: 'x', code: 'y', display: 'FORBIDDEN-RESULT' },
        status: 'final',
      }),
    ]);
    await expectRefused(hanne, niels, 'FORBIDDEN-RESULT', 'results', { code: 'results.systems-only', params: {} });
    hanne.doc.getMap('evil').set('x', 'FORBIDDEN-SECTION');
    await expectRefused(hanne, niels, 'FORBIDDEN-SECTION', 'evil', {
      code: 'section.unknown',
      params: { section: 'evil' },
    });
    sectionOf(hanne.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'FORBIDDEN-NO-SECTOR', status: 'planned' }),
    ]);
    await expectRefused(hanne, niels, 'FORBIDDEN-NO-SECTOR', 'tasks', {
      code: 'value.invalid',
      params: { key: 'sector', problem: 'schema' },
    });
  });

  it('lets every staff role add goals and tasks, and the owning sector complete its task', async () => {
    const observer = await as('hanne');
    for (const user of ['hanne', 'niels', 'maja', 'gitte']) {
      const m = await as(user);
      const title = `Opgave fra ${user}`;
      sectionOf(m.doc, 'tasks').push([newEntry({ id: randomUUID(), title, sector: m.sector, status: 'planned' })]);
      sectionOf(m.doc, 'goals').push([
        newEntry({ id: randomUUID(), description: richText(`Mål fra ${user}`), status: 'proposed', sector: m.sector }),
      ]);
      await waitForDoc(
        observer.doc,
        (d) =>
          JSON.stringify(planToJson(d)).includes(title) && JSON.stringify(planToJson(d)).includes(`Mål fra ${user}`),
        5000,
        `${user}'s goal and task`,
      );
      expect(m.denied).toEqual([]);
    }
    const maja = members.find((m) => m.sector === 'municipality')!;
    entryWhere(maja.doc, 'tasks', (e) => e.get('sector') === 'municipality' && e.get('status') === 'in-progress').set(
      'status',
      'done',
    );
    await waitForDoc(
      observer.doc,
      (d) =>
        sectionOf(d, 'tasks')
          .toArray()
          .some((e) => e.get('sector') === 'municipality' && e.get('status') === 'done'),
      5000,
      'the completed task',
    );
  });

  it('records each refusal in the audit log without its content', async () => {
    const rows = hub
      .sqlite()
      .prepare("SELECT details FROM audit_log WHERE action = 'plan.update' AND outcome = 'refused'")
      .pluck()
      .all() as string[];
    expect(rows.length).toBeGreaterThanOrEqual(7);
    expect(rows.join('\n')).not.toContain('FORBIDDEN');
    // Where and why, as the code the client words; the same code again on one connection
    // within a minute is counted (server/collab/refusal-audit.ts).
    for (const row of rows)
      expect([
        ['code', 'key', 'params', 'section'],
        ['code', 'count', 'windowSeconds'],
      ]).toContainEqual(Object.keys(JSON.parse(row) as object).sort());
    expect(rows.map((r) => (JSON.parse(r) as { code: string }).code)).toContain('medications.prescribers-only');
  });
});
