import { RC_DOWN, RC_NEAREST, RC_UP, SW_DE, SW_IE, SW_OE, SW_PE, SW_UE, SW_ZE } from './status.js';

/**
 * Exact software arithmetic on the x87 double-extended format.
 *
 * Values travel as sign, unbiased exponent and a 64-bit significand held in two
 * unsigned 32-bit numbers (`hi` carries the explicit integer bit J at bit 31).
 * Arithmetic keeps 32 more bits below the significand (`ext`, with every lost
 * bit OR-ed into its bit 0) so one rounding step per RC and PC gives the
 * correctly rounded result. Nothing here allocates.
 */

/** Operand classes after unpacking. */
export const CLS_ZERO = 0;
export const CLS_FINITE = 1;
export const CLS_INF = 2;
export const CLS_QNAN = 3;
export const CLS_SNAN = 4;
/** Pseudo-NaN, pseudo-infinity and unnormal: invalid operands since the 387. */
export const CLS_UNSUPPORTED = 5;

export const BIAS = 16383;
const EXT_EMIN = 1 - BIAS;
const EXT_EMAX = 0x7ffe - BIAS;
/** Exponent bias adjustment applied to results when OE or UE is unmasked (SDM 4.9.1.4/4.9.1.5). */
const WRAP = 0x6000;
const TWO32 = 4294967296;

/** Outcomes of rounding a value into a destination format. */
const KIND_FINITE = 0;
const KIND_INF = 1;
/** Unmasked overflow or underflow with a memory destination: nothing is stored. */
const KIND_NONE = 2;

export const F32_EMIN = -126;
export const F32_EMAX = 127;
export const F64_EMIN = -1022;
export const F64_EMAX = 1023;

const f64Scratch = new Float64Array(1);
const f64Words = new Uint32Array(f64Scratch.buffer);
/** Index of the high word of a float64 in `f64Words` (little-endian hosts). */
const F64_HI = 1;

export class Float80 {
  /** Rounding control (RC field). */
  rc = RC_NEAREST;
  /** Exception mask bits from the control word (1 = masked). */
  masks = 0x3f;
  /** Exception flags raised by the operations since the caller last cleared them. */
  flags = 0;
  /** The last rounding increased the magnitude (reported in C1). */
  roundedUp = false;
  /**
   * 0 for x87 results (extended exponent range, into a register). SSE sets
   * 24 or 53: add, mul, div and sqrt then round straight into single or
   * double format, exponent range and denormals included, and leave the
   * result packed as `toMemoryFormat` does (one rounding, never two).
   */
  simdFormat = 0;

  aSign = 0;
  aExp = 0;
  aHi = 0;
  aLo = 0;
  aCls = 0;
  aDenormal = false;
  bSign = 0;
  bExp = 0;
  bHi = 0;
  bLo = 0;
  bCls = 0;
  bDenormal = false;

  /** Working value: (hi:lo . ext) * 2^(exp - 63). */
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  ext = 0;

  /** Packed extended result. */
  rSign = 0;
  rExp = 0;
  rHi = 0;
  rLo = 0;

  private regSigns: Uint8Array = new Uint8Array(8);
  private regExponents: Uint16Array = new Uint16Array(8);
  private regHi: Uint32Array = new Uint32Array(8);
  private regLo: Uint32Array = new Uint32Array(8);

  /** The register file `loadA`/`loadB` read from (the arrays are shared, not copied). */
  bindRegisters(signs: Uint8Array, exponents: Uint16Array, hi: Uint32Array, lo: Uint32Array): void {
    this.regSigns = signs;
    this.regExponents = exponents;
    this.regHi = hi;
    this.regLo = lo;
  }

  /**
   * Operand A from physical register p. Reading the typed arrays here, rather
   * than taking the significand as arguments, keeps values of 2^31 and above
   * from being boxed at a call boundary on every instruction.
   */
  loadA(p: number): void {
    const e = this.regExponents[p]!;
    this.aSign = this.regSigns[p]!;
    this.aCls = this.unpackAt(e, p);
    this.aExp = this.exp;
    this.aHi = this.hi;
    this.aLo = this.lo;
    this.aDenormal = e === 0 && this.aCls === CLS_FINITE;
  }

  loadB(p: number): void {
    const e = this.regExponents[p]!;
    this.bSign = this.regSigns[p]!;
    this.bCls = this.unpackAt(e, p);
    this.bExp = this.exp;
    this.bHi = this.hi;
    this.bLo = this.lo;
    this.bDenormal = e === 0 && this.bCls === CLS_FINITE;
  }

  private unpackAt(expField: number, p: number): number {
    this.hi = this.regHi[p]!;
    this.lo = this.regLo[p]!;
    return this.classify(expField);
  }

  /** Unpacks an extended register value into operand A. */
  setA(sign: number, expField: number, hi: number, lo: number): void {
    this.aSign = sign;
    this.aCls = this.unpack(expField, hi, lo);
    this.aExp = this.exp;
    this.aHi = this.hi;
    this.aLo = this.lo;
    this.aDenormal = expField === 0 && this.aCls === CLS_FINITE;
  }

  setB(sign: number, expField: number, hi: number, lo: number): void {
    this.bSign = sign;
    this.bCls = this.unpack(expField, hi, lo);
    this.bExp = this.exp;
    this.bHi = this.hi;
    this.bLo = this.lo;
    this.bDenormal = expField === 0 && this.bCls === CLS_FINITE;
  }

