import { type SimdState, TMP } from './state.js';

/**
 * Integer SIMD operations, MMX (n = 8 bytes) and SSE2 (n = 16) alike:
 * `d` is the destination (also the first source) and `a` the second source,
 * both byte offsets into the SIMD buffer. Lane-wise operations work in place,
 * since each lane reads its own sources before writing; the ones that move
 * data across lanes build the result in TMP first.
 */
export type IntOp = (s: SimdState, d: number, a: number, n: number) => void;

function sat8(v: number): number {
  return v > 127 ? 127 : Math.max(v, -128);
}

function sat16(v: number): number {
  return v > 32767 ? 32767 : Math.max(v, -32768);
}

function satU8(v: number): number {
  return v > 255 ? 255 : Math.max(v, 0);
}

function satU16(v: number): number {
  return v > 65535 ? 65535 : Math.max(v, 0);
}

/** A lane-wise operation on bytes, words or dwords, signed or unsigned views. */
function lanes8(f: (x: number, y: number) => number, signed: boolean): IntOp {
  return (s, d, a, n) => {
    const v = signed ? s.i8 : s.u8;
    for (let k = 0; k < n; k++) s.u8[d + k] = f(v[d + k]!, v[a + k]!);
  };
}

function lanes16(f: (x: number, y: number) => number, signed: boolean): IntOp {
  return (s, d, a, n) => {
    const v = signed ? s.i16 : s.u16;
    const dd = d >> 1;
    const aa = a >> 1;
    for (let k = 0; k < n >> 1; k++) s.u16[dd + k] = f(v[dd + k]!, v[aa + k]!);
  };
}

function lanes32(f: (x: number, y: number) => number): IntOp {
  return (s, d, a, n) => {
    const v = s.i32;
    const dd = d >> 2;
    const aa = a >> 2;
    for (let k = 0; k < n >> 2; k++) v[dd + k] = f(v[dd + k]!, v[aa + k]!);
  };
}

/** 64-bit lanes as dword pairs: add or subtract with the carry between them. */
function lanes64(sub: boolean): IntOp {
  return (s, d, a, n) => {
    const u = s.u32;
    for (let k = 0; k < n >> 2; k += 2) {
      const dl = (d >> 2) + k;
      const al = (a >> 2) + k;
      const x = u[dl]!;
      const y = u[al]!;
      const lo = sub ? x - y : x + y;
      const carry = lo < 0 ? -1 : lo > 0xffffffff ? 1 : 0;
      u[dl] = lo;
      u[dl + 1] = sub ? u[dl + 1]! - u[al + 1]! + carry : u[dl + 1]! + u[al + 1]! + carry;
    }
  };
}

export const paddb = lanes8((x, y) => x + y, false);
export const paddw = lanes16((x, y) => x + y, false);
export const paddd = lanes32((x, y) => x + y);
export const paddq = lanes64(false);
export const psubb = lanes8((x, y) => x - y, false);
export const psubw = lanes16((x, y) => x - y, false);
export const psubd = lanes32((x, y) => x - y);
export const psubq = lanes64(true);
export const paddsb = lanes8((x, y) => sat8(x + y), true);
export const paddsw = lanes16((x, y) => sat16(x + y), true);
export const psubsb = lanes8((x, y) => sat8(x - y), true);
export const psubsw = lanes16((x, y) => sat16(x - y), true);
export const paddusb = lanes8((x, y) => satU8(x + y), false);
export const paddusw = lanes16((x, y) => satU16(x + y), false);
export const psubusb = lanes8((x, y) => satU8(x - y), false);
export const psubusw = lanes16((x, y) => satU16(x - y), false);
export const pcmpeqb = lanes8((x, y) => (x === y ? 0xff : 0), false);
export const pcmpeqw = lanes16((x, y) => (x === y ? 0xffff : 0), false);
export const pcmpeqd = lanes32((x, y) => (x === y ? -1 : 0));
export const pcmpgtb = lanes8((x, y) => (x > y ? 0xff : 0), true);
export const pcmpgtw = lanes16((x, y) => (x > y ? 0xffff : 0), true);
export const pcmpgtd = lanes32((x, y) => (x > y ? -1 : 0));
export const pminub = lanes8((x, y) => Math.min(x, y), false);
export const pmaxub = lanes8((x, y) => Math.max(x, y), false);
export const pminsw = lanes16((x, y) => Math.min(x, y), true);
export const pmaxsw = lanes16((x, y) => Math.max(x, y), true);
export const pavgb = lanes8((x, y) => (x + y + 1) >> 1, false);
export const pavgw = lanes16((x, y) => (x + y + 1) >> 1, false);
export const pmullw = lanes16((x, y) => Math.imul(x, y), true);
export const pmulhw = lanes16((x, y) => Math.imul(x, y) >> 16, true);
export const pmulhuw = lanes16((x, y) => (x * y) >>> 16, false);
export const pand = lanes32((x, y) => x & y);
export const pandn = lanes32((x, y) => ~x & y);
export const por = lanes32((x, y) => x | y);
export const pxor = lanes32((x, y) => x ^ y);

