import { Float80 } from '../fpu/float80.js';
import {
  MXCSR_DAZ,
  MXCSR_DE,
  MXCSR_FTZ,
  MXCSR_IE,
  MXCSR_PE,
  MXCSR_UE,
  MXCSR_ZE,
  type SimdState,
} from './state.js';

/**
 * SSE/SSE2 floating point on single (32-bit lanes) and double (64-bit lanes)
 * values, exactly as IEEE 754 and the SDM (vol. 1, 11.5) define it for
 * MXCSR's rounding control, DAZ and FTZ: finite results are rounded once by
 * `Float80` straight into the destination format; NaNs, infinities and the
 * invalid cases are settled here, with the SSE rules (the first source's NaN
 * wins, quieted; the default NaN is negative; MIN/MAX return the second
 * source). Lanes are addressed by their index in the buffer's dword view
 * (a double's low word). Exception flags gather in `flags` until the
 * instruction decides between committing and #XM.
 */

export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const MIN = 4;
export const MAX = 5;
export const SQRT = 6;

const ZERO = 0;
const DENORMAL = 1;
const NORMAL = 2;
const INF = 3;
const QNAN = 4;
const SNAN = 5;

export class SimdFloat {
  private readonly f = new Float80();
  /** MXCSR exception flags raised by the lanes of the current instruction. */
  flags = 0;
  /** Operands after classification (DAZ applied): class and words (hi is the only word of a single). */
  private ca = 0;
  private cb = 0;
  private ah = 0;
  private al = 0;
  private bh = 0;
  private bl = 0;
  private daz = false;
  private ftz = false;

  /** Starts an instruction: rounding, masks, DAZ and FTZ from MXCSR, no flags. */
  begin(mxcsr: number): void {
    this.flags = 0;
    this.ftz = (mxcsr & MXCSR_FTZ) !== 0;
    this.f.rc = (mxcsr >>> 13) & 3;
    // Denormal operands are reported here, before Float80 sees them.
    this.f.masks = ((mxcsr >>> 7) & 0x3f) | MXCSR_DE;
    this.daz = (mxcsr & MXCSR_DAZ) !== 0;
  }

  private classify32(x: number): number {
    const e = (x >>> 23) & 0xff;
    const m = x & 0x7fffff;
    if (e === 0xff) return m === 0 ? INF : m & 0x400000 ? QNAN : SNAN;
    if (e !== 0) return NORMAL;
    return m === 0 ? ZERO : DENORMAL;
  }

  private classify64(hi: number, lo: number): number {
    const e = (hi >>> 20) & 0x7ff;
    const m = (hi & 0xfffff) | lo;
    if (e === 0x7ff) return m === 0 ? INF : hi & 0x80000 ? QNAN : SNAN;
    if (e !== 0) return NORMAL;
    return m === 0 ? ZERO : DENORMAL;
  }

  /** Loads lane `k` of `u` as operand A (`b` false) or B, applying DAZ. */
  private load(u: Uint32Array, k: number, single: boolean, b: boolean): void {
    let hi = single ? u[k]! : u[k + 1]!;
    let lo = single ? 0 : u[k]!;
    let c = single ? this.classify32(hi) : this.classify64(hi, lo);
    if (c === DENORMAL && this.daz) {
      c = ZERO;
      hi &= 0x80000000;
      lo = 0;
    }
    if (b) {
      this.cb = c;
      this.bh = hi >>> 0;
      this.bl = lo;
    } else {
      this.ca = c;
      this.ah = hi >>> 0;
      this.al = lo;
    }
  }

  private store(u: Uint32Array, k: number, single: boolean, hi: number, lo: number): void {
    if (single) u[k] = hi;
    else {
      u[k] = lo;
      u[k + 1] = hi;
    }
  }

  private defaultNaN(u: Uint32Array, k: number, single: boolean): void {
    this.flags |= MXCSR_IE;
    this.store(u, k, single, single ? 0xffc00000 : 0xfff80000, 0);
  }