  /** Classifies and, for finite values, normalizes into exp/hi/lo. NaNs keep their raw significand. */
  private unpack(expField: number, hi: number, lo: number): number {
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this.classify(expField);
  }

  /** Classifies hi:lo with `expField` and, for finite values, normalizes into exp/hi/lo. */
  private classify(expField: number): number {
    const hi = this.hi;
    const lo = this.lo;
    if (expField === 0x7fff) {
      this.exp = 0;
      if ((hi & 0x80000000) === 0) return CLS_UNSUPPORTED;
      if ((hi & 0x7fffffff) === 0 && lo === 0) return CLS_INF;
      return (hi & 0x40000000) !== 0 ? CLS_QNAN : CLS_SNAN;
    }
    if (expField === 0) {
      if (hi === 0 && lo === 0) {
        this.exp = 0;
        return CLS_ZERO;
      }
      this.exp = EXT_EMIN;
      this.normalize64();
      return CLS_FINITE;
    }
    if ((hi & 0x80000000) === 0) return CLS_UNSUPPORTED;
    this.exp = expField - BIAS;
    return CLS_FINITE;
  }

  /** Shifts hi:lo left until J is set, adjusting exp. hi:lo must be non-zero. */
  private normalize64(): void {
    if (this.hi === 0) {
      this.hi = this.lo;
      this.lo = 0;
      this.exp -= 32;
    }
    const s = Math.clz32(this.hi);
    if (s !== 0) {
      this.hi = ((this.hi << s) | (this.lo >>> (32 - s))) >>> 0;
      this.lo = (this.lo << s) >>> 0;
      this.exp -= s;
    }
  }

  /** Shifts hi:lo:ext left until J is set. Returns false for zero. */
  private normalize96(): boolean {
    for (let i = 0; i < 2 && this.hi === 0; i++) {
      this.hi = this.lo;
      this.lo = this.ext;
      this.ext = 0;
      this.exp -= 32;
    }
    if (this.hi === 0) return false;
    const s = Math.clz32(this.hi);
    if (s !== 0) {
      this.hi = ((this.hi << s) | (this.lo >>> (32 - s))) >>> 0;
      this.lo = ((this.lo << s) | (this.ext >>> (32 - s))) >>> 0;
      this.ext = (this.ext << s) >>> 0;
      this.exp -= s;
    }
    return true;
  }

