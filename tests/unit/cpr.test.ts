import { describe, expect, it } from 'vitest';
import { cprCentury, formatCpr, parseCpr, passesModulus11 } from '../../shared/cpr.ts';

describe('CPR numbers', () => {
  it('accepts DDMMYY-SSSS with and without the hyphen', () => {
    expect(parseCpr('120345-1237')).toMatchObject({ ok: true, cpr: '1203451237', birthDate: '1945-03-12' });
    expect(parseCpr('1203451237')).toMatchObject({ ok: true, cpr: '1203451237' });
  });

  it('takes the century from the 7th digit', () => {
    expect(cprCentury(45, 0)).toBe(1945);
    expect(cprCentury(10, 4)).toBe(2010);
    expect(cprCentury(40, 4)).toBe(1940);
    expect(cprCentury(10, 5)).toBe(2010);
    expect(cprCentury(60, 5)).toBe(1860);
    expect(cprCentury(30, 9)).toBe(2030);
    expect(cprCentury(80, 9)).toBe(1980);
    expect(parseCpr('0101104123')).toMatchObject({ ok: true, birthDate: '2010-01-01' });
  });

  it('rejects dates that do not exist', () => {
    expect(parseCpr('3102801234').ok).toBe(false); // 31 February
    expect(parseCpr('2902011234').ok).toBe(false); // 1901 was not a leap year
    expect(parseCpr('2902004234')).toMatchObject({ ok: true, birthDate: '2000-02-29' });
    expect(parseCpr('0013801234').ok).toBe(false);
  });

  it('never rejects a number for failing the modulus-11 check (issued without check digit since 2007)', () => {
    expect(passesModulus11('1203451238')).toBe(false);
    expect(parseCpr('1203451238').ok).toBe(true);
  });

  it('rejects other shapes, and accepts replacement numbers only when allowed', () => {
    for (const bad of ['', '12034-51237', '12034512', '120345 1237', 'abcdefghij'])
      expect(parseCpr(bad).ok).toBe(false);
    expect(parseCpr('120345-AB12').ok).toBe(false);
    expect(parseCpr('120345-AB12', { allowReplacement: true })).toMatchObject({
      ok: true,
      replacement: true,
      cpr: '120345AB12',
    });
    expect(formatCpr('1203451237')).toBe('120345-1237');
  });
});
