import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { metaOf, newEntry, planToJson, richText, sectionOf } from '../../shared/plan-doc.ts';
import { clientOrigin, type ClientOrigin } from '../../server/collab/change-origin.ts';
import { MalformedMessage } from '../../server/collab/messages.ts';
import { PlanGuard } from '../../server/collab/plan-guard.ts';
import { DOCTOR, NURSE, planState, TestConnection } from '../fixtures/room-harness.ts';

/**
 * The permission check on its own (issue 15): one update applied to a document for one actor;
 * what it keeps, what it refuses and why, and the verdict it writes into the client origin
 * inside the transaction — which is all the room trusts.
 */
function server(): { doc: Y.Doc; guard: PlanGuard } {
  const doc = new Y.Doc();
  const guard = new PlanGuard(doc);
  Y.applyUpdate(doc, planState());
  return { doc, guard };
}

/** An update a client synced with the plan makes. */
function clientUpdate(change: (doc: Y.Doc) => void, base = planState()): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, base);
  const sv = Y.encodeStateVector(doc);
  doc.transact(() => change(doc));
  return Y.encodeStateAsUpdate(doc, sv);
}

const json = (doc: Y.Doc) => JSON.stringify(planToJson(doc));
const goal = (text: string, sector: string) =>
  newEntry({ id: crypto.randomUUID(), description: richText(text), status: 'proposed', sector });
const setDose = (value: string) => (doc: Y.Doc) => sectionOf(doc, 'medications').get(0).set('dose', value);