  /** Shifts hi:lo:ext right by n, OR-ing every bit shifted out into bit 0 of ext. */
  private shiftRightJam(n: number): void {
    if (n <= 0) return;
    let hi = this.hi;
    let lo = this.lo;
    let ext = this.ext;
    if (n >= 96) {
      this.ext = hi !== 0 || lo !== 0 || ext !== 0 ? 1 : 0;
      this.hi = 0;
      this.lo = 0;
      return;
    }
    let sticky = 0;
    while (n >= 32) {
      sticky |= ext;
      ext = lo;
      lo = hi;
      hi = 0;
      n -= 32;
    }
    if (n > 0) {
      sticky |= ext << (32 - n);
      ext = (ext >>> n) | (lo << (32 - n));
      lo = (lo >>> n) | (hi << (32 - n));
      hi >>>= n;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    this.ext = (ext | (sticky !== 0 ? 1 : 0)) >>> 0;
  }

  /**
   * Rounds hi:lo:ext to `prec` significant bits (24, 53 or 64) per RC; clears ext.
   * Sets PE when inexact and `roundedUp` when the magnitude grew. Returns inexact.
   */
  private roundAt(prec: number): boolean {
    let hi = this.hi;
    let lo = this.lo;
    const ext = this.ext;
    let inexact: boolean;
    let above: boolean;
    let tie: boolean;
    let odd: boolean;
    if (prec === 64) {
      inexact = ext !== 0;
      above = ext > 0x80000000;
      tie = ext === 0x80000000;
      odd = (lo & 1) !== 0;
    } else if (prec === 53) {
      const d = lo & 0x7ff;
      inexact = d !== 0 || ext !== 0;
      above = d > 0x400 || (d === 0x400 && ext !== 0);
      tie = d === 0x400 && ext === 0;
      odd = (lo & 0x800) !== 0;
    } else {
      const d = hi & 0xff;
      inexact = d !== 0 || lo !== 0 || ext !== 0;
      above = d > 0x80 || (d === 0x80 && (lo !== 0 || ext !== 0));
      tie = d === 0x80 && lo === 0 && ext === 0;
      odd = (hi & 0x100) !== 0;
    }
    this.ext = 0;
    if (!inexact) return false;
    this.flags |= SW_PE;
    let up: boolean;
    switch (this.rc) {
      case RC_NEAREST:
        up = above || (tie && odd);
        break;
      case RC_DOWN:
        up = this.sign !== 0;
        break;
      case RC_UP:
        up = this.sign === 0;
        break;
      default:
        up = false;
    }
    if (prec === 64) {
      if (up) {
        lo = (lo + 1) >>> 0;
        if (lo === 0) hi = (hi + 1) >>> 0;
      }
    } else if (prec === 53) {
      lo = (lo & ~0x7ff) >>> 0;
      if (up) {
        lo += 0x800;
        if (lo >= TWO32) {
          lo -= TWO32;
          hi = (hi + 1) >>> 0;
        }
      }
    } else {
      hi = (hi & ~0xff) >>> 0;
      lo = 0;
      if (up) hi = (hi + 0x100) >>> 0;
    }
    if (up) {
      this.roundedUp = true;
      if (hi === 0 && lo === 0) {
        hi = 0x80000000;
        this.exp += 1;
      }
    }
    this.hi = hi;
    this.lo = lo;
    return true;
  }

  /**
   * Whether rounding to `prec` bits carries into the next power of two. x87
   * detects tininess after rounding (with an unbounded exponent), so a value
   * just below the smallest normal that rounds up to it is not tiny.
   */
  private roundsToNextBinade(prec: number): boolean {
    const { hi, lo, ext, exp, flags, roundedUp } = this;
    this.roundAt(prec);
    const carried = this.exp !== exp;
    this.hi = hi;
    this.lo = lo;
    this.ext = ext;
    this.exp = exp;
    this.flags = flags;
    this.roundedUp = roundedUp;
    return carried;
  }

  /**
   * Rounds the normalized non-zero working value into a format with `prec` bits
   * and normal exponents eMin..eMax, applying the masked and unmasked overflow
   * and underflow responses. Tininess is detected after rounding.
   */
  private roundPack(prec: number, eMin: number, eMax: number, toRegister: boolean): number {
    this.roundedUp = false;
    if (this.exp < eMin && !(this.exp === eMin - 1 && this.roundsToNextBinade(prec))) {
      if ((this.masks & SW_UE) === 0) {
        this.flags |= SW_UE;
        if (!toRegister) return KIND_NONE;
        this.exp += WRAP;
        this.roundAt(prec);
        return KIND_FINITE;
      }
      this.shiftRightJam(eMin - this.exp);
      this.exp = eMin;
      if (this.roundAt(prec)) this.flags |= SW_UE;
      return KIND_FINITE;
    }
    this.roundAt(prec);
    if (this.exp <= eMax) return KIND_FINITE;
    if ((this.masks & SW_OE) === 0) {
      this.flags |= SW_OE;
      if (!toRegister) return KIND_NONE;
      this.exp -= WRAP;
      return KIND_FINITE;
    }
    this.flags |= SW_OE | SW_PE;
    const rc = this.rc;
    if (rc === RC_NEAREST || (rc === RC_UP && this.sign === 0) || (rc === RC_DOWN && this.sign !== 0)) {
      this.roundedUp = true;
      return KIND_INF;
    }
    this.roundedUp = false;
    this.exp = eMax;
    if (prec === 64) {
      this.hi = 0xffffffff;
      this.lo = 0xffffffff;
    } else if (prec === 53) {
      this.hi = 0xffffffff;
      this.lo = 0xfffff800;
    } else {
      this.hi = 0xffffff00;
      this.lo = 0;
    }
    return KIND_FINITE;
  }

  /** Rounds the working value (any magnitude, possibly zero) into the packed extended result. */
  private finish(prec: number): boolean {
    if (!this.normalize96()) {
      this.setResult(this.sign, 0, 0, 0);
      return true;
    }
    if (this.simdFormat !== 0) {
      const single = this.simdFormat === 24;
      const kind = this.roundPack(
        this.simdFormat,
        single ? F32_EMIN : F64_EMIN,
        single ? F32_EMAX : F64_EMAX,
        false,
      );
      return this.packMemory(kind, single);
    }
    const kind = this.roundPack(prec, EXT_EMIN, EXT_EMAX, true);
    if (kind === KIND_INF) {
      this.setResult(this.sign, 0x7fff, 0x80000000, 0);
    } else if ((this.hi & 0x80000000) === 0) {
      this.rExp = 0;
      this.storeWork();
    } else {
      this.rExp = (this.exp + BIAS) & 0x7fff;
      this.storeWork();
    }
    return true;
  }

  /** The working significand into the result (a field copy: no boxing through a call). */
  private storeWork(): void {
    this.rSign = this.sign;
    this.rHi = this.hi;
    this.rLo = this.lo;
  }

  setResult(sign: number, expField: number, hi: number, lo: number): void {
    this.rSign = sign;
    this.rExp = expField;
    this.rHi = hi >>> 0;
    this.rLo = lo >>> 0;
  }

  /** Loads the working value from operand A (finite, normalized). */
  private workFromA(): void {
    this.sign = this.aSign;
    this.exp = this.aExp;
    this.hi = this.aHi;
    this.lo = this.aLo;
    this.ext = 0;
  }

  private workFromB(): void {
    this.sign = this.bSign;
    this.exp = this.bExp;
    this.hi = this.bHi;
    this.lo = this.bLo;
    this.ext = 0;
  }

  /** The masked invalid-operation response (QNaN indefinite). Returns whether a result is delivered. */
  invalid(): boolean {
    this.flags |= SW_IE;
    if ((this.masks & SW_IE) === 0) return false;
    this.setResult(1, 0x7fff, 0xc0000000, 0);
    return true;
  }

  /** Raises DE for denormal operands; returns false when DE is unmasked (the operation is abandoned). */
  denormalCheck(useB: boolean): boolean {
    if (this.aDenormal || (useB && this.bDenormal)) {
      this.flags |= SW_DE;
      return (this.masks & SW_DE) !== 0;
    }
    return true;
  }

  /** NaN or unsupported operand handling for one operand (A). */
  nan1(): boolean {
    if (this.aCls === CLS_UNSUPPORTED) return this.invalid();
    if (this.aCls === CLS_SNAN) {
      this.flags |= SW_IE;
      if ((this.masks & SW_IE) === 0) return false;
    }
    this.setResult(this.aSign, 0x7fff, this.aHi | 0x40000000, this.aLo);
    return true;
  }

  /** NaN or unsupported operand handling for two operands (SDM vol. 1, table 4-7). */
  nan2(): boolean {
    const ac = this.aCls;
    const bc = this.bCls;
    if (ac === CLS_UNSUPPORTED || bc === CLS_UNSUPPORTED) return this.invalid();
    if (ac === CLS_SNAN || bc === CLS_SNAN) {
      this.flags |= SW_IE;
      if ((this.masks & SW_IE) === 0) return false;
    }
    const aNaN = ac === CLS_QNAN || ac === CLS_SNAN;
    const bNaN = bc === CLS_QNAN || bc === CLS_SNAN;
    let useA: boolean;
    if (aNaN && bNaN) {
      if (ac !== bc) {
        useA = ac === CLS_QNAN;
      } else {
        const ah = this.aHi & 0x3fffffff;
        const bh = this.bHi & 0x3fffffff;
        if (ah !== bh) useA = ah > bh;
        else if (this.aLo !== this.bLo) useA = this.aLo > this.bLo;
        else useA = this.aSign <= this.bSign;
      }
    } else {
      useA = aNaN;
    }
    if (useA) this.setResult(this.aSign, 0x7fff, this.aHi | 0x40000000, this.aLo);
    else this.setResult(this.bSign, 0x7fff, this.bHi | 0x40000000, this.bLo);
    return true;
  }

  /** True when either operand is a NaN or unsupported (then nan2 decides the result). */
  anyNaN2(): boolean {
    return this.aCls >= CLS_QNAN || this.bCls >= CLS_QNAN;
  }

  /** A + B (B negated when `subtract`), rounded to `prec` bits. */
  add(subtract: boolean, prec: number): boolean {
    if (this.anyNaN2()) return this.nan2();
    const bSign = subtract ? this.bSign ^ 1 : this.bSign;
    if (this.aCls === CLS_INF || this.bCls === CLS_INF) {
      if (this.aCls === CLS_INF && this.bCls === CLS_INF && this.aSign !== bSign) return this.invalid();
      this.setResult(this.aCls === CLS_INF ? this.aSign : bSign, 0x7fff, 0x80000000, 0);
      return true;
    }
    if (!this.denormalCheck(true)) return false;
    if (this.aCls === CLS_ZERO && this.bCls === CLS_ZERO) {
      const sign = this.aSign === bSign ? this.aSign : this.rc === RC_DOWN ? 1 : 0;
      this.setResult(sign, 0, 0, 0);
      return true;
    }
    if (this.bCls === CLS_ZERO) {
      this.workFromA();
      return this.finish(prec);
    }
    if (this.aCls === CLS_ZERO) {
      this.workFromB();
      this.sign = bSign;
      return this.finish(prec);
    }
    // Order by magnitude so the larger operand is "big".
    let bigSign = this.aSign;
    let bigExp = this.aExp;
    let bigHi = this.aHi;
    let bigLo = this.aLo;
    let smallExp = this.bExp;
    let smallHi = this.bHi;
    let smallLo = this.bLo;
    let smallSign = bSign;
    const aSmaller =
      this.aExp < this.bExp ||
      (this.aExp === this.bExp && (this.aHi < this.bHi || (this.aHi === this.bHi && this.aLo < this.bLo)));
    if (aSmaller) {
      bigSign = bSign;
      bigExp = this.bExp;
      bigHi = this.bHi;
      bigLo = this.bLo;
      smallSign = this.aSign;
      smallExp = this.aExp;
      smallHi = this.aHi;
      smallLo = this.aLo;
    }
    this.sign = bigSign;
    this.exp = bigExp;
    this.hi = smallHi;
    this.lo = smallLo;
    this.ext = 0;
    this.shiftRightJam(bigExp - smallExp);
    if (bigSign === smallSign) {
      const lo = bigLo + this.lo;
      const hi = bigHi + this.hi + (lo >= TWO32 ? 1 : 0);
      this.lo = lo >>> 0;
      this.hi = hi >>> 0;
      if (hi >= TWO32) {
        this.shiftRightJam(1);
        this.hi = (this.hi | 0x80000000) >>> 0;
        this.exp += 1;
      }
    } else {
      if (bigExp === smallExp && bigHi === smallHi && bigLo === smallLo) {
        this.setResult(this.rc === RC_DOWN ? 1 : 0, 0, 0, 0);
        return true;
      }
      const ext = -this.ext;
      let borrow = ext < 0 ? 1 : 0;
      const lo = bigLo - this.lo - borrow;
      borrow = lo < 0 ? 1 : 0;
      const hi = bigHi - this.hi - borrow;
      this.ext = ext >>> 0;
      this.lo = lo >>> 0;
      this.hi = hi >>> 0;
    }
    return this.finish(prec);
  }

  /** A * B rounded to `prec` bits. */
  mul(prec: number): boolean {
    if (this.anyNaN2()) return this.nan2();
    const sign = this.aSign ^ this.bSign;
    if (this.aCls === CLS_INF || this.bCls === CLS_INF) {
      if (this.aCls === CLS_ZERO || this.bCls === CLS_ZERO) return this.invalid();
      this.setResult(sign, 0x7fff, 0x80000000, 0);
      return true;
    }
    if (!this.denormalCheck(true)) return false;
    if (this.aCls === CLS_ZERO || this.bCls === CLS_ZERO) {
      this.setResult(sign, 0, 0, 0);
      return true;
    }
    this.sign = sign;
    this.mul64(this.aHi, this.aLo, this.bHi, this.bLo);
    this.exp += this.aExp + this.bExp;
    return this.finish(prec);
  }

  /**
   * hi:lo:ext (jammed) = top of the 128-bit product of two normalized significands,
   * normalized; exp is set to 0 or 1 (the caller adds the operand exponents).
   */
  private mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
    const a0 = aLo & 0xffff;
    const a1 = aLo >>> 16;
    const a2 = aHi & 0xffff;
    const a3 = aHi >>> 16;
    const b0 = bLo & 0xffff;
    const b1 = bLo >>> 16;
    const b2 = bHi & 0xffff;
    const b3 = bHi >>> 16;
    let t = a0 * b0;
    const p0 = t & 0xffff;
    t = (t - p0) / 65536 + a0 * b1 + a1 * b0;
    const p1 = t & 0xffff;
    t = (t - p1) / 65536 + a0 * b2 + a1 * b1 + a2 * b0;
    const p2 = t & 0xffff;
    t = (t - p2) / 65536 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
    const p3 = t & 0xffff;
    t = (t - p3) / 65536 + a1 * b3 + a2 * b2 + a3 * b1;
    const p4 = t & 0xffff;
    t = (t - p4) / 65536 + a2 * b3 + a3 * b2;
    const p5 = t & 0xffff;
    t = (t - p5) / 65536 + a3 * b3;
    const p6 = t & 0xffff;
    const p7 = (t - p6) / 65536;
    const w3 = ((p7 << 16) | p6) >>> 0;
    const w2 = ((p5 << 16) | p4) >>> 0;
    const w1 = ((p3 << 16) | p2) >>> 0;
    const w0 = ((p1 << 16) | p0) >>> 0;
    if ((w3 & 0x80000000) !== 0) {
      this.hi = w3;
      this.lo = w2;
      this.ext = (w1 | (w0 !== 0 ? 1 : 0)) >>> 0;
      this.exp = 1;
    } else {
      this.hi = ((w3 << 1) | (w2 >>> 31)) >>> 0;
      this.lo = ((w2 << 1) | (w1 >>> 31)) >>> 0;
      this.ext = ((w1 << 1) | (w0 >>> 31) | ((w0 & 0x7fffffff) !== 0 ? 1 : 0)) >>> 0;
      this.exp = 0;
    }
  }