/** PMADDWD: pairs of signed word products summed into dwords (0x80008000 squared twice wraps to 80000000h). */
export const pmaddwd: IntOp = (s, d, a, n) => {
  const w = s.i16;
  for (let k = 0; k < n >> 2; k++) {
    const dw = (d >> 1) + 2 * k;
    const aw = (a >> 1) + 2 * k;
    const sum = w[dw]! * w[aw]! + w[dw + 1]! * w[aw + 1]!;
    s.i32[(d >> 2) + k] = sum | 0;
  }
};

/** PMULUDQ: the low dword of each quadword, unsigned, multiplied into the whole quadword. */
export const pmuludq: IntOp = (s, d, a, n) => {
  const u = s.u32;
  for (let k = 0; k < n >> 2; k += 2) {
    const x = u[(d >> 2) + k]!;
    const y = u[(a >> 2) + k]!;
    const xl = x & 0xffff;
    const xh = x >>> 16;
    const yl = y & 0xffff;
    const yh = y >>> 16;
    const ll = xl * yl;
    const mid = xh * yl + xl * yh + (ll >>> 16);
    const lo = ((mid & 0xffff) << 16) | (ll & 0xffff);
    const hi = xh * yh + Math.floor(mid / 65536);
    u[(d >> 2) + k] = lo;
    u[(d >> 2) + k + 1] = hi;
  }
};

/** PSADBW: per quadword, the sum of absolute byte differences in the low word, zeros above. */
export const psadbw: IntOp = (s, d, a, n) => {
  for (let q = 0; q < n; q += 8) {
    let sum = 0;
    for (let k = 0; k < 8; k++) sum += Math.abs(s.u8[d + q + k]! - s.u8[a + q + k]!);
    s.u32[(d + q) >> 2] = sum;
    s.u32[((d + q) >> 2) + 1] = 0;
  }
};

function finish(s: SimdState, d: number, n: number): void {
  for (let k = 0; k < n >> 2; k++) s.u32[(d >> 2) + k] = s.u32[(TMP >> 2) + k]!;
}

/** PUNPCKLxx and PUNPCKHxx: interleave the low (or high) halves' lanes of size `w` bytes. */
function unpack(w: number, high: boolean): IntOp {
  return (s, d, a, n) => {
    const half = n >> 1;
    const from = high ? half : 0;
    const u8 = s.u8;
    for (let k = 0; k < half; k += w) {
      for (let b = 0; b < w; b++) {
        u8[TMP + 2 * k + b] = u8[d + from + k + b]!;
        u8[TMP + 2 * k + w + b] = u8[a + from + k + b]!;
      }
    }
    finish(s, d, n);
  };
}

export const punpcklbw = unpack(1, false);
export const punpcklwd = unpack(2, false);
export const punpckldq = unpack(4, false);
export const punpcklqdq = unpack(8, false);
export const punpckhbw = unpack(1, true);
export const punpckhwd = unpack(2, true);
export const punpckhdq = unpack(4, true);
export const punpckhqdq = unpack(8, true);