  private infinity(u: Uint32Array, k: number, single: boolean, sign: number): void {
    this.store(u, k, single, (sign << 31) | (single ? 0x7f800000 : 0x7ff00000), 0);
  }

  private zero(u: Uint32Array, k: number, single: boolean, sign: number): void {
    this.store(u, k, single, sign << 31, 0);
  }

  /** The result of an operation with a NaN operand: A's if it has one, else B's, quieted. */
  private propagate(u: Uint32Array, k: number, single: boolean, useB: boolean): void {
    if (this.ca === SNAN || (useB && this.cb === SNAN)) this.flags |= MXCSR_IE;
    const aNaN = this.ca >= QNAN;
    const hi = aNaN ? this.ah : this.bh;
    const lo = aNaN ? this.al : this.bl;
    this.store(u, k, single, hi | (single ? 0x400000 : 0x80000), lo);
  }

  /**
   * One lane: u[d] = u[d] op u[a] (SQRT: sqrt of u[a]), written to u[out].
   * Nothing is written when an unmasked exception stops the lane (the flag says which).
   */
  arith(op: number, s: SimdState, d: number, a: number, out: number, single: boolean): void {
    const u = s.u32;
    if (op === SQRT) {
      this.load(u, a, single, false);
      this.cb = ZERO;
    } else {
      this.load(u, d, single, false);
      this.load(u, a, single, true);
    }
    const ca = this.ca;
    const cb = this.cb;
    const sa = this.ah >>> 31;
    let sb = this.bh >>> 31;
    if (op === MIN || op === MAX) {
      if (ca >= QNAN || cb >= QNAN) {
        this.flags |= MXCSR_IE;
        this.store(u, out, single, this.bh, this.bl);
        return;
      }
      if (ca === DENORMAL || cb === DENORMAL) this.flags |= MXCSR_DE;
      const x = this.value(single, this.ah, this.al, ca);
      const y = this.value(single, this.bh, this.bl, cb);
      const first = op === MIN ? x < y : x > y;
      if (first) this.store(u, out, single, this.ah, this.al);
      else this.store(u, out, single, this.bh, this.bl);
      return;
    }
    if (ca >= QNAN || cb >= QNAN) {
      this.propagate(u, out, single, op !== SQRT);
      return;
    }
    if (op === SUB) sb ^= 1;
    switch (op) {
      case ADD:
      case SUB:
        if (ca === INF || cb === INF) {
          if (ca === INF && cb === INF && sa !== sb) this.defaultNaN(u, out, single);
          else this.infinity(u, out, single, ca === INF ? sa : sb);
          return;
        }
        break;
      case MUL:
        if (ca === INF || cb === INF) {
          if (ca === ZERO || cb === ZERO) this.defaultNaN(u, out, single);
          else this.infinity(u, out, single, sa ^ sb);
          return;
        }
        break;
      case DIV:
        if (ca === INF) {
          if (cb === INF) this.defaultNaN(u, out, single);
          else this.infinity(u, out, single, sa ^ sb);
          return;
        }
        if (cb === INF) {
          this.zero(u, out, single, sa ^ sb);
          return;
        }
        if (cb === ZERO) {
          if (ca === ZERO) this.defaultNaN(u, out, single);
          else {
            if (ca === DENORMAL) this.flags |= MXCSR_DE;
            this.flags |= MXCSR_ZE;
            this.infinity(u, out, single, sa ^ sb);
          }
          return;
        }
        break;
      default:
        if (ca === ZERO) {
          this.zero(u, out, single, sa);
          return;
        }
        if (sa !== 0) {
          this.defaultNaN(u, out, single);
          return;
        }
        if (ca === INF) {
          this.infinity(u, out, single, 0);
          return;
        }
    }
    if (ca === DENORMAL || cb === DENORMAL) this.flags |= MXCSR_DE;
    const f = this.f;
    this.operand(single, this.ah, this.al);
    f.setA(f.rSign, f.rExp, f.rHi, f.rLo);
    if (op !== SQRT) {
      this.operand(single, this.bh, this.bl);
      f.setB(f.rSign, f.rExp, f.rHi, f.rLo);
    }
    const prec = single ? 24 : 53;
    f.flags = 0;
    f.simdFormat = prec;
    let ok: boolean;
    if (op === ADD || op === SUB) ok = f.add(op === SUB, prec);
    else if (op === MUL) ok = f.mul(prec);
    else if (op === DIV) ok = f.div(prec);
    else ok = f.sqrt(prec);
    f.simdFormat = 0;
    this.flags |= f.flags;
    if (ok) this.packResult(u, out, single);
  }

