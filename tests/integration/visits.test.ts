import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { VisitsResponse } from '../../shared/api.ts';
import { addDays, careDate } from '../../shared/calendar.ts';
import { newEntry, sectionOf } from '../../shared/plan-doc.ts';
import { waitForDoc } from '../fixtures/collab-client.ts';
import { join } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/** The seed's "today": its due dates are Danish calendar days (shared/calendar.ts) at seed time. */
const today = () => careDate();
const dayAfter = (date: string) => addDays(date, 1);

describe('GET /visits/today', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.stop());

  const visits = async (username: string, query = `?date=${today()}`) => {
    const res = await hub.api(`/visits/today${query}`, { token: await hub.token(username) });
    return { status: res.status, body: (await res.json()) as VisitsResponse & { error?: { code: string } } };
  };

  it('lists a municipal nurse’s patients with municipality tasks due today, in name order', async () => {
    const { status, body } = await visits('maja');
    expect(status).toBe(200);
    expect(body.date).toBe(today());
    expect(body.visits.map((v) => v.patientName)).toEqual(['Carl Jensen', 'Erik Nielsen']);
    const carl = body.visits[0]!;
    expect(carl.planId).toBe(await hub.planOf('Carl Jensen', 'maja'));
    // Only the municipality's task; the GP's and the hospital's are not on the visit.
    expect(carl.tasks.map((t) => t.title)).toEqual(['Daglig vejning og registrering']);
    expect(carl.tasks[0]).toMatchObject({ due: today(), status: 'in-progress', overdue: false });
  });

  it('keeps open tasks from earlier days on the list, flagged overdue and first', async () => {
    const { body } = await visits('maja', `?date=${dayAfter(today())}`);
    expect(body.visits.map((v) => v.patientName)).toEqual(['Carl Jensen', 'Erik Nielsen']);
    expect(body.visits.every((v) => v.tasks.every((t) => t.overdue))).toBe(true);
  });

  it('without a date uses today in Denmark, and lists tomorrow’s visits with the tasks due that day only', async () => {
    const erikPlan = await hub.planOf('Erik Nielsen', 'maja');
    const majaAtErik = await join(hub, 'maja', erikPlan);
    await waitForDoc(majaAtErik.doc, (d) => sectionOf(d, 'tasks').length > 0);
    sectionOf(majaAtErik.doc, 'tasks').push([
      newEntry({
        id: randomUUID(),
        title: 'Sårskift',
        sector: 'municipality',
        due: dayAfter(today()),
        status: 'planned',
      }),
    ]);
    // A second connection seeing it proves the server holds it.
    const majaAgain = await join(hub, 'maja', erikPlan);
    await waitForDoc(majaAgain.doc, (d) =>
      sectionOf(d, 'tasks')
        .toArray()
        .some((t) => t.get('title') === 'Sårskift'),
    );
    const { status, body } = await visits('maja', '');
    expect(status).toBe(200);
    expect(body.date).toBe(today());
    expect(body.tomorrow?.date).toBe(dayAfter(today()));
    // Today's open tasks are not carried over to tomorrow's list as overdue.
    expect(body.tomorrow?.visits.map((v) => v.patientName)).toEqual(['Erik Nielsen']);
    expect(body.tomorrow?.visits[0]?.tasks.map((t) => [t.title, t.overdue])).toEqual([['Sårskift', false]]);
    expect(body.visits.find((v) => v.patientName === 'Erik Nielsen')?.tasks.map((t) => t.title)).toEqual([
      'Fodinspektion',
    ]);
    for (const m of [majaAtErik, majaAgain]) m.leave();
  });

  it('answers 403 for staff outside the municipality and for citizens, 401 without a session, 400 for a bad date', async () => {
    expect((await visits('hanne')).status).toBe(403);
    expect((await visits('gitte')).status).toBe(403);
    expect((await visits('carl')).status).toBe(403);
    expect((await hub.api('/visits/today')).status).toBe(401);
    const bad = await visits('maja', '?date=tomorrow');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBeDefined();
  });

  it('never lists a patient outside the care team, and follows a handover to the hospital', async () => {
    // Ingrid's care team is the hospital alone: a municipality task in her plan is not Maja's visit.
    const ingridPlan = await hub.planOf('Ingrid Madsen', 'hanne');
    const carlPlan = await hub.planOf('Carl Jensen', 'hanne');
    const hanneAtIngrid = await join(hub, 'hanne', ingridPlan);
    await waitForDoc(hanneAtIngrid.doc, (d) => sectionOf(d, 'tasks').length > 0);
    sectionOf(hanneAtIngrid.doc, 'tasks').push([
      newEntry({ id: randomUUID(), title: 'Hjemmebesøg', sector: 'municipality', due: today(), status: 'planned' }),
    ]);
    // A second client seeing it proves the server holds it.
    const nielsAtIngrid = await join(hub, 'niels', ingridPlan);
    await waitForDoc(nielsAtIngrid.doc, (d) =>
      sectionOf(d, 'tasks')
        .toArray()
        .some((t) => t.get('title') === 'Hjemmebesøg'),
    );

    const hanneAtCarl = await join(hub, 'hanne', carlPlan);
    const weighing = (d: Parameters<typeof sectionOf>[0]) =>
      sectionOf(d, 'tasks')
        .toArray()
        .find((t) => t.get('title') === 'Daglig vejning og registrering');
    await waitForDoc(hanneAtCarl.doc, (d) => weighing(d) !== undefined);
    // Hanne (hospital) may not take the municipality's task herself: the server refuses it.
    weighing(hanneAtCarl.doc)!.set('sector', 'hospital');
    await hanneAtCarl.nextRefusal();
    // Maja hands it over herself.
    const majaAtCarl = await join(hub, 'maja', carlPlan);
    await waitForDoc(majaAtCarl.doc, (d) => weighing(d)?.get('sector') === 'municipality');
    weighing(majaAtCarl.doc)!.set('sector', 'hospital');
    await waitForDoc(hanneAtCarl.doc, (d) => weighing(d)?.get('sector') === 'hospital');

    const { body } = await visits('maja');
    expect(body.visits.map((v) => v.patientName)).toEqual(['Erik Nielsen']);
    for (const m of [hanneAtIngrid, nielsAtIngrid, hanneAtCarl, majaAtCarl]) m.leave();
  });
});