  /** A / B rounded to `prec` bits. */
  div(prec: number): boolean {
    if (this.anyNaN2()) return this.nan2();
    const sign = this.aSign ^ this.bSign;
    const ac = this.aCls;
    const bc = this.bCls;
    if (ac === CLS_INF) {
      if (bc === CLS_INF) return this.invalid();
      if (!this.denormalCheck(true)) return false;
      this.setResult(sign, 0x7fff, 0x80000000, 0);
      return true;
    }
    if (bc === CLS_INF) {
      if (!this.denormalCheck(false)) return false;
      this.setResult(sign, 0, 0, 0);
      return true;
    }
    if (ac === CLS_ZERO && bc === CLS_ZERO) return this.invalid();
    if (!this.denormalCheck(true)) return false;
    if (bc === CLS_ZERO) {
      this.flags |= SW_ZE;
      if ((this.masks & SW_ZE) === 0) return false;
      this.setResult(sign, 0x7fff, 0x80000000, 0);
      return true;
    }
    if (ac === CLS_ZERO) {
      this.setResult(sign, 0, 0, 0);
      return true;
    }
    const bHi = this.bHi >>> 0;
    const bLo = this.bLo >>> 0;
    let r2 = 0;
    let r1 = this.aHi >>> 0;
    let r0 = this.aLo >>> 0;
    let exp = this.aExp - this.bExp;
    if (r1 < bHi || (r1 === bHi && r0 < bLo)) {
      exp -= 1;
      r2 = r1 >>> 31;
      r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
      r0 = (r0 << 1) >>> 0;
    }
    let qHi = 0;
    let qLo = 0;
    let qExt = 0;
    for (let i = 0; i < 66; i++) {
      if (r2 !== 0 || r1 > bHi || (r1 === bHi && r0 >= bLo)) {
        const d0 = r0 - bLo;
        let borrow = d0 < 0 ? 1 : 0;
        const d1 = r1 - bHi - borrow;
        borrow = d1 < 0 ? 1 : 0;
        r0 = d0 >>> 0;
        r1 = d1 >>> 0;
        r2 -= borrow;
        if (i < 32) qHi |= 1 << (31 - i);
        else if (i < 64) qLo |= 1 << (63 - i);
        else qExt |= 1 << (95 - i);
      }
      r2 = r1 >>> 31;
      r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
      r0 = (r0 << 1) >>> 0;
    }
    if (r2 !== 0 || r1 !== 0 || r0 !== 0) qExt |= 1;
    this.sign = sign;
    this.exp = exp;
    this.hi = qHi >>> 0;
    this.lo = qLo >>> 0;
    this.ext = qExt >>> 0;
    return this.finish(prec);
  }

