import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { MEASUREMENTS } from '../../shared/measurements.ts';
import { newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import type { Refusal } from '../../shared/refusals.ts';
import { addMeasurements, amendMeasurements, InvalidMeasurement } from '../../server/measurements/add-measurements.ts';
import * as authProtocol from 'y-protocols/auth';
import { connectCollab, eventually, waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { bytesContain, join, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Every cell of the `measurements` permission table (issue 16) with stock y-websocket clients:
 * any clinician adds and the server stamps who measured; only the performer amends or marks
 * entered-in-error, and the server keeps what was replaced; nobody removes; a client cannot write
 * the performer, the history or an impossible value. A refused change reaches no peer and is not
 * stored; its author is told why and converges.
 */
/** Keys sorted: a map's keys come out in the order its copy integrated them, which differs per copy. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;

function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return (
    Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b))) &&
    JSON.stringify(canonical(planToJson(a))) === JSON.stringify(canonical(planToJson(b)))
  );
}

describe('measurements on every update', () => {
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

  const storedBytes = (): Uint8Array[] =>
    (
      hub.sqlite().prepare('SELECT update_bytes FROM plan_updates WHERE plan_id = ?').pluck().all(planId) as Buffer[]
    ).map((b) => new Uint8Array(b));

  const pulse = (fields: Record<string, unknown> = {}) =>
    newEntry({
      id: randomUUID(),
      code: MEASUREMENTS.pulse.code,
      value: 72,
      unit: '/min',
      effective: new Date().toISOString(),
      status: 'final',
      ...fields,
    });

  const byId = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'measurements')
      .toArray()
      .find((e) => e.get('id') === id) as Y.Map<unknown> | undefined;

  /** `author` adds a pulse; resolves once `observer` has it with the server's stamp. */
  async function measured(author: Member, observer: Member, comment: string): Promise<string> {
    const id = randomUUID();
    sectionOf(author.doc, 'measurements').push([pulse({ id, comment })]);
    await waitForDoc(observer.doc, (d) => byId(d, id)?.get('performer') !== undefined, 5000, 'the stamped measurement');
    await waitForDoc(author.doc, (d) => byId(d, id)?.get('performer') !== undefined, 5000, 'the stamp at its author');
    return id;
  }

  async function expectRefused(
    author: Member,
    observer: Member,
    marker: string,
    why: Refusal,
    key: string | null = null,
  ): Promise<void> {
    const { planId: _planId, section, ...refusal } = await author.nextRefusal();
    expect(section).toBe('measurements');
    expect(refusal).toEqual(why);
    // Told on the sync channel too (a y-websocket auth message): another connection than
    // Socket.IO's, so it may arrive just after the event. Waited for (bounded), then asserted.
    const told = () =>
      author.denied.some((d) => d.startsWith(`measurements${key ? `.${key}` : ''}`) && d.includes(`[${why.code}`));
    await eventually(told, 5000).catch(() => {});
    expect(told(), author.denied.join('\n')).toBe(true);
    await waitForDocs(
      [author.doc, observer.doc],
      () => sameState(author.doc, observer.doc),
      5000,
      'the author to converge to the server state',
    );
    expect(author.provider.wsconnected).toBe(true);
    expect(bytesContain(observer.received, marker)).toBe(false);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain(marker);
    expect(bytesContain(storedBytes(), marker)).toBe(false);
  }

  it('lets every staff role add a measurement and stamps who measured from the sign-in', async () => {
    const observer = await as('hanne');
    for (const user of ['hanne', 'niels', 'maja', 'gitte']) {
      const m = await as(user);
      const id = await measured(m, observer, `Målt af ${user}`);
      const performer = byId(observer.doc, id)?.get('performer') as Record<string, unknown>;
      const me = await hub.login(user);
      expect(performer).toEqual({
        user: me.user.id,
        name: me.user.name,
        role: me.user.role,
        organisation: me.user.organisation?.name ?? null,
        sector: me.user.organisation?.sector ?? null,
      });
      expect(byId(observer.doc, id)?.get('status')).toBe('final');
      expect(m.denied).toEqual([]);
    }
  });

  it('refuses a performer, a history or a status other than final on a new measurement', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const hanne = await hub.login('hanne');
    sectionOf(maja.doc, 'measurements').push([
      pulse({
        performer: { user: hanne.user.id, name: 'FORBIDDEN-PERFORMER', role: 'gp', organisation: null, sector: null },
      }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-PERFORMER', { code: 'measurements.server-stamps', params: {} });
    sectionOf(maja.doc, 'measurements').push([
      pulse({
        previous: [
          {
            value: 1,
            unit: '/min',
            effective: new Date().toISOString(),
            status: 'final',
            comment: 'FORBIDDEN-HISTORY',
            replaced: new Date().toISOString(),
          },
        ],
      }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-HISTORY', { code: 'measurements.server-stamps', params: {} });
    sectionOf(maja.doc, 'measurements').push([pulse({ status: 'amended', comment: 'FORBIDDEN-AMENDED' })]);
    await expectRefused(maja, gitte, 'FORBIDDEN-AMENDED', { code: 'measurements.new-final', params: {} });
  });

  it('refuses an impossible value or a wrong unit, whoever’s client writes it', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    sectionOf(maja.doc, 'measurements').push([pulse({ value: 600, comment: 'FORBIDDEN-600' })]);
    await expectRefused(maja, gitte, 'FORBIDDEN-600', { code: 'measurements.implausible', params: { key: 'value' } });
    sectionOf(maja.doc, 'measurements').push([pulse({ unit: 'Hz', comment: 'FORBIDDEN-HZ' })]);
    await expectRefused(maja, gitte, 'FORBIDDEN-HZ', { code: 'measurements.implausible', params: { key: 'unit' } });
    sectionOf(maja.doc, 'measurements').push([
      newEntry({
        id: randomUUID(),
        code: MEASUREMENTS.bloodPressure.code,
        value: { systolic: 80, diastolic: 120 },
        unit: 'mm[Hg]',
        effective: new Date().toISOString(),
        status: 'final',
        comment: 'FORBIDDEN-UPSIDE-DOWN',
      }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-UPSIDE-DOWN', {
      code: 'measurements.implausible',
      params: { key: 'value' },
    });
  });

  it('lets the performer amend, keeping what was replaced, and refuses anyone else', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Før rettelse');
    // Another clinician, of another sector or of the same, may not amend it.
    byId(gitte.doc, id)?.set('comment', 'FORBIDDEN-OTHER-AMENDS');
    await expectRefused(
      gitte,
      maja,
      'FORBIDDEN-OTHER-AMENDS',
      { code: 'measurements.performer-only', params: {} },
      'comment',
    );
    const other = await as('hanne');
    byId(other.doc, id)?.set('value', 99);
    await expectRefused(other, maja, 'never-there', { code: 'measurements.performer-only', params: {} }, 'value');
    expect(byId(gitte.doc, id)?.get('value')).toBe(72);

    // The performer amends the value and the comment in one change: one version is kept.
    const entry = byId(maja.doc, id) as Y.Map<unknown>;
    maja.doc.transact(() => {
      entry.set('value', 76);
      entry.set('comment', 'Målt igen efter hvile');
    });
    await waitForDoc(gitte.doc, (d) => byId(d, id)?.get('status') === 'amended', 5000, 'the amendment');
    const amended = byId(gitte.doc, id) as Y.Map<unknown>;
    expect(amended.get('value')).toBe(76);
    const previous = amended.get('previous') as Record<string, unknown>[];
    expect(previous).toHaveLength(1);
    expect(previous[0]).toMatchObject({ value: 72, unit: '/min', status: 'final', comment: 'Før rettelse' });
    expect(typeof previous[0]?.replaced).toBe('string');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'the author to converge');
    expect(maja.denied).toEqual([]);
  });

  it('refuses the performer changing its id, code, performer, history or status except to entered-in-error', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Fast');
    const entry = () => byId(maja.doc, id) as Y.Map<unknown>;
    entry().set('code', { system: 'urn:x', code: 'FORBIDDEN-CODE', display: '' });
    await expectRefused(maja, gitte, 'FORBIDDEN-CODE', { code: 'measurements.fixed', params: {} }, 'code');
    entry().set('performer', { user: null, name: 'FORBIDDEN-RESTAMP', role: null, organisation: null, sector: null });
    await expectRefused(maja, gitte, 'FORBIDDEN-RESTAMP', { code: 'measurements.fixed', params: {} }, 'performer');
    entry().set('previous', []);
    await expectRefused(maja, gitte, 'never-there', { code: 'measurements.fixed', params: {} }, 'previous');
    entry().set('id', randomUUID());
    await expectRefused(maja, gitte, 'never-there', { code: 'measurements.fixed', params: {} }, 'id');
    entry().set('status', 'amended');
    await expectRefused(maja, gitte, 'never-there', { code: 'measurements.status', params: {} }, 'status');
    expect(byId(gitte.doc, id)?.get('status')).toBe('final');
  });

  it('lets the performer mark it entered-in-error, after which nothing changes it, and nobody removes one', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Forkert borger');
    // Removal is refused for the performer and for anyone else; the entry comes back.
    const count = sectionOf(gitte.doc, 'measurements').length;
    for (const m of [maja, gitte]) {
      await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'both to hold the same');
      const index = sectionOf(m.doc, 'measurements')
        .toArray()
        .findIndex((e) => e.get('id') === id);
      sectionOf(m.doc, 'measurements').delete(index, 1);
      const { planId: _p, section, ...refusal } = await m.nextRefusal();
      expect(section).toBe('measurements');
      expect(refusal).toEqual({ code: 'measurements.no-removal', params: {} });
      await waitForDoc(m.doc, (d) => byId(d, id) !== undefined, 5000, 'the removed measurement to come back');
    }
    expect(sectionOf(gitte.doc, 'measurements').length).toBe(count);
    // A refused removal comes back as a copy of the entry: the performer works on that copy.
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'both to hold the copy');

    byId(maja.doc, id)?.set('status', 'entered-in-error');
    await waitForDoc(gitte.doc, (d) => byId(d, id)?.get('status') === 'entered-in-error', 5000, 'entered-in-error');
    const previous = byId(gitte.doc, id)?.get('previous') as Record<string, unknown>[];
    expect(previous.at(-1)).toMatchObject({ value: 72, status: 'final' });
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'the author to converge');
    byId(maja.doc, id)?.set('comment', 'FORBIDDEN-AFTER-ERROR');
    await expectRefused(
      maja,
      gitte,
      'FORBIDDEN-AFTER-ERROR',
      { code: 'measurements.withdrawn', params: {} },
      'comment',
    );
  });

  it('leaves nothing of a measurement added and removed in one update, and no entry without its performer', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = randomUUID();
    maja.doc.transact(() => {
      const section = sectionOf(maja.doc, 'measurements');
      section.push([pulse({ id, comment: 'added-and-removed' })]);
      section.delete(section.length - 1, 1);
    });
    const marker = await measured(maja, gitte, 'after');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'the author to converge');
    expect(byId(gitte.doc, id)).toBeUndefined();
    expect(byId(gitte.doc, marker)).toBeDefined();
    for (const entry of sectionOf(gitte.doc, 'measurements').toArray()) expect(entry.get('performer')).toBeDefined();
  });

  it('refuses a measurement from a read-only embed session', async () => {
    const gitte = await as('gitte');
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
    const reader = connectCollab(hub.wsUrl, planId, token);
    const denied: string[] = [];
    (reader.provider as unknown as { messageHandlers: unknown[] }).messageHandlers[2] = (
      _enc: unknown,
      decoder: Parameters<typeof authProtocol.readAuthMessage>[0],
    ) => authProtocol.readAuthMessage(decoder, reader.doc, (_doc, reason) => denied.push(reason));
    try {
      await reader.synced;
      sectionOf(reader.doc, 'measurements').push([pulse({ comment: 'FORBIDDEN-READER' })]);
      await eventually(() => denied.length > 0, 5000, 'the refusal');
      expect(denied[0]).toContain('[access.read-only]');
      await waitForDocs(
        [reader.doc, gitte.doc],
        () => sameState(reader.doc, gitte.doc),
        5000,
        'the reader to converge',
      );
      expect(bytesContain(gitte.received, 'FORBIDDEN-READER')).toBe(false);
      expect(bytesContain(storedBytes(), 'FORBIDDEN-READER')).toBe(false);
    } finally {
      reader.destroy();
    }
  });

  it('adds measurements from the server (a MedCom message) with the performer it names, once per id', async () => {
    const gitte = await as('gitte');
    const id = randomUUID();
    const performer = {
      user: null,
      name: 'Akutsygeplejerske Anne',
      role: 'municipal_nurse',
      organisation: 'Akutteam Herlev',
      sector: 'municipality' as const,
    };
    const entries = [
      {
        id,
        code: MEASUREMENTS.temperature.code,
        value: 38.7,
        unit: 'Cel',
        effective: '2026-12-06T08:15:00+01:00',
      },
    ];
    const written = await addMeasurements(hub.server.rooms, planId, entries, performer);
    expect(written[0]).toMatchObject({ id, status: 'final', performer, effective: '2026-12-06T07:15:00.000Z' });
    await waitForDoc(gitte.doc, (d) => byId(d, id)?.get('value') === 38.7, 5000, 'the filed measurement');
    // A replay adds nothing; an impossible value writes nothing at all.
    await addMeasurements(hub.server.rooms, planId, entries, performer);
    await expect(
      addMeasurements(
        hub.server.rooms,
        planId,
        [
          { ...entries[0]!, id: randomUUID(), value: 37 },
          { ...entries[0]!, id: randomUUID(), value: 99 },
        ],
        performer,
      ),
    ).rejects.toBeInstanceOf(InvalidMeasurement);
    const res = await hub.api(`/plans/${planId}/document`, { token: await hub.token('gitte') });
    const doc = (await res.json()) as { measurements: { id: string; value: unknown }[] };
    expect(doc.measurements.filter((m) => m.id === id)).toHaveLength(1);
    expect(doc.measurements.some((m) => m.value === 37)).toBe(false);
  });
  it('amends the server’s measurements with the guard’s rules: the same measurer only, the previous value kept, withdrawn stays withdrawn, once', async () => {
    const gitte = await as('gitte');
    const id = randomUUID();
    const performer = {
      user: null,
      name: 'Akutsygeplejerske Anne',
      role: 'municipal_nurse',
      organisation: 'Akutteam Herlev',
      sector: 'municipality' as const,
    };
    const entry = {
      id,
      code: MEASUREMENTS.pulse.code,
      value: 92,
      unit: '/min',
      effective: '2026-12-06T08:15:00+01:00',
    };
    await addMeasurements(hub.server.rooms, planId, [entry], performer);
    const amend = { id, value: 88, unit: '/min', effective: entry.effective, status: 'amended' as const };
    // Someone of another organisation, or a CareHub user, may not change it; nor to an impossible value.
    for (const other of [
      { ...performer, organisation: 'Et andet team' },
      { ...performer, user: randomUUID() },
    ])
      await expect(amendMeasurements(hub.server.rooms, planId, [amend], other)).rejects.toBeInstanceOf(
        InvalidMeasurement,
      );
    await expect(
      amendMeasurements(hub.server.rooms, planId, [{ ...amend, value: 600 }], performer),
    ).rejects.toBeInstanceOf(InvalidMeasurement);
    await amendMeasurements(hub.server.rooms, planId, [amend], performer);
    await amendMeasurements(hub.server.rooms, planId, [amend], performer);
    await waitForDoc(gitte.doc, (d) => byId(d, id)?.get('value') === 88, 5000, 'the amendment');
    expect(byId(gitte.doc, id)?.get('status')).toBe('amended');
    expect(byId(gitte.doc, id)?.get('previous')).toEqual([
      expect.objectContaining({ value: 92, unit: '/min', status: 'final' }),
    ]);
    await amendMeasurements(hub.server.rooms, planId, [{ id, status: 'entered-in-error' }], performer);
    await amendMeasurements(hub.server.rooms, planId, [{ id, status: 'entered-in-error' }], performer);
    await waitForDoc(gitte.doc, (d) => byId(d, id)?.get('status') === 'entered-in-error', 5000, 'withdrawn');
    expect(byId(gitte.doc, id)?.get('previous')).toHaveLength(2);
    await expect(amendMeasurements(hub.server.rooms, planId, [amend], performer)).rejects.toBeInstanceOf(
      InvalidMeasurement,
    );
  });
});