  /** The value of a non-NaN operand as a number (exact for both formats). */
  private value(single: boolean, hi: number, lo: number, cls: number): number {
    if (cls === ZERO) return 0;
    const sign = hi >>> 31 ? -1 : 1;
    if (cls === INF) return sign * Infinity;
    if (single) {
      const e = (hi >>> 23) & 0xff;
      const m = hi & 0x7fffff;
      return e === 0 ? sign * m * 2 ** -149 : sign * (m + 0x800000) * 2 ** (e - 150);
    }
    const e = (hi >>> 20) & 0x7ff;
    const m = (hi & 0xfffff) * 4294967296 + lo;
    return e === 0 ? sign * m * 2 ** -1074 : sign * (m + 2 ** 52) * 2 ** (e - 1075);
  }

  /** A finite operand as Float80's extended result fields. */
  private operand(single: boolean, hi: number, lo: number): void {
    if (single) this.f.fromF32(hi);
    else this.f.fromF64(hi, lo);
  }

  /** Packs Float80's rounded result (memory-format fields) into the lane, applying FTZ. */
  private packResult(u: Uint32Array, k: number, single: boolean): void {
    const f = this.f;
    const sign = f.rSign;
    let e = f.rExp;
    let hi = f.rHi;
    let lo = f.rLo;
    if (e === 0 && (hi !== 0 || lo !== 0) && this.ftz && (f.masks & MXCSR_UE) !== 0) {
      this.flags |= MXCSR_UE | MXCSR_PE;
      hi = 0;
      lo = 0;
    }
    if (hi === 0 && lo === 0 && e !== 0xff && e !== 0x7ff) e = 0;
    if (single) u[k] = (sign << 31) | (e << 23) | ((hi >>> 8) & 0x7fffff);
    else {
      u[k] = (hi << 21) | (lo >>> 11);
      u[k + 1] = (sign << 31) | (e << 20) | ((hi >>> 11) & 0xfffff);
    }
  }

  /**
   * CMPPS/CMPSS/CMPPD/CMPSD predicate `p` (imm8 bits 2:0) on one lane: all
   * ones or zero into u[out]. LT, LE, NLT, NLE signal on any NaN; the others on SNaN only.
   */
  compare(p: number, s: SimdState, d: number, a: number, out: number, single: boolean): void {
    const r = this.relation(s, d, a, single, (p & 3) === 1 || (p & 3) === 2);
    let t: boolean;
    switch (p & 3) {
      case 0:
        t = r === EQUAL;
        break;
      case 1:
        t = r === LESS;
        break;
      case 2:
        t = r === LESS || r === EQUAL;
        break;
      default:
        t = r === UNORDERED;
    }
    if (p & 4) t = !t;
    const v = t ? 0xffffffff : 0;
    this.store(s.u32, out, single, v, v);
  }

  /**
   * Orders lane d against lane a (DAZ applied): LESS, EQUAL, GREATER or
   * UNORDERED. IE on an SNaN, or on any NaN when `signalQuiet`; DE on a denormal.
   */
  relation(s: SimdState, d: number, a: number, single: boolean, signalQuiet: boolean): number {
    this.load(s.u32, d, single, false);
    this.load(s.u32, a, single, true);
    const ca = this.ca;
    const cb = this.cb;
    if (ca >= QNAN || cb >= QNAN) {
      if (signalQuiet || ca === SNAN || cb === SNAN) this.flags |= MXCSR_IE;
      return UNORDERED;
    }
    if (ca === DENORMAL || cb === DENORMAL) this.flags |= MXCSR_DE;
    const x = this.value(single, this.ah, this.al, ca);
    const y = this.value(single, this.bh, this.bl, cb);
    return x < y ? LESS : x > y ? GREATER : EQUAL;
  }