/** PACKSSWB, PACKUSWB: words of d then of a, saturated to bytes. */
function packWords(sat: (v: number) => number): IntOp {
  return (s, d, a, n) => {
    const lanes = n >> 1;
    for (let k = 0; k < lanes; k++) s.u8[TMP + k] = sat(s.i16[(d >> 1) + k]!);
    for (let k = 0; k < lanes; k++) s.u8[TMP + lanes + k] = sat(s.i16[(a >> 1) + k]!);
    finish(s, d, n);
  };
}

export const packsswb = packWords(sat8);
export const packuswb = packWords(satU8);

/** PACKSSDW: dwords of d then of a, saturated to signed words. */
export const packssdw: IntOp = (s, d, a, n) => {
  const lanes = n >> 2;
  for (let k = 0; k < lanes; k++) s.u16[(TMP >> 1) + k] = sat16(s.i32[(d >> 2) + k]!);
  for (let k = 0; k < lanes; k++) s.u16[(TMP >> 1) + lanes + k] = sat16(s.i32[(a >> 2) + k]!);
  finish(s, d, n);
};

/**
 * Shifts of every lane of `w` bytes by `count` (the whole 64-bit count of a
 * register operand, or an imm8): counts past the lane width give zero, or
 * the sign for arithmetic right shifts.
 */
export function shift(
  s: SimdState,
  d: number,
  n: number,
  w: number,
  kind: number,
  countLo: number,
  countHi: number,
): void {
  const bits = w * 8;
  const big = countHi !== 0 || countLo >>> 0 >= bits;
  const c = countLo >>> 0;
  if (w === 8) {
    const u = s.u32;
    for (let k = d >> 2; k < (d + n) >> 2; k += 2) {
      if (big) {
        u[k] = 0;
        u[k + 1] = 0;
      } else if (c === 0) {
      } else if (kind === SHIFT_LEFT) {
        if (c >= 32) {
          u[k + 1] = u[k]! << (c - 32);
          u[k] = 0;
        } else {
          u[k + 1] = (u[k + 1]! << c) | (u[k]! >>> (32 - c));
          u[k] = u[k]! << c;
        }
      } else if (c >= 32) {
        u[k] = u[k + 1]! >>> (c - 32);
        u[k + 1] = 0;
      } else {
        u[k] = (u[k]! >>> c) | (u[k + 1]! << (32 - c));
        u[k + 1] = u[k + 1]! >>> c;
      }
    }
    return;
  }
  const lanes = n / w;
  const base = d / w;
  const v = w === 2 ? (kind === SHIFT_ARITH ? s.i16 : s.u16) : kind === SHIFT_ARITH ? s.i32 : s.u32;
  for (let k = base; k < base + lanes; k++) {
    const x = v[k]!;
    if (kind === SHIFT_ARITH) v[k] = x >> (big ? bits - 1 : c);
    else if (big) v[k] = 0;
    else v[k] = kind === SHIFT_LEFT ? x << c : x >>> c;
  }
}

export const SHIFT_RIGHT = 0;
export const SHIFT_ARITH = 1;
export const SHIFT_LEFT = 2;

/** PSRLDQ/PSLLDQ: the whole register by `count` bytes (16 and up: zero). */
export function shiftBytes(s: SimdState, d: number, count: number, left: boolean): void {
  const u8 = s.u8;
  for (let k = 0; k < 16; k++) {
    const from = left ? k - count : k + count;
    u8[TMP + k] = from >= 0 && from < 16 ? u8[d + from]! : 0;
  }
  finish(s, d, 16);
}

/** PSHUFD (and PSHUFW, n = 8, on words): lane k of d takes lane imm[2k+1:2k] of a. */
export function pshufd(s: SimdState, d: number, a: number, imm: number): void {
  for (let k = 0; k < 4; k++) s.u32[(TMP >> 2) + k] = s.u32[(a >> 2) + ((imm >> (2 * k)) & 3)]!;
  finish(s, d, 16);
}

