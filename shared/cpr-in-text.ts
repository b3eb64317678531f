/**
 * Finding CPR numbers inside free text (break-the-glass reasons, an administrator's reasons,
 * notification texts) before it reaches the audit log or a notification.
 *
 * A filter that knows only `DDMMYY-SSSS` is walked around by spacing ("070452 1228",
 * "0704 52-1228", "07.04.52-1228"), other separators or full-width digits. So this looks at
 * the digits alone: any ten digits in a row, with anything but letters between them
 * (whitespace, punctuation, symbols, invisible characters), whose first six form a date
 * DDMMYY, count as a CPR number. Digits are read after Unicode compatibility normalisation
 * (full-width, superscript and circled digits are digits); a decimal digit whose value cannot
 * be read that way (another script's digits) counts as any digit. This errs towards finding
 * too much: a time next to a date ("12:05 03.12.24 10") can look like one, and the writer is
 * asked to rephrase. Pure: shared by server and client.
 */

/** Where a possible CPR number sits in the text (UTF-16 offsets, end exclusive). */
export interface CprSpan {
  start: number;
  end: number;
}

interface DigitToken {
  /** NaN: a decimal digit of another script, read as any digit. */
  value: number;
  start: number;
  end: number;
}

const LETTER = /\p{L}/u;
const DECIMAL = /\p{Nd}/u;
const ASCII_DIGIT = /[0-9]/;

/**
 * The text's digits, in runs: a letter ends a run, anything else between two digits (spaces,
 * punctuation, symbols, invisible characters) does not.
 */
function digitRuns(text: string): DigitToken[][] {
  const runs: DigitToken[][] = [];
  let run: DigitToken[] = [];
  let offset = 0;
  for (const ch of text) {
    const start = offset;
    offset += ch.length;
    const normal = ch.normalize('NFKC');
    let letter = false;
    for (const c of normal) {
      if (ASCII_DIGIT.test(c)) run.push({ value: Number(c), start, end: offset });
      else if (DECIMAL.test(c)) run.push({ value: Number.NaN, start, end: offset });
      else if (LETTER.test(c)) letter = true;
    }
    if (letter) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Whether six digits can be a DDMMYY date in some century (an unreadable digit fits anything). */
function couldBeDate(d: number[]): boolean {
  if (d.some(Number.isNaN)) return true;
  const [d1, d2, m1, m2, y1, y2] = d as [number, number, number, number, number, number];
  const day = d1 * 10 + d2;
  const month = m1 * 10 + m2;
  const yy = y1 * 10 + y2;
  if (month < 1 || month > 12 || day < 1) return false;
  // 29 February fits any year divisible by four (2000 was a leap year; 1900 was not, but a
  // CPR number's century comes from its 7th digit, and finding too much is the safe side).
  const days = month === 2 ? (yy % 4 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

/** Every place in `text` that could hold a CPR number; overlapping finds are merged. */
export function findCprNumbers(text: string): CprSpan[] {
  const spans: CprSpan[] = [];
  for (const run of digitRuns(text)) {
    for (let i = 0; i + 10 <= run.length; i++) {
      if (!couldBeDate(run.slice(i, i + 6).map((t) => t.value))) continue;
      const span = { start: run[i]!.start, end: run[i + 9]!.end };
      const last = spans[spans.length - 1];
      if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
      else spans.push(span);
    }
  }
  return spans;
}

export function containsCprNumber(text: string): boolean {
  return findCprNumbers(text).length > 0;
}

/** The text with every possible CPR number replaced by `mask`. */
export function redactCprNumbers(text: string, mask = '[CPR]'): string {
  let out = '';
  let at = 0;
  for (const span of findCprNumbers(text)) {
    out += text.slice(at, span.start) + mask;
    at = span.end;
  }
  return out + text.slice(at);
}
