import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import { MEASUREMENTS } from '../../shared/measurements.ts';
import { LOINC_SYSTEM } from '../../shared/fhir-systems.ts';
import { newEntry, planToJson, sectionOf } from '../../shared/plan-doc.ts';
import { MAX_MEASUREMENT_VERSIONS, MeasurementEntry } from '../../shared/plan.ts';
import { waitForDoc, waitForDocs } from '../fixtures/collab-client.ts';
import { bytesContain, join, type Member } from '../fixtures/plan-team.ts';
import { startHub, type TestHub } from '../fixtures/server.ts';

/**
 * Attacks on the `measurements` section (issue 16) with stock y-websocket clients, each asserting
 * the refusal: nothing of the forbidden change reaches a peer or the store, the author converges,
 * the hub stays up. Complements measurement-permissions.test.ts (every cell of the table) with
 * shapes an attacker builds: two entries with one id, a refused removal combined with a copy,
 * codes that dodge the plausible ranges, a time far from now.
 */
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

describe('attacks on measurements', () => {
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

  const withId = (doc: Y.Doc, id: string) =>
    sectionOf(doc, 'measurements')
      .toArray()
      .filter((e) => e.get('id') === id);

  async function measured(author: Member, observer: Member, comment: string): Promise<string> {
    const id = randomUUID();
    sectionOf(author.doc, 'measurements').push([pulse({ id, comment })]);
    await waitForDoc(observer.doc, (d) => withId(d, id)[0]?.get('performer') !== undefined, 5000, 'the stamp');
    await waitForDoc(author.doc, (d) => withId(d, id)[0]?.get('performer') !== undefined, 5000, 'the stamp');
    return id;
  }

  /** The author is refused with `code`, converges, and nothing with `marker` reached the observer or the store. */
  async function expectRefused(author: Member, observer: Member, marker: string, code: string): Promise<void> {
    const refusal = await author.nextRefusal();
    expect(refusal.section).toBe('measurements');
    expect(refusal.code).toBe(code);
    await waitForDocs([author.doc, observer.doc], () => sameState(author.doc, observer.doc), 5000, 'convergence');
    expect(author.provider.wsconnected).toBe(true);
    expect(bytesContain(observer.received, marker)).toBe(false);
    expect(JSON.stringify(planToJson(observer.doc))).not.toContain(marker);
    expect(bytesContain(storedBytes(), marker)).toBe(false);
  }

  it('refuses the second of two new measurements with one id in one update', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = randomUUID();
    maja.doc.transact(() => {
      sectionOf(maja.doc, 'measurements').push([pulse({ id, comment: 'first-of-two' })]);
      sectionOf(maja.doc, 'measurements').push([pulse({ id, value: 90, comment: 'FORBIDDEN-TWIN' })]);
    });
    await expectRefused(maja, gitte, 'FORBIDDEN-TWIN', 'entry.id-taken');
    expect(withId(gitte.doc, id)).toHaveLength(1);
  });

  it('refuses a copy under the id of a measurement whose removal the same update asks for', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Majas måling');
    // gitte removes maja's measurement and puts her own under its id: the removal is refused and
    // restored, and the copy must not stand beside it as a second entry with the same id.
    gitte.doc.transact(() => {
      const section = sectionOf(gitte.doc, 'measurements');
      const index = section.toArray().findIndex((e) => e.get('id') === id);
      section.delete(index, 1);
      section.insert(index, [pulse({ id, value: 140, comment: 'FORBIDDEN-IMPOSTOR' })]);
    });
    const refusals = [await gitte.nextRefusal(), await gitte.nextRefusal()].map((r) => r.code).sort();
    expect(refusals).toEqual(['entry.id-taken', 'measurements.no-removal']);
    await waitForDocs([gitte.doc, maja.doc], () => sameState(gitte.doc, maja.doc), 5000, 'convergence');
    expect(bytesContain(maja.received, 'FORBIDDEN-IMPOSTOR')).toBe(false);
    expect(bytesContain(storedBytes(), 'FORBIDDEN-IMPOSTOR')).toBe(false);
    const left = withId(maja.doc, id);
    expect(left).toHaveLength(1);
    expect(left[0]?.get('performer')).toMatchObject({ user: maja.userId });
    expect(left[0]?.get('value')).toBe(72);
  });

  it('refuses an impossible value under another code of the same quantity (LOINC heart rate)', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    sectionOf(maja.doc, 'measurements').push([
      pulse({
        code: { system: LOINC_SYSTEM, code: MEASUREMENTS.pulse.loinc.code, display: 'Heart rate' },
        value: 600,
        unit: 'Hz',
        comment: 'FORBIDDEN-LOINC-600',
      }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-LOINC-600', 'measurements.implausible');
  });

  it('refuses a new measurement dated far in the future or long ago', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    sectionOf(maja.doc, 'measurements').push([
      pulse({ effective: '2099-01-01T00:00:00Z', comment: 'FORBIDDEN-FUTURE' }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-FUTURE', 'measurements.time');
    sectionOf(maja.doc, 'measurements').push([pulse({ effective: '1901-01-01T00:00:00Z', comment: 'FORBIDDEN-PAST' })]);
    await expectRefused(maja, gitte, 'FORBIDDEN-PAST', 'measurements.time');
  });

  it('refuses NaN, Infinity, junk beside a code and a shared type as a value', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Gyldig');
    const entry = () => withId(maja.doc, id)[0] as Y.Map<unknown>;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      entry().set('value', bad);
      const refusal = await maja.nextRefusal();
      expect(refusal.code).toBe('value.invalid');
      await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'convergence');
      expect(withId(gitte.doc, id)[0]?.get('value')).toBe(72);
      expect(withId(gitte.doc, id)[0]?.get('status')).toBe('final');
    }
    const nested = new Y.Map<unknown>();
    nested.set('systolic', 120);
    sectionOf(maja.doc, 'measurements').push([pulse({ value: nested, comment: 'FORBIDDEN-SHARED' })]);
    await expectRefused(maja, gitte, 'FORBIDDEN-SHARED', 'value.invalid');
    sectionOf(maja.doc, 'measurements').push([
      pulse({ code: { ...MEASUREMENTS.pulse.code, junk: 'FORBIDDEN-JUNK'.repeat(1000) }, comment: 'junk' }),
    ]);
    await expectRefused(maja, gitte, 'FORBIDDEN-JUNK', 'value.invalid');
  });

  it('refuses changing a measurement’s values in the update that marks it entered-in-error', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Fejl');
    const entry = withId(maja.doc, id)[0] as Y.Map<unknown>;
    maja.doc.transact(() => {
      entry.set('status', 'entered-in-error');
      entry.set('value', 99);
      entry.set('comment', 'FORBIDDEN-WITH-ERROR');
    });
    const refusal = await maja.nextRefusal();
    expect(refusal.code).toBe('measurements.withdrawn');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'convergence');
    const seen = withId(gitte.doc, id)[0] as Y.Map<unknown>;
    expect(seen.get('status')).toBe('entered-in-error');
    expect(seen.get('value')).toBe(72);
    expect(bytesContain(gitte.received, 'FORBIDDEN-WITH-ERROR')).toBe(false);
    expect(bytesContain(storedBytes(), 'FORBIDDEN-WITH-ERROR')).toBe(false);
  });

  it('refuses another clinician undoing the performer’s amendment and the server’s stamp (an undo manager tracking remote changes)', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Før');
    const undo = new Y.UndoManager(sectionOf(gitte.doc, 'measurements'), {
      trackedOrigins: new Set([gitte.provider]),
      captureTimeout: 0,
    });
    const entry = withId(maja.doc, id)[0] as Y.Map<unknown>;
    entry.set('value', 76);
    await waitForDoc(gitte.doc, (d) => withId(d, id)[0]?.get('status') === 'amended', 5000, 'the amendment');
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'convergence');
    while (undo.canUndo()) undo.undo();
    const refusal = await gitte.nextRefusal();
    expect(['measurements.performer-only', 'measurements.no-removal']).toContain(refusal.code);
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'convergence');
    const seen = withId(maja.doc, id);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('value')).toBe(76);
    expect(seen[0]?.get('status')).toBe('amended');
    expect(seen[0]?.get('performer')).toMatchObject({ user: maja.userId });
    expect(seen[0]?.get('previous')).toHaveLength(1);
    undo.destroy();
  });

  it('stops amendments one short of the history’s limit, so that entered-in-error keeps its place and the entry its schema', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const id = await measured(maja, gitte, 'Mange rettelser');
    const entry = () => withId(maja.doc, id)[0] as Y.Map<unknown>;
    const versions = (doc: Y.Doc) => ((withId(doc, id)[0]?.get('previous') as unknown[] | undefined) ?? []).length;
    for (let n = 1; n <= MAX_MEASUREMENT_VERSIONS - 1; n++) {
      entry().set('value', 60 + (n % 2));
      await waitForDoc(maja.doc, (d) => versions(d) === n, 5000, `amendment ${n}`);
    }
    entry().set('comment', 'FORBIDDEN-ONE-TOO-MANY');
    const refusal = await maja.nextRefusal();
    expect(refusal).toMatchObject({
      code: 'measurements.history-full',
      params: { limit: MAX_MEASUREMENT_VERSIONS - 1 },
    });
    await waitForDocs([maja.doc, gitte.doc], () => sameState(maja.doc, gitte.doc), 5000, 'convergence');
    expect(bytesContain(storedBytes(), 'FORBIDDEN-ONE-TOO-MANY')).toBe(false);
    entry().set('status', 'entered-in-error');
    await waitForDoc(gitte.doc, (d) => withId(d, id)[0]?.get('status') === 'entered-in-error', 5000, 'withdrawn');
    expect(versions(gitte.doc)).toBe(MAX_MEASUREMENT_VERSIONS);
    expect(MeasurementEntry.strict().safeParse((withId(gitte.doc, id)[0] as Y.Map<unknown>).toJSON()).success).toBe(
      true,
    );
  });

  it('keeps the allowed part of an update that also changes another’s measurement', async () => {
    const maja = await as('maja');
    const gitte = await as('gitte');
    const majas = await measured(maja, gitte, 'Majas');
    const own = randomUUID();
    gitte.doc.transact(() => {
      sectionOf(gitte.doc, 'measurements').push([pulse({ id: own, comment: 'allowed-own' })]);
      withId(gitte.doc, majas)[0]?.set('comment', 'FORBIDDEN-MIXED');
    });
    await expectRefused(gitte, maja, 'FORBIDDEN-MIXED', 'measurements.performer-only');
    expect(withId(maja.doc, own)[0]?.get('performer')).toMatchObject({ user: gitte.userId });
  });
});
