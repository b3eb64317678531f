import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cprCentury, parseCpr } from '../../shared/cpr.ts';
import { containsCprNumber, findCprNumbers, redactCprNumbers } from '../../shared/cpr-in-text.ts';

/** A valid CPR number (the date exists in the century its 7th digit gives), as ten digits. */
const validCpr = fc
  .record({
    day: fc.integer({ min: 1, max: 31 }),
    month: fc.integer({ min: 1, max: 12 }),
    yy: fc.integer({ min: 0, max: 99 }),
    seventh: fc.integer({ min: 0, max: 9 }),
    rest: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ day, month, yy, seventh, rest }) => {
    const year = cprCentury(yy, seventh);
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const two = (n: number) => String(n).padStart(2, '0');
    return `${two(Math.min(day, last))}${two(month)}${two(yy)}${seventh}${rest.join('')}`;
  });

/** What may sit between two digits of a disguised CPR number. */
const separator = fc.constantFrom(
  '',
  '',
  ' ',
  '  ',
  '-',
  '.',
  '/',
  ',',
  ':',
  '_',
  '\t',
  '\n',
  '\u00a0',
  '\u2009',
  '\u200b',
  '\u2013',
  '(',
  ')',
  '*',
  '+',
  '#',
  ' - ',
  '. ',
);

/** Digits as they may be typed: ASCII, full-width, mathematical bold, or Arabic-Indic (read as any digit). */
const digitForm = fc.constantFrom<(d: number) => string>(
  (d) => String(d),
  (d) => String(d),
  (d) => String.fromCodePoint(0xff10 + d),
  (d) => String.fromCodePoint(0x1d7ce + d),
  (d) => String.fromCodePoint(0x0660 + d),
);

const disguised = validCpr.chain((cpr) =>
  fc
    .tuple(fc.array(separator, { minLength: 9, maxLength: 9 }), fc.array(digitForm, { minLength: 10, maxLength: 10 }))
    .map(([seps, forms]) => ({ cpr, text: [...cpr].map((d, i) => forms[i]!(Number(d)) + (seps[i] ?? '')).join('') })),
);

const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });

describe('finding CPR numbers in free text', () => {
  it('finds the spaced and punctuated forms the old filter missed', () => {
    for (const text of [
      'Patient 070452 1228 bevidstløs',
      'cpr 0704 52-1228',
      '07.04.52-1228 fundet på gaden',
      '07/04/52 12 28',
      '0 7 0 4 5 2 1 2 2 8',
      'nr. ０７０４５２－１２２８',
      'id:0704521228.',
      'x0704521228y',
      '070452\u200b1228',
      '12 0704521228 34',
    ]) {
      expect(containsCprNumber(text), text).toBe(true);
    }
  });

  it('leaves text without ten digits forming a date alone', () => {
    for (const text of [
      'Bevidstløs i skadestuen, behov for medicinliste',
      'fik 2 mg kl. 14:30 og 5 mg kl. 16:45',
      'tlf. 12 34 56 78',
      'født 07.04.52',
      '3102801234', // 31 February
      '0013801234', // month 13 does not exist
      'BT 140/90, puls 88, temp 38,5',
      '070452 og 1228', // a word ends the run
    ]) {
      expect(containsCprNumber(text), text).toBe(false);
    }
  });

  it('redacts every find and nothing else', () => {
    expect(redactCprNumbers('Pt 070452 1228, BT 140/90')).toBe('Pt [CPR], BT 140/90');
    expect(redactCprNumbers('a 0704521228 b 120345-1237 c')).toBe('a [CPR] b [CPR] c');
    expect(redactCprNumbers('ingen her')).toBe('ingen her');
  });

  it('property: any valid CPR number, with any separators and digit forms, inside any text, is found', () => {
    fc.assert(
      fc.property(disguised, anyText, anyText, ({ cpr, text }, before, after) => {
        expect(parseCpr(cpr).ok).toBe(true);
        const whole = `${before}${text}${after}`;
        const spans = findCprNumbers(whole);
        expect(spans.length).toBeGreaterThan(0);
        // The find covers the disguised number itself.
        const start = before.length;
        const end = start + text.length;
        expect(spans.some((s) => s.start <= start + 2 && s.end >= end - 2 && s.start < end && s.end > start)).toBe(
          true,
        );
        // Redacted, nothing is left to find.
        expect(containsCprNumber(redactCprNumbers(whole))).toBe(false);
      }),
      { numRuns: 2000, seed: 1401 },
    );
  });

  it('property: redaction removes every find from any text', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '.', 'a'),
          maxLength: 60,
        }),
        (text) => {
          expect(containsCprNumber(redactCprNumbers(text))).toBe(false);
        },
      ),
      { numRuns: 2000, seed: 1402 },
    );
  });
});
