import type { Random } from './random.js';

/** Values at the edges where length and index checks go wrong. */
const INTERESTING_8 = [0, 1, 0x7f, 0x80, 0xff, 0x40, 0x20, 0x10];
const INTERESTING_16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x100, 0x200, 0x5dc, 0x5ea, 0x1000, 0xfff];
const INTERESTING_32 = [
  0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xffff, 0x100000, 0x3fffff, 0x400000,
];

/** The largest input a mutation makes; targets read what they need from the front. */
export const MAX_INPUT = 16384;

/**
 * One to four mutations of `input`, chosen the way AFL's havoc stage does:
 * bit flips, edge values as 8/16/32-bit little- and big-endian words (where
 * header fields and register values live), block copies, inserts, deletes and
 * splices with another corpus entry.
 */
export function mutate(input: Uint8Array, corpus: readonly Uint8Array[], r: Random): Uint8Array {
  let out: Uint8Array = input.length ? input.slice() : new Uint8Array([0]);
  const rounds = 1 + r.below(4);
  for (let i = 0; i < rounds; i++) out = mutateOnce(out, corpus, r);
  return out.length > MAX_INPUT ? out.subarray(0, MAX_INPUT) : out;
}

function mutateOnce(b: Uint8Array, corpus: readonly Uint8Array[], r: Random): Uint8Array {
  const at = r.below(b.length);
  switch (r.below(10)) {
    case 0:
      b[at] ^= 1 << r.below(8);
      return b;
    case 1:
      b[at] = r.pick(INTERESTING_8);
      return b;
    case 2:
      put(b, at, r.pick(INTERESTING_16), 2, r.below(2) === 0);
      return b;
    case 3:
      put(b, at, r.pick(INTERESTING_32), 4, r.below(2) === 0);
      return b;
    case 4:
      b[at] = (b[at]! + 1 + r.below(35) * (r.below(2) ? 1 : -1)) & 0xff;
      return b;
    case 5:
      b[at] = r.u32() & 0xff;
      return b;
    case 6: {
      // Copy a block within the input.
      const len = 1 + r.below(Math.min(64, b.length));
      const from = r.below(b.length - len + 1);
      b.copyWithin(r.below(b.length - len + 1), from, from + len);
      return b;
    }
    case 7: {
      // Delete a block.
      if (b.length < 2) return b;
      const len = 1 + r.below(Math.min(64, b.length - 1));
      const from = Math.min(at, b.length - len);
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, from));
      out.set(b.subarray(from + len), from);
      return out;
    }
    case 8: {
      // Insert random or repeated bytes.
      const len = 1 + r.below(64);
      const out = new Uint8Array(b.length + len);
      out.set(b.subarray(0, at));
      const fill = r.below(2) ? b[at]! : -1;
      for (let i = 0; i < len; i++) out[at + i] = fill >= 0 ? fill : r.u32() & 0xff;
      out.set(b.subarray(at), at + len);
      return out;
    }
    default: {
      // Splice: this input's front, another's back.
      const other = corpus.length ? r.pick(corpus) : b;
      const cut = r.below(Math.min(b.length, other.length) + 1);
      const out = new Uint8Array(cut + Math.max(0, other.length - cut));
      out.set(b.subarray(0, cut));
      out.set(other.subarray(cut), cut);
      return out.length ? out : b;
    }
  }
}

function put(b: Uint8Array, at: number, value: number, size: number, bigEndian: boolean): void {
  for (let i = 0; i < size && at + i < b.length; i++) {
    const shift = bigEndian ? (size - 1 - i) * 8 : i * 8;
    b[at + i] = (value >>> shift) & 0xff;
  }
}
