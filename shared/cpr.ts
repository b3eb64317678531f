/**
 * CPR numbers (the Danish civil registration number), following the CPR office's rules:
 * - written DDMMYY-SSSS, with or without the hyphen;
 * - the date must exist; the century comes from the 7th digit together with the year;
 * - the modulus-11 check is NOT a validity rule: numbers without a valid check digit have
 *   been issued since 2007, so a number failing it is still a CPR number;
 * - replacement numbers (eCPR) hold letters; they are valid only where the system has
 *   registered them, which the caller decides (see `parseCpr`'s `allowReplacement`).
 * Pure functions: shared by server and client.
 */
export type CprResult =
  | { ok: true; cpr: string; birthDate: string | null; replacement: boolean }
  | {
      ok: false;
      reason: string /** The rule it breaks, as a code the client words. */;
      code: 'cpr.shape' | 'cpr.date';
    };

const CPR_SHAPE = /^(\d{6})-?(\d{4})$/;
const ECPR_SHAPE = /^([0-9A-Z]{6})-?([0-9A-Z]{4})$/;

/** Full year from the two-digit year and the 7th digit (the CPR office's century table). */
export function cprCentury(yy: number, seventh: number): number {
  if (seventh <= 3) return 1900 + yy;
  if (seventh === 4 || seventh === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  // 5, 6, 7, 8
  return yy <= 57 ? 2000 + yy : 1800 + yy;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

/** Normalises to the ten characters without hyphen, or says why the input is not a CPR number. */
export function parseCpr(input: string, opts: { allowReplacement?: boolean } = {}): CprResult {
  const raw = input.trim().toUpperCase();
  const m = CPR_SHAPE.exec(raw);
  if (m) {
    const digits = `${m[1]}${m[2]}`;
    const day = Number(digits.slice(0, 2));
    const month = Number(digits.slice(2, 4));
    const yy = Number(digits.slice(4, 6));
    const year = cprCentury(yy, Number(digits[6]));
    if (!isRealDate(year, month, day))
      return { ok: false, reason: 'the date part of the CPR number does not exist', code: 'cpr.date' };
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    return { ok: true, cpr: digits, birthDate, replacement: false };
  }
  if (opts.allowReplacement && ECPR_SHAPE.test(raw) && /[A-Z]/.test(raw)) {
    return { ok: true, cpr: raw.replace('-', ''), birthDate: null, replacement: true };
  }
  return {
    ok: false,
    reason: 'a CPR number is ten digits, DDMMYY-SSSS, with or without the hyphen',
    code: 'cpr.shape',
  };
}

/** The modulus-11 check, for information only: failing it never makes a number invalid. */
export function passesModulus11(cpr: string): boolean {
  if (!/^\d{10}$/.test(cpr)) return false;
  const weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(cpr[i]) * (weights[i] as number);
  return sum % 11 === 0;
}

/** DDMMYY-XXXX for display to staff who may see the patient; never for URLs or logs. */
export function formatCpr(cpr: string): string {
  return `${cpr.slice(0, 6)}-${cpr.slice(6)}`;
}
