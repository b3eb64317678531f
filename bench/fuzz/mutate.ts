import type { Rng } from './prng.ts';

/** The bytes of a varint (lib0's encoding: 7 bits a byte, low bits first). */
export function varUint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** `payload` with its varint length in front (lib0's writeVarUint8Array). */
export function withLength(payload: Uint8Array): Uint8Array {
  return concat(varUint(payload.length), payload);
}

/** Varints that overflow, claim huge sizes, or never end. */
export const HUGE_VARINTS: readonly number[][] = [
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32 - 1
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // 2^56 - 1
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // beyond 2^64
  [0xff, 0xff, 0x7f], // 2 MiB
  [0x80, 0x80, 0x80], // never ends
];

/**
 * One to four random edits of `input`: bit flips, interesting bytes, inserted, removed or
 * duplicated ranges, truncation, a huge varint written over some bytes, or a splice with
 * `other`. Never returns `input` itself.
 */
export function mutate(rng: Rng, input: Uint8Array, other?: Uint8Array): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  const edits = rng.range(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(9)) {
      case 0:
        if (b.length > 0) b[at] = (b[at] as number) ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length > 0) b[at] = rng.pick([0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x09, 0x0a]);
        break;
      case 2:
        b = concat(b.subarray(0, at), rng.bytes(rng.range(1, 8)), b.subarray(at));
        break;
      case 3:
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.range(1, 16))));
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5: {
        const len = rng.range(1, 32);
        b = concat(b.subarray(0, at), b.subarray(at, at + len), b.subarray(at));
        break;
      }
      case 6: {
        const v = rng.pick(HUGE_VARINTS);
        b = concat(b.subarray(0, at), v, b.subarray(Math.min(b.length, at + rng.range(0, v.length))));
        break;
      }
      case 7:
        if (other && other.length > 0) b = concat(b.subarray(0, at), other.subarray(rng.int(other.length)));
        else if (b.length > 0) b[at] = rng.int(256);
        break;
      default:
        // Swap two bytes.
        if (b.length > 1) {
          const j = rng.int(b.length);
          const t = b[at] as number;
          b[at] = b[j] as number;
          b[j] = t;
        }
    }
  }
  if (b.length === input.length && b.every((x, i) => x === input[i])) return concat(b, [rng.int(256)]);
  return b;
}