  /** Square root of A rounded to `prec` bits. */
  sqrt(prec: number): boolean {
    const ac = this.aCls;
    if (ac >= CLS_QNAN) return this.nan1();
    if (ac === CLS_ZERO) {
      this.setResult(this.aSign, 0, 0, 0);
      return true;
    }
    if (this.aSign !== 0) return this.invalid();
    if (ac === CLS_INF) {
      this.setResult(0, 0x7fff, 0x80000000, 0);
      return true;
    }
    if (!this.denormalCheck(false)) return false;
    // value = M * 2^(e-63); make the power of two even by doubling M when needed.
    let e = this.aExp;
    let x2 = 0;
    let x1 = this.aHi >>> 0;
    let x0 = this.aLo >>> 0;
    if (((e - 63) & 1) !== 0) {
      x2 = x1 >>> 31;
      x1 = ((x1 << 1) | (x0 >>> 31)) >>> 0;
      x0 = (x0 << 1) >>> 0;
      e -= 1;
    }
    // Digit-by-digit square root over 96-bit words: 33 bit pairs of the
    // 66-bit radicand, then 34 zero pairs, so root = floor(sqrt(X * 4^34)).
    let r2 = 0;
    let r1 = 0;
    let r0 = 0;
    let s2 = 0;
    let s1 = 0;
    let s0 = 0;
    for (let j = 32; j >= -34; j--) {
      let pair = 0;
      if (j >= 0) {
        const bit = 2 * j;
        pair = bit >= 64 ? (x2 >>> (bit - 64)) & 3 : bit >= 32 ? (x1 >>> (bit - 32)) & 3 : (x0 >>> bit) & 3;
      }
      r2 = ((r2 << 2) | (r1 >>> 30)) >>> 0;
      r1 = ((r1 << 2) | (r0 >>> 30)) >>> 0;
      r0 = ((r0 << 2) | pair) >>> 0;
      const t2 = ((s2 << 2) | (s1 >>> 30)) >>> 0;
      const t1 = ((s1 << 2) | (s0 >>> 30)) >>> 0;
      const t0 = ((s0 << 2) | 1) >>> 0;
      s2 = ((s2 << 1) | (s1 >>> 31)) >>> 0;
      s1 = ((s1 << 1) | (s0 >>> 31)) >>> 0;
      s0 = (s0 << 1) >>> 0;
      if (r2 > t2 || (r2 === t2 && (r1 > t1 || (r1 === t1 && r0 >= t0)))) {
        const d0 = r0 - t0;
        let borrow = d0 < 0 ? 1 : 0;
        const d1 = r1 - t1 - borrow;
        borrow = d1 < 0 ? 1 : 0;
        r0 = d0 >>> 0;
        r1 = d1 >>> 0;
        r2 = (r2 - t2 - borrow) >>> 0;
        s0 = (s0 | 1) >>> 0;
      }
    }
    const inexact = r0 !== 0 || r1 !== 0 || r2 !== 0;
    this.sign = 0;
    this.hi = s2;
    this.lo = s1;
    this.ext = s0;
    // The root has its top bit at position 65 or 66 of the 96-bit word.
    this.exp = 95 - 34 + (e - 63) / 2;
    this.normalize96();
    if (inexact) this.ext = (this.ext | 1) >>> 0;
    return this.finish(prec);
  }

