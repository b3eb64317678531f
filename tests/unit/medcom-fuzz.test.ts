import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MALFORMED_CODES, parseMedcomMessage, REFUSED_CODES, type ParseResult } from '../../server/medcom/index.ts';
import { BRUNO_CPR, FIXTURES, load } from '../fixtures/medcom-messages.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- random JSON */

/**
 * No input makes the parser throw or fail inside (`internal-error`): arbitrary values, and
 * MedCom's examples bent at random places (elements deleted, replaced by random JSON,
 * duplicated, moved). Whatever comes out is a message or a refusal of a known code, and no
 * refusal repeats the CPR number.
 */

const KINDS = new Set(['hospital-notification', 'care-communication', 'home-care-observation', 'acknowledgement']);

function checkOutcome(r: ParseResult): void {
  if (r.kind === 'malformed') {
    expect(MALFORMED_CODES).toContain(r.code);
    expect(r.message).toBeNull();
  } else if (r.kind === 'refused') {
    expect(REFUSED_CODES).toContain(r.code);
    expect(r.code, r.diagnostics).not.toBe('internal-error');
    expect(typeof r.message.messageId).toBe('string');
  } else {
    expect(KINDS.has(r.kind)).toBe(true);
    expect(typeof r.messageId).toBe('string');
    expect(typeof r.sender.sor).toBe('string');
    expect(typeof r.receiver.sor).toBe('string');
  }
  if (r.kind === 'malformed' || r.kind === 'refused') {
    expect(typeof r.diagnostics).toBe('string');
    expect(r.diagnostics).not.toContain(BRUNO_CPR);
  }
  // The outcome is plain data the intake can store and send.
  expect(() => JSON.stringify(r)).not.toThrow();
}

type Path = (string | number)[];

/** Every path in the value; narratives and attachment content left out (large, never decisive). */
function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...at, i]);
      paths(v, [...at, i], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'div' || k === 'data') continue;
      out.push([...at, k]);
      paths(v, [...at, k], out);
    }
  }
  return out;
}

function parentOf(root: any, path: Path): { parent: any; key: string | number } | null {
  let node = root;
  for (const k of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return null;
    node = node[k];
  }
  return node !== null && typeof node === 'object'
    ? { parent: node, key: path[path.length - 1] as string | number }
    : null;
}

const Mutation = fc.record({
  at: fc.nat(),
  action: fc.constantFrom('delete', 'replace', 'duplicate', 'empty', 'swap'),
  value: fc.jsonValue({ maxDepth: 3 }),
  other: fc.nat(),
});

function mutate(root: any, mutations: { at: number; action: string; value: unknown; other: number }[]): any {
  for (const m of mutations) {
    const all = paths(root);
    if (all.length === 0) return root;
    const path = all[m.at % all.length] as Path;
    const place = parentOf(root, path);
    if (!place) continue;
    const { parent, key } = place as { parent: any; key: any };
    if (m.action === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.action === 'replace') parent[key] = m.value;
    else if (m.action === 'empty')
      parent[key] = Array.isArray(parent[key]) ? [] : typeof parent[key] === 'string' ? '' : {};
    else if (m.action === 'duplicate' && Array.isArray(parent)) parent.push(structuredClone(parent[key]));
    else if (m.action === 'swap' && Array.isArray(parent) && parent.length > 1) {
      const j = m.other % parent.length;
      [parent[key as number], parent[j]] = [parent[j], parent[key as number]];
    }
  }
  return root;
}

const fixtures = FIXTURES.map((f) => load(f));

describe('the MedCom parser on random input', () => {
  it('never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => checkOutcome(parseMedcomMessage(value))),
      { numRuns: 400 },
    );
  });

  it('never throws on random JSON shaped like a message', () => {
    const shaped = fc.record({
      resourceType: fc.constantFrom('Bundle', 'Patient'),
      type: fc.constantFrom('message', 'collection'),
      entry: fc.array(fc.record({ fullUrl: fc.string(), resource: fc.jsonValue({ maxDepth: 3 }) }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(shaped, (value) => checkOutcome(parseMedcomMessage(value))),
      { numRuns: 300 },
    );
  });

  it('never throws on MedCom examples bent at random places', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: fixtures.length - 1 }),
        fc.array(Mutation, { minLength: 1, maxLength: 4 }),
        (i, mutations) => {
          const bent = mutate(structuredClone(fixtures[i]), mutations);
          checkOutcome(parseMedcomMessage(bent));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('never throws when the parts CareHub reads are bent (header, patient, provenance, content)', () => {
    const read = new Set([
      'MessageHeader',
      'Patient',
      'Provenance',
      'Encounter',
      'Communication',
      'Observation',
      'DiagnosticReport',
      'Organization',
      'PractitionerRole',
    ]);
    fc.assert(
      fc.property(
        fc.nat({ max: fixtures.length - 1 }),
        fc.nat(),
        fc.array(Mutation, { minLength: 1, maxLength: 3 }),
        (i, pick, mutations) => {
          const bundle = structuredClone(fixtures[i]) as any;
          const candidates = bundle.entry.filter((e: any) => read.has(e.resource?.resourceType));
          const target = candidates[pick % candidates.length];
          mutate(target.resource, mutations);
          checkOutcome(parseMedcomMessage(bundle));
        },
      ),
      { numRuns: 600 },
    );
  });
});
