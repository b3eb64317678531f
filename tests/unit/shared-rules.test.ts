import { describe, expect, it } from 'vitest';
import { caretColour } from '../../shared/caret-colour.ts';
import { Interpretation, isCriticalFlag } from '../../shared/results.ts';
import { seededRandom } from '../../shared/seeded-random.ts';
import { isUuid } from '../../shared/uuid.ts';

/** The rules server and client share from shared/ (issue 15: one home for each rule). */
describe('shared rules', () => {
  it('isUuid: a UUID in either case, nothing else', () => {
    expect(isUuid('7d4f8a2c-1b3e-4c5d-9e6f-0a1b2c3d4e5f')).toBe(true);
    expect(isUuid('7D4F8A2C-1B3E-4C5D-9E6F-0A1B2C3D4E5F')).toBe(true);
    for (const v of [
      '',
      'plan-1',
      '7d4f8a2c-1b3e-4c5d-9e6f-0a1b2c3d4e5',
      ' 7d4f8a2c-1b3e-4c5d-9e6f-0a1b2c3d4e5f',
      null,
      undefined,
      42,
      {},
    ])
      expect(isUuid(v)).toBe(false);
  });

  it('isCriticalFlag: HH, LL and AA only', () => {
    expect(Interpretation.options.filter((f) => isCriticalFlag(f))).toEqual(['HH', 'LL', 'AA']);
    for (const v of [undefined, null, '', 'hh', 'X']) expect(isCriticalFlag(v)).toBe(false);
  });

  it('caretColour: stable, #rrggbb, readable as white label text (WCAG AA)', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5]
        .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const random = seededRandom(15);
    const ids = Array.from({ length: 200 }, () => random().toString(36).slice(2));
    const colours = new Set(ids.map(caretColour));
    expect(colours.size).toBeGreaterThan(4);
    for (const id of ids) expect(caretColour(id)).toBe(caretColour(id));
    for (const c of colours) {
      expect(c).toMatch(/^#[0-9a-f]{6}$/);
      expect(1.05 / (luminance(c) + 0.05)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('seededRandom: the same seed gives the same sequence in [0, 1)', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(seededRandom(8)()).not.toBe(xs[0]);
  });
});