  /**
   * Partial remainder of A / B (FPREM when `nearest` is false, FPREM1 otherwise).
   * Sets `quotient` (low three bits) and `incomplete` (C2).
   */
  quotient = 0;
  incomplete = false;
  rem(nearest: boolean): boolean {
    this.quotient = 0;
    this.incomplete = false;
    if (this.anyNaN2()) return this.nan2();
    const ac = this.aCls;
    const bc = this.bCls;
    if (ac === CLS_INF || bc === CLS_ZERO) return this.invalid();
    if (!this.denormalCheck(true)) return false;
    if (ac === CLS_ZERO || bc === CLS_INF) {
      this.workFromA();
      if (ac === CLS_ZERO) {
        this.setResult(this.aSign, 0, 0, 0);
        return true;
      }
      return this.finish(64);
    }
    const bHi = this.bHi >>> 0;
    const bLo = this.bLo >>> 0;
    let d = this.aExp - this.bExp;
    let resultExp = this.bExp;
    if (d >= 64) {
      // Partial reduction: the quotient is computed for the top 32..63 bits only.
      const n = 32 + ((d - 32) % 32);
      resultExp = this.bExp + d - n;
      d = n;
      this.incomplete = true;
    }
    let sign = this.aSign;
    let r2 = 0;
    let r1 = this.aHi >>> 0;
    let r0 = this.aLo >>> 0;
    let q = 0;
    if (d < 0) {
      // |A| < |B|: the truncated quotient is 0; FPREM1 may still round it to 1.
      if (!nearest || d < -1 || r1 < bHi || (r1 === bHi && r0 <= bLo)) {
        this.workFromA();
        return this.finish(64);
      }
      // A in (B/2, B): result = B - A, computed at A's scale.
      resultExp = this.aExp;
      const d0 = bLo * 2 - r0;
      const c0 = d0 < 0 ? 1 : d0 >= TWO32 ? -1 : 0;
      const d1 = bHi * 2 - r1 - c0;
      r0 = d0 >>> 0;
      r1 = d1 >>> 0;
      r2 = d1 >= TWO32 ? 1 : 0;
      sign ^= 1;
      q = 1;
    } else {
      for (let i = 0; i <= d; i++) {
        if (i > 0) {
          r2 = r1 >>> 31;
          r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
          r0 = (r0 << 1) >>> 0;
        }
        q = (q << 1) & 7;
        if (r2 !== 0 || r1 > bHi || (r1 === bHi && r0 >= bLo)) {
          const d0 = r0 - bLo;
          let borrow = d0 < 0 ? 1 : 0;
          const d1 = r1 - bHi - borrow;
          borrow = d1 < 0 ? 1 : 0;
          r0 = d0 >>> 0;
          r1 = d1 >>> 0;
          r2 -= borrow;
          q |= 1;
        }
      }
      if (nearest && !this.incomplete) {
        // Compare 2R with B; round the quotient to nearest, ties to even.
        const t2 = r1 >>> 31;
        const t1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
        const t0 = (r0 << 1) >>> 0;
        const gt = t2 !== 0 || t1 > bHi || (t1 === bHi && t0 > bLo);
        const eq = t2 === 0 && t1 === bHi && t0 === bLo;
        if (gt || (eq && (q & 1) !== 0)) {
          const d0 = bLo - r0;
          let borrow = d0 < 0 ? 1 : 0;
          const d1 = bHi - r1 - borrow;
          borrow = d1 < 0 ? 1 : 0;
          r0 = d0 >>> 0;
          r1 = d1 >>> 0;
          r2 = 0;
          sign ^= 1;
          q = (q + 1) & 7;
        }
      }
    }
    this.quotient = q;
    if (r2 === 0 && r1 === 0 && r0 === 0) {
      this.setResult(this.aSign, 0, 0, 0);
      return true;
    }
    this.sign = sign;
    this.exp = resultExp;
    this.hi = r1;
    this.lo = r0;
    this.ext = 0;
    if (r2 !== 0) {
      this.shiftRightJam(1);
      this.hi = (this.hi | 0x80000000) >>> 0;
      this.exp += 1;
    }
    return this.finish(64);
  }

