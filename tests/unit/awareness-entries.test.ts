import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import {
  type AwarenessEntry,
  applyAwarenessEntries,
  encodeAwarenessUpdate,
} from '../../server/collab/awareness-stamp.ts';

/** Everything an Awareness shows of itself: states, clocks, and the events it emitted. */
function observed(apply: (a: Awareness, entries: AwarenessEntry[]) => void, batches: AwarenessEntry[][]) {
  const doc = new Y.Doc();
  // The same id for the room's own (empty) state in both, as in a room.
  doc.clientID = 1000;
  const a = new Awareness(doc);
  a.setLocalState(null);
  const events: unknown[] = [];
  a.on('change', (e: unknown) => events.push(['change', e]));
  a.on('update', (e: unknown) => events.push(['update', e]));
  for (const entries of batches) apply(a, entries);
  const result = {
    states: [...a.getStates()].sort((x, y) => x[0] - y[0]),
    clocks: [...a.meta].map(([id, m]) => [id, m.clock]).sort((x, y) => (x[0] as number) - (y[0] as number)),
    events,
  };
  a.destroy();
  return result;
}

const entry = fc.record({
  clientId: fc.integer({ min: 1, max: 4 }),
  clock: fc.integer({ min: 0, max: 6 }),
  state: fc.option(
    fc.record({ cursor: fc.option(fc.record({ anchor: fc.nat(9), head: fc.nat(9) })), user: fc.constant({ id: 'u' }) }),
    { nil: null },
  ),
}) as fc.Arbitrary<AwarenessEntry>;

describe("a room's awareness fed decoded entries", () => {
  it('ends in the same states and clocks, with the same events, as y-protocols applying the encoded update', () => {
    fc.assert(
      fc.property(fc.array(fc.array(entry, { minLength: 1, maxLength: 4 }), { maxLength: 12 }), (batches) => {
        const viaUpdate = observed((a, e) => applyAwarenessUpdate(a, encodeAwarenessUpdate(e), 'origin'), batches);
        const viaEntries = observed((a, e) => applyAwarenessEntries(a, e, 'origin'), batches);
        expect(viaEntries).toEqual(viaUpdate);
      }),
      { numRuns: 500 },
    );
  });
});