describe('the plan guard', () => {
  const undo = Y.UndoManager.prototype.undo;
  afterEach(() => {
    Y.UndoManager.prototype.undo = undo;
  });

  it('keeps an allowed change and marks its origin checked, with the sections it changed and no echo', () => {
    const { doc, guard } = server();
    const origin = clientOrigin(new TestConnection(DOCTOR));
    const outcome = guard.apply(clientUpdate(setDose('80 mg')), origin);
    expect(outcome).toEqual({ refusals: [], missing: false, unapplied: false, failure: null });
    expect(origin).toMatchObject({ checked: true, sections: ['medications'], echo: false });
    expect(sectionOf(doc, 'medications').get(0).get('dose')).toBe('80 mg');
  });

  it('reverts a refused change inside the transaction, says why as a code, and asks for an echo', () => {
    const { doc, guard } = server();
    const before = json(doc);
    const origin = clientOrigin(new TestConnection(NURSE));
    const outcome = guard.apply(clientUpdate(setDose('FORBIDDEN')), origin);
    expect(outcome.refusals).toEqual([
      { section: 'medications', key: 'dose', refusal: { code: 'medications.prescribers-only', params: {} } },
    ]);
    expect(origin).toMatchObject({ checked: true, sections: [], echo: true });
    expect(json(doc)).toBe(before);
  });

  it('keeps the allowed part of an update and reverts the rest', () => {
    const { doc, guard } = server();
    const origin = clientOrigin(new TestConnection(NURSE));
    const outcome = guard.apply(
      clientUpdate((d) => {
        sectionOf(d, 'goals').push([goal('Gå en tur', 'municipality')]);
        setDose('FORBIDDEN')(d);
      }),
      origin,
    );
    expect(outcome.refusals.map((r) => r.refusal.code)).toEqual(['medications.prescribers-only']);
    expect(origin).toMatchObject({ checked: true, sections: ['goals'], echo: true });
    expect(json(doc)).toContain('Gå en tur');
    expect(json(doc)).not.toContain('FORBIDDEN');
  });

  it('echoes a change the caller wrote to inside the transaction (a conflict flag)', () => {
    const { guard } = server();
    const origin = clientOrigin(new TestConnection(DOCTOR));
    guard.apply(clientUpdate(setDose('80 mg')), origin, () => true);
    expect(origin).toMatchObject({ checked: true, echo: true });
  });

  it('refuses the whole update, its allowed part too, when the check throws', () => {
    const { doc, guard } = server();
    const before = json(doc);
    const origin = clientOrigin(new TestConnection(DOCTOR));
    const outcome = guard.apply(
      clientUpdate((d) => {
        sectionOf(d, 'goals').push([goal('ALLOWED-BUT-FAULTED', 'hospital')]);
        metaOf(d).set('title', 'ALLOWED-TITLE-BUT-FAULTED');
      }),
      origin,
      () => {
        throw new Error('injected fault after the check');
      },
    );
    expect(outcome.failure?.message).toBe('injected fault after the check');
    expect(new Set(outcome.refusals.map((r) => r.refusal.code))).toEqual(new Set(['update.unchecked']));
    expect(origin).toMatchObject({ checked: true, sections: [], echo: true });
    expect(json(doc)).toBe(before);
  });

  it('leaves the origin unchecked when even the revert fails, so nothing of it is stored', () => {
    const { guard } = server();
    Y.UndoManager.prototype.undo = () => {
      throw new Error('injected fault in the revert');
    };
    const origin = clientOrigin(new TestConnection(NURSE));
    guard.apply(clientUpdate(setDose('REVERT-FAILED')), origin);
    expect(origin.checked).toBe(false);
  });

  it('refuses an update nested too deep before applying any of it, and closes nothing itself', () => {
    const { doc, guard } = server();
    const before = Y.encodeStateVector(doc);
    const origin = clientOrigin(new TestConnection(DOCTOR));
    const outcome = guard.apply(
      clientUpdate((d) => {
        let level = new Y.Map<unknown>();
        metaOf(d).set('title', level);
        for (let i = 0; i < 40; i++) {
          const next = new Y.Map<unknown>();
          level.set('k', next);
          level = next;
        }
      }),
      origin,
    );
    expect(outcome).toMatchObject({
      unapplied: true,
      refusals: [{ section: 'meta', key: null, refusal: { code: 'update.too-deep', params: { limit: 32 } } }],
    });
    expect(origin.checked).toBe(false);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('throws on an update it cannot decode, before changing anything', () => {
    const { doc, guard } = server();
    const before = Y.encodeStateVector(doc);
    expect(() => guard.apply(new Uint8Array([1, 2, 3]), clientOrigin(new TestConnection(DOCTOR)))).toThrow(
      MalformedMessage,
    );
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('keeps nothing of an update that builds on changes it lacks, and says so', () => {
    const { doc, guard } = server();
    const before = json(doc);
    // Another copy added a goal the server has not received; this update changes that goal.
    const ahead = new Y.Doc();
    Y.applyUpdate(ahead, planState());
    sectionOf(ahead, 'goals').push([goal('Ukendt mål', 'hospital')]);
    const origin: ClientOrigin = clientOrigin(new TestConnection(DOCTOR));
    const outcome = guard.apply(
      clientUpdate((d) => sectionOf(d, 'goals').get(0).set('target', 'Hjem'), Y.encodeStateAsUpdate(ahead)),
      origin,
    );
    expect(outcome).toEqual({ refusals: [], missing: true, unapplied: false, failure: null });
    expect(json(doc)).toBe(before);
    expect(doc.store.pendingStructs).toBeNull();
  });

  it('refuses the second of two new entries with one id in one update (attack 16, finding 1)', () => {
    const { doc, guard } = server();
    const id = crypto.randomUUID();
    const twin = (text: string) =>
      newEntry({ id, description: richText(text), status: 'proposed', sector: 'hospital' });
    const outcome = guard.apply(
      clientUpdate((d) => sectionOf(d, 'goals').push([twin('first-of-two'), twin('FORBIDDEN-TWIN')])),
      clientOrigin(new TestConnection(NURSE)),
    );
    expect(outcome.refusals.map((r) => r.refusal.code)).toEqual(['entry.id-taken']);
    expect(planToJson(doc).goals.filter((g) => g.id === id)).toHaveLength(1);
    expect(json(doc)).not.toContain('FORBIDDEN-TWIN');
  });

  it('lets an entry added, removed and added again under its id in one update stand once (undo and redo offline)', () => {
    const { doc, guard } = server();
    const id = crypto.randomUUID();
    const make = () => newEntry({ id, description: richText('Gå'), status: 'proposed', sector: 'hospital' });
    // Three changes kept apart offline (as stored updates are) and sent as one merged update.
    const tablet = new Y.Doc({ gc: false });
    Y.applyUpdate(tablet, planState());
    const updates: Uint8Array[] = [];
    tablet.on('update', (u: Uint8Array) => updates.push(u));
    const goals = sectionOf(tablet, 'goals');
    goals.push([make()]);
    goals.delete(goals.length - 1, 1);
    goals.push([make()]);
    const outcome = guard.apply(Y.mergeUpdates(updates), clientOrigin(new TestConnection(NURSE)));
    // The removed one is dead content (its keys went with it); the one added again stands.
    expect(outcome.refusals.map((r) => r.refusal.code)).not.toContain('entry.id-taken');
    expect(planToJson(doc).goals.filter((g) => g.id === id)).toHaveLength(1);
  });

  it('lets an entry whose removal stands come back under its id in the same update (a move, an undone removal)', () => {
    const { doc, guard } = server();
    const id = crypto.randomUUID();
    const first = clientUpdate((d) =>
      sectionOf(d, 'goals').push([
        newEntry({ id, description: richText('Gå'), status: 'proposed', sector: 'hospital' }),
      ]),
    );
    guard.apply(first, clientOrigin(new TestConnection(NURSE)));
    const base = Y.encodeStateAsUpdate(doc);
    const outcome = guard.apply(
      clientUpdate((d) => {
        const goals = sectionOf(d, 'goals');
        goals.delete(goals.length - 1, 1);
        goals.insert(0, [newEntry({ id, description: richText('Gå'), status: 'proposed', sector: 'hospital' })]);
      }, base),
      clientOrigin(new TestConnection(NURSE)),
    );
    expect(outcome.refusals).toEqual([]);
    expect(planToJson(doc).goals.filter((g) => g.id === id)).toHaveLength(1);
    expect(planToJson(doc).goals[0]?.id).toBe(id);
  });
});