/** PSHUFW, PSHUFLW (offset 0) and PSHUFHW (offset 8): four words from the same four of a. */
export function pshufw(s: SimdState, d: number, a: number, imm: number, at: number, n: number): void {
  for (let k = 0; k < n >> 2; k++) s.u32[(TMP >> 2) + k] = s.u32[(a >> 2) + k]!;
  for (let k = 0; k < 4; k++) s.u16[((TMP + at) >> 1) + k] = s.u16[((a + at) >> 1) + ((imm >> (2 * k)) & 3)]!;
  finish(s, d, n);
}

/** PMOVMSKB: the top bit of every byte. */
export function pmovmskb(s: SimdState, a: number, n: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) m |= (s.u8[a + k]! >> 7) << k;
  return m;
}

/** PSHUFB (SSSE3): byte k of d takes the byte of d that a's byte k selects, or zero when its top bit is set. */
export const pshufb: IntOp = (s, d, a, n) => {
  const u8 = s.u8;
  for (let k = 0; k < n; k++) {
    const x = u8[a + k]!;
    u8[TMP + k] = x & 0x80 ? 0 : u8[d + (x & (n - 1))]!;
  }
  finish(s, d, n);
};

/** PHADDx and PHSUBx on `w`-byte lanes: adjacent pairs of d, then of a, combined by `f`. */
function horizontal(w: number, f: (x: number, y: number) => number): IntOp {
  return (s, d, a, n) => {
    const v = w === 2 ? s.i16 : s.i32;
    const half = n / w / 2;
    const t = TMP / w;
    for (let k = 0; k < half; k++) {
      v[t + k] = f(v[d / w + 2 * k]!, v[d / w + 2 * k + 1]!);
      v[t + half + k] = f(v[a / w + 2 * k]!, v[a / w + 2 * k + 1]!);
    }
    finish(s, d, n);
  };
}

export const phaddw = horizontal(2, (x, y) => x + y);
export const phaddd = horizontal(4, (x, y) => x + y);
export const phaddsw = horizontal(2, (x, y) => sat16(x + y));
export const phsubw = horizontal(2, (x, y) => x - y);
export const phsubd = horizontal(4, (x, y) => x - y);
export const phsubsw = horizontal(2, (x, y) => sat16(x - y));

/** PMADDUBSW: unsigned bytes of d times signed bytes of a, adjacent products summed into saturated words. */
export const pmaddubsw: IntOp = (s, d, a, n) => {
  for (let k = 0; k < n >> 1; k++) {
    const sum = s.u8[d + 2 * k]! * s.i8[a + 2 * k]! + s.u8[d + 2 * k + 1]! * s.i8[a + 2 * k + 1]!;
    s.i16[(d >> 1) + k] = sat16(sum);
  }
};

/** PMULHRSW: signed word products, scaled by 2^-15 and rounded. */
export const pmulhrsw = lanes16((x, y) => (x * y + 0x4000) >> 15, true);

export const psignb = lanes8((x, y) => (y < 0 ? -x : y === 0 ? 0 : x), true);
export const psignw = lanes16((x, y) => (y < 0 ? -x : y === 0 ? 0 : x), true);
export const psignd = lanes32((x, y) => (y < 0 ? -x : y === 0 ? 0 : x));
export const pabsb = lanes8((_x, y) => Math.abs(y), true);
export const pabsw = lanes16((_x, y) => Math.abs(y), true);
export const pabsd = lanes32((_x, y) => Math.abs(y));

/** PALIGNR: d:a (d the high half) shifted right by `count` bytes, the low `n` bytes kept. */
export function palignr(s: SimdState, d: number, a: number, count: number, n: number): void {
  const u8 = s.u8;
  for (let k = 0; k < n; k++) {
    const j = k + count;
    u8[TMP + k] = j < n ? u8[a + j]! : j < 2 * n ? u8[d + j - n]! : 0;
  }
  finish(s, d, n);
}