  /**
   * Float lane to int32 (CVT* with MXCSR rounding, CVTT* truncating): NaN,
   * infinity and values out of range give the integer indefinite 80000000h with IE.
   */
  toInt32(s: SimdState, a: number, single: boolean, truncate: boolean): number {
    this.load(s.u32, a, single, false);
    const c = this.ca;
    if (c >= INF) {
      this.flags |= MXCSR_IE;
      return 0x80000000 | 0;
    }
    if (c === DENORMAL) this.flags |= MXCSR_DE;
    const v = this.value(single, this.ah, this.al, c);
    const r = truncate ? Math.trunc(v) : roundBy(v, this.f.rc);
    if (r < -2147483648 || r > 2147483647) {
      this.flags |= MXCSR_IE;
      return 0x80000000 | 0;
    }
    if (r !== v) this.flags |= MXCSR_PE;
    return r | 0;
  }

  /** int32 to a float lane, rounded by MXCSR for singles (doubles are exact). */
  fromInt32(s: SimdState, v: number, out: number, single: boolean): void {
    if (!single) {
      s.f64[out >> 1] = v;
      return;
    }
    const f = this.f;
    const m = Math.abs(v);
    f.fromInteger(v < 0 ? 1 : 0, 0, m >>> 0);
    if (m === 0) {
      s.u32[out] = 0;
      return;
    }
    f.setA(f.rSign, f.rExp, f.rHi, f.rLo);
    f.flags = 0;
    f.toMemoryFormat(24);
    this.flags |= f.flags;
    this.packResult(s.u32, out, true);
  }

  /** Single lane `a` to the double lane `out` (exact), or double to single (rounded), per `toSingle`. */
  convert(s: SimdState, a: number, out: number, toSingle: boolean): void {
    const u = s.u32;
    this.load(u, a, !toSingle, false);
    const c = this.ca;
    const sign = this.ah >>> 31;
    if (c >= QNAN) {
      if (c === SNAN) this.flags |= MXCSR_IE;
      if (toSingle)
        u[out] = (this.ah & 0x80000000) | 0x7fc00000 | ((this.ah & 0x7ffff) << 3) | (this.al >>> 29);
      else {
        u[out] = this.ah << 29;
        u[out + 1] = (this.ah & 0x80000000) | 0x7ff80000 | ((this.ah >>> 3) & 0x7ffff);
      }
      return;
    }
    if (c === INF) {
      this.infinity(u, out, toSingle, sign);
      return;
    }
    if (c === ZERO) {
      this.zero(u, out, toSingle, sign);
      return;
    }
    if (c === DENORMAL) this.flags |= MXCSR_DE;
    if (!toSingle) {
      s.f64[out >> 1] = this.value(true, this.ah, 0, c);
      return;
    }
    const f = this.f;
    f.fromF64(this.ah, this.al);
    f.setA(f.rSign, f.rExp, f.rHi, f.rLo);
    f.flags = 0;
    const ok = f.toMemoryFormat(24);
    this.flags |= f.flags;
    if (ok) this.packResult(u, out, true);
  }
}

export const LESS = 0;
export const EQUAL = 1;
export const GREATER = 2;
export const UNORDERED = 3;

/** Rounds to an integer by RC: nearest-even, down, up, toward zero. */
function roundBy(v: number, rc: number): number {
  if (rc === 1) return Math.floor(v);
  if (rc === 2) return Math.ceil(v);
  if (rc === 3) return Math.trunc(v);
  const r = Math.floor(v);
  const diff = v - r;
  if (diff > 0.5 || (diff === 0.5 && r % 2 !== 0)) return r + 1;
  return r;
}