  /** A * 2^trunc(B) (FSCALE). */
  scale(): boolean {
    if (this.anyNaN2()) return this.nan2();
    const ac = this.aCls;
    const bc = this.bCls;
    if (bc === CLS_INF) {
      if (this.bSign === 0) {
        if (ac === CLS_ZERO) return this.invalid();
        if (!this.denormalCheck(false)) return false;
        this.setResult(this.aSign, 0x7fff, 0x80000000, 0);
      } else {
        if (ac === CLS_INF) return this.invalid();
        if (!this.denormalCheck(false)) return false;
        this.setResult(this.aSign, 0, 0, 0);
      }
      return true;
    }
    if (!this.denormalCheck(true)) return false;
    if (ac === CLS_ZERO) {
      this.setResult(this.aSign, 0, 0, 0);
      return true;
    }
    if (ac === CLS_INF) {
      this.setResult(this.aSign, 0x7fff, 0x80000000, 0);
      return true;
    }
    let n = 0;
    if (bc === CLS_FINITE && this.bExp >= 0) {
      // |trunc(B)| beyond 2^17 already over/underflows every operand.
      n = this.bExp > 17 ? 0x40000 : Math.floor((this.bHi / TWO32) * 2 ** (this.bExp + 1));
      if (this.bSign !== 0) n = -n;
    }
    this.workFromA();
    this.exp += n;
    return this.finish(64);
  }

  /**
   * Rounds finite operand A to an integer per RC. Leaves the magnitude in hi:lo;
   * returns false when it is 2^64 or more. Sets PE/roundedUp when inexact.
   */
  roundToInteger(): boolean {
    this.roundedUp = false;
    this.sign = this.aSign;
    if (this.aCls === CLS_ZERO) {
      this.hi = 0;
      this.lo = 0;
      return true;
    }
    if (this.aExp >= 64) return false;
    this.hi = this.aHi;
    this.lo = this.aLo;
    this.ext = 0;
    if (this.aExp === 63) return true;
    this.shiftRightJam(63 - this.aExp);
    this.roundAt(64);
    return true;
  }

  /** FRNDINT. */
  roundInt(): boolean {
    const ac = this.aCls;
    if (ac >= CLS_QNAN) return this.nan1();
    if (ac === CLS_INF || ac === CLS_ZERO) {
      this.setResult(this.aSign, ac === CLS_INF ? 0x7fff : 0, ac === CLS_INF ? 0x80000000 : 0, 0);
      return true;
    }
    if (!this.denormalCheck(false)) return false;
    if (this.aExp >= 63) {
      this.setResult(this.aSign, this.aExp + BIAS, this.aHi, this.aLo);
      return true;
    }
    this.roundToInteger();
    this.exp = 63;
    this.ext = 0;
    return this.finish(64);
  }

  /** Loads an integer magnitude (hi:lo) with a sign into the packed result, exactly. */
  fromInteger(sign: number, hi: number, lo: number): void {
    this.sign = sign;
    this.exp = 63;
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    this.ext = 0;
    this.finish(64);
  }

  /**
   * Converts single-precision bits to the packed extended result exactly
   * (SNaNs stay signaling; denormals are normalized). Returns whether the
   * source was a denormal.
   */
  fromF32(bits: number): boolean {
    const sign = bits >>> 31;
    const e = (bits >>> 23) & 0xff;
    const f = bits & 0x7fffff;
    if (e === 0xff) {
      this.setResult(sign, 0x7fff, 0x80000000 | (f << 8), 0);
      return false;
    }
    if (e === 0) {
      if (f === 0) {
        this.setResult(sign, 0, 0, 0);
        return false;
      }
      this.sign = sign;
      this.exp = F32_EMIN;
      this.hi = f << 8;
      this.lo = 0;
      this.normalize64();
      this.setResult(sign, this.exp + BIAS, this.hi, 0);
      return true;
    }
    this.setResult(sign, e - 127 + BIAS, 0x80000000 | (f << 8), 0);
    return false;
  }

