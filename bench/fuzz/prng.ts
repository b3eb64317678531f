import { seededRandom } from '../../shared/seeded-random.ts';

/**
 * A small seeded PRNG (shared/seeded-random.ts, mulberry32) and helpers: the same seed gives the same frames, so a
 * failure found with `--seed N` replays.
 */
export class Rng {
  private readonly draw: () => number;

  constructor(readonly seed: number) {
    this.draw = seededRandom(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    const total = table.reduce((n, [w]) => n + w, 0);
    let r = this.next() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return (table.at(-1) as readonly [number, T])[1];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  /** A uint32, e.g. for a Yjs client id. */
  uint32(): number {
    return (this.int(0x10000) * 0x10000 + this.int(0x10000)) >>> 0;
  }

  /** A UUID-shaped string from this stream (not a random UUID: replays with the seed). */
  uuid(): string {
    const h = Array.from(this.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A child stream: lets parallel workers draw without disturbing each other's sequence. */
  fork(salt: number): Rng {
    return new Rng((Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(salt + 1, 0xc2b2ae35)) >>> 0);
  }
}

/** Strings that break naive parsers: control characters, surrogates, escapes, huge and empty. */
export function nastyString(rng: Rng): string {
  return rng.pick<() => string>([
    () => '',
    () => ' ',
    () => '\u0000',
    () => 'null',
    () => '../../etc/passwd',
    () => '%00%ff%E0%A4%A',
    () => '\ud800',
    () => '\u202e\u0000\uffff',
    () => '<script>alert(1)</script>',
    () => "' OR 1=1 --",
    () => '{"__proto__":{"polluted":true}}',
    () => 'x'.repeat(rng.pick([255, 256, 1025, 70_000])),
    () => '🙂'.repeat(rng.range(1, 50)),
    () => String(rng.uint32()),
    () => Array.from(rng.bytes(rng.range(1, 40)), (b) => String.fromCharCode(b)).join(''),
  ])();
}

/** A random JSON value, nested at most `depth` deep. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const leaf = (): unknown =>
    rng.pick<() => unknown>([
      () => null,
      () => true,
      () => false,
      () => 0,
      () => -1,
      () => 1e308,
      () => -0.5,
      () => Number.MAX_SAFE_INTEGER + 2,
      () => rng.uint32(),
      () => nastyString(rng),
      () => rng.uuid(),
      () => new Date(rng.int(2 ** 42)).toISOString(),
    ])();
  if (depth <= 0 || rng.chance(0.4)) return leaf();
  if (rng.chance(0.5)) return Array.from({ length: rng.int(6) }, () => randomJson(rng, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = rng.int(6); i > 0; i--)
    o[
      rng.chance(0.5)
        ? nastyString(rng).slice(0, 40)
        : rng.pick(['id', 'planId', 'type', 'constructor', '__proto__', 'toString'])
    ] = randomJson(rng, depth - 1);
  return o;
}

/** encodeURIComponent that does not throw on lone surrogates (they become U+FFFD). */
export function encodePart(s: string): string {
  return encodeURIComponent(
    s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}
