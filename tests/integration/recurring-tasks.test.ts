import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type * as Y from 'yjs';
import { newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { addPeriod, todayInCopenhagen } from '../../shared/recurrence.ts';
import { waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { bytesContain, join, sameState, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Recurring tasks with stock y-websocket clients: each occurrence is a task done on its own,
 * and the next appears by itself (the server adds it with the change that completed the last);
 * only the owning sector completes an occurrence or changes the recurrence, and a refused
 * change adds nothing, reaches no peer and is not stored.
 */
describe('recurring tasks', () => {
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
    planId = await hub.planOf('Erik Nielsen', 'maja');
  });
  afterEach(() => {
    for (const m of members.splice(0)) m.leave();
  });
  afterAll(() => hub.stop());

  const storedBytes = (): Uint8Array[] =>
    (
      hub.sqlite().prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ?').pluck().all(planId) as Buffer[]
    ).map((b) => new Uint8Array(b));
  const series = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'tasks')
      .toArray()
      .filter((t) => t.get('id') === id || t.get('series') === id);
  const byId = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'tasks')
      .toArray()
      .find((t) => t.get('id') === id) as Y.Map<unknown>;

  /** Maja adds a daily municipal task due `due`; the observer sees it. */
  async function dailyTask(maja: Member, observer: Member, title: string, due: string): Promise<string> {
    const id = randomUUID();
    sectionOf(maja.doc, 'tasks').push([
      newEntry({
        id,
        title,
        details: richText('Før morgenmad, samme vægt hver dag.'),
        sector: 'municipality',
        assignee: 'Hjemmeplejen',
        due,
        status: 'planned',
        recurrence: { every: 1, unit: 'day' },
      }),
    ]);
    await waitForDoc(observer.doc, (d) => byId(d, id) !== undefined, 5000, 'the recurring task');
    return id;
  }

  it('adds the next occurrence when one is done, each done separately, never twice', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const first = addPeriod(todayInCopenhagen(), { every: 2, unit: 'day' });
    const id = await dailyTask(maja, gitte, 'Daglig vejning', first);

    byId(maja.doc, id).set('status', 'done');
    await waitForDoc(gitte.doc, (d) => series(d, id).length === 2, 5000, 'the next occurrence');
    const second = addPeriod(first, { every: 1, unit: 'day' });
    const next = series(gitte.doc, id).find((t) => t.get('id') !== id) as Y.Map<unknown>;
    expect(planToJson(gitte.doc).tasks.find((t) => t.id === next.get('id'))).toMatchObject({
      title: 'Daglig vejning',
      details: 'Før morgenmad, samme vægt hver dag.',
      sector: 'municipality',
      assignee: 'Hjemmeplejen',
      due: second,
      status: 'planned',
      recurrence: { every: 1, unit: 'day' },
      series: id,
    });
    // The author's own copy holds it too (the server sent her the net update).
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'maja to converge');
    expect(byId(maja.doc, id).get('status')).toBe('done');

    // Reopened and done again: no second occurrence for the same day.
    byId(maja.doc, id).set('status', 'in-progress');
    await waitForDoc(gitte.doc, (d) => byId(d, id).get('status') === 'in-progress', 5000, 'the reopened task');
    byId(maja.doc, id).set('status', 'done');
    await waitForDoc(gitte.doc, (d) => byId(d, id).get('status') === 'done', 5000, 'done again');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'maja to converge');
    expect(series(gitte.doc, id)).toHaveLength(2);

    // The second occurrence done on its own: a third, the day after.
    byId(maja.doc, next.get('id') as string).set('status', 'done');
    await waitForDoc(gitte.doc, (d) => series(d, id).length === 3, 5000, 'the third occurrence');
    expect(series(gitte.doc, id).map((t) => [t.get('due'), t.get('status')])).toEqual([
      [first, 'done'],
      [second, 'done'],
      [addPeriod(second, { every: 1, unit: 'day' }), 'planned'],
    ]);
    expect(maja.denied).toEqual([]);
  });

  it('refuses another sector completing an occurrence or changing the recurrence; nothing is added', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await dailyTask(
      maja,
      gitte,
      'Blodtryksmåling',
      addPeriod(todayInCopenhagen(), { every: 3, unit: 'day' }),
    );

    byId(gitte.doc, id).set('status', 'done');
    const refused = await gitte.nextRefusal();
    expect(refused).toMatchObject({
      section: 'tasks',
      code: 'tasks.owner-changes',
      params: { owner: 'municipality', field: 'status' },
    });
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'gitte to converge');
    expect(series(maja.doc, id)).toHaveLength(1);
    expect(byId(maja.doc, id).get('status')).toBe('planned');

    byId(gitte.doc, id).set('recurrence', { every: 7, unit: 'week' });
    expect(await gitte.nextRefusal()).toMatchObject({
      code: 'tasks.owner-changes',
      params: { owner: 'municipality', field: 'recurrence' },
    });
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'gitte to converge');
    expect(byId(maja.doc, id).get('recurrence')).toEqual({ every: 1, unit: 'day' });
    // Nothing of either refused change was stored or reached maja.
    expect(bytesContain(storedBytes(), 'week')).toBe(false);
    expect(bytesContain(maja.received, 'week')).toBe(false);
    expect(planToJson(maja.doc).tasks.filter((t) => t.series === id)).toEqual([]);

    // An invalid recurrence is refused even from the owner.
    byId(maja.doc, id).set('recurrence', { every: 0, unit: 'fortnight' });
    expect(await maja.nextRefusal()).toMatchObject({ code: 'value.invalid', params: { problem: 'schema' } });
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'maja to converge');
    expect(bytesContain(gitte.received, 'fortnight')).toBe(false);
    expect(bytesContain(storedBytes(), 'fortnight')).toBe(false);

    // The owner ends the series: done without a recurrence, nothing follows.
    byId(maja.doc, id).delete('recurrence');
    byId(maja.doc, id).set('status', 'done');
    await waitForDoc(gitte.doc, (d) => byId(d, id).get('status') === 'done', 5000, 'the last occurrence done');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'maja to converge');
    expect(series(gitte.doc, id)).toHaveLength(1);
  });
});