  /** Converts double-precision bits (two words) to the packed extended result exactly. */
  fromF64(whi: number, wlo: number): boolean {
    const sign = whi >>> 31;
    const e = (whi >>> 20) & 0x7ff;
    const hi = ((whi & 0xfffff) << 11) | (wlo >>> 21);
    const lo = (wlo << 11) >>> 0;
    if (e === 0x7ff) {
      this.setResult(sign, 0x7fff, 0x80000000 | hi, lo);
      return false;
    }
    if (e === 0) {
      if (hi === 0 && lo === 0) {
        this.setResult(sign, 0, 0, 0);
        return false;
      }
      this.exp = F64_EMIN;
      this.hi = hi >>> 0;
      this.lo = lo;
      this.normalize64();
      this.setResult(sign, this.exp + BIAS, this.hi, this.lo);
      return true;
    }
    this.setResult(sign, e - 1023 + BIAS, 0x80000000 | hi, lo);
    return false;
  }

  /**
   * Rounds finite non-zero operand A to single (prec 24) or double (prec 53)
   * precision for a memory store. Returns false when nothing may be stored
   * (unmasked OE/UE). The result is left in rSign/rExp (biased for the target
   * format, 0 for denormals) and rHi/rLo (significand with J at bit 31 of rHi).
   */
  toMemoryFormat(prec: number): boolean {
    this.workFromA();
    const single = prec === 24;
    const kind = this.roundPack(prec, single ? F32_EMIN : F64_EMIN, single ? F32_EMAX : F64_EMAX, false);
    return this.packMemory(kind, single);
  }

  private packMemory(kind: number, single: boolean): boolean {
    if (kind === KIND_NONE) return false;
    const bias = single ? 127 : 1023;
    if (kind === KIND_INF) this.setResult(this.sign, single ? 0xff : 0x7ff, 0x80000000, 0);
    else if ((this.hi & 0x80000000) === 0) this.setResult(this.sign, 0, this.hi, this.lo);
    else this.setResult(this.sign, this.exp + bias, this.hi, this.lo);
    return true;
  }

  /** Operand A as a float64 (round to nearest), for the transcendental functions. */
  aToNumber(): number {
    if (this.aCls === CLS_ZERO) return this.aSign !== 0 ? -0 : 0;
    if (this.aCls === CLS_INF) return this.aSign !== 0 ? -Infinity : Infinity;
    const m = this.aHi * TWO32 + this.aLo;
    const e = this.aExp - 63;
    const v =
      e < -1000 ? m * 2 ** -1000 * 2 ** (e + 1000) : e > 1000 ? m * 2 ** 1000 * 2 ** (e - 1000) : m * 2 ** e;
    return this.aSign !== 0 ? -v : v;
  }

  /** Significand of A as a float64 in [1, 2). */
  aMantissa(): number {
    return (this.aHi * TWO32 + this.aLo) / 2 ** 63;
  }

  /**
   * Puts a float64 into the packed result (exact: it has 53 bits); `inexact`
   * raises PE, as the approximated transcendental results are.
   */
  fromNumber(v: number, inexact: boolean): boolean {
    f64Scratch[0] = v;
    this.fromF64(f64Words[F64_HI]!, f64Words[1 - F64_HI]!);
    if (this.rExp === 0 || this.rExp === 0x7fff) return true;
    this.sign = this.rSign;
    this.exp = this.rExp - BIAS;
    this.hi = this.rHi;
    this.lo = this.rLo;
    this.ext = 0;
    if (inexact) this.flags |= SW_PE;
    return this.finish(64);
  }

  /**
   * A result a hair's breadth from operand A: just below it in magnitude when
   * `below` (sin x, cos x near 0), just above otherwise (tan x). Rounds exactly
   * per RC and raises PE (and UE for tiny results) like any inexact result.
   */
  resultNearA(below: boolean): boolean {
    this.workFromA();
    if (below) {
      if (this.lo !== 0) {
        this.lo -= 1;
      } else if (this.hi !== 0x80000000) {
        this.hi -= 1;
        this.lo = 0xffffffff;
      } else {
        this.hi = 0xffffffff;
        this.lo = 0xffffffff;
        this.exp -= 1;
      }
      this.ext = 0xffffffff;
    } else {
      this.ext = 1;
    }
    return this.finish(64);
  }

  /** Exchanges operands A and B. */
  swapOperands(): void {
    const { aSign, aExp, aHi, aLo, aCls, aDenormal } = this;
    this.aSign = this.bSign;
    this.aExp = this.bExp;
    this.aHi = this.bHi;
    this.aLo = this.bLo;
    this.aCls = this.bCls;
    this.aDenormal = this.bDenormal;
    this.bSign = aSign;
    this.bExp = aExp;
    this.bHi = aHi;
    this.bLo = aLo;
    this.bCls = aCls;
    this.bDenormal = aDenormal;
  }

  private savedB = new Float64Array(6);

  /** Keeps operand B aside while B is reused for an intermediate step. */
  saveB(): void {
    const s = this.savedB;
    s[0] = this.bSign;
    s[1] = this.bExp;
    s[2] = this.bHi;
    s[3] = this.bLo;
    s[4] = this.bCls;
    s[5] = this.bDenormal ? 1 : 0;
  }

  restoreB(): void {
    const s = this.savedB;
    this.bSign = s[0]!;
    this.bExp = s[1]!;
    this.bHi = s[2]!;
    this.bLo = s[3]!;
    this.bCls = s[4]!;
    this.bDenormal = s[5] !== 0;
  }

  /** Moves the packed result into operand A or B (to chain exact operations). */
  resultToA(): void {
    this.setA(this.rSign, this.rExp, this.rHi, this.rLo);
  }

  resultToB(): void {
    this.setB(this.rSign, this.rExp, this.rHi, this.rLo);
  }
}
