/** Small helpers for the trend charts: linear scales and readable tick values. */
export interface Domain {
  min: number;
  max: number;
}

/** A step of 1, 2, 2.5 or 5 times a power of ten, giving about `count` ticks over the span. */
function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** The values' domain widened to hold the reference limits, padded, and rounded to ticks. */
export function valueDomain(
  values: readonly number[],
  low: number | undefined,
  high: number | undefined,
): Domain & { ticks: number[] } {
  const all = [...values, ...(low !== undefined ? [low] : []), ...(high !== undefined ? [high] : [])];
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (min === max) {
    const d = Math.abs(min) * 0.1 || 1;
    min -= d;
    max += d;
  }
  const pad = (max - min) * 0.08;
  const step = niceStep(max - min + 2 * pad, 4);
  const lo = Math.floor((min - pad) / step) * step;
  const hi = Math.ceil((max + pad) / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Number(v.toPrecision(10)));
  // Values never go below zero in a lab trend, unless they do.
  const floor = min >= 0 && lo < 0 ? 0 : lo;
  return { min: floor, max: hi, ticks: ticks.filter((v) => v >= floor) };
}

export function timeDomain(times: readonly number[]): Domain {
  const min = Math.min(...times);
  const max = Math.max(...times);
  if (min === max) return { min: min - 12 * 3600_000, max: max + 12 * 3600_000 };
  return { min, max };
}

/** Maps a domain onto pixels [from, to] (to < from for the y axis). */
export function scale(domain: Domain, from: number, to: number): (v: number) => number {
  const span = domain.max - domain.min || 1;
  return (v) => from + ((v - domain.min) / span) * (to - from);
}
