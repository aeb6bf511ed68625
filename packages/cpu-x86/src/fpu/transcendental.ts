import { BIAS, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_ZERO, type Float80 } from './float80.js';
import { SW_PE, SW_ZE } from './status.js';

/**
 * F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN, FCOS and FPTAN. Special operands
 * (zeros, infinities, NaNs, domain errors) follow the SDM tables exactly; finite
 * results come from float64 Math functions, so they carry about 53 correct bits
 * and always raise PE. Each function works on the unpacked operands of `f`
 * (A = ST(0), B = ST(1)) and leaves its result in `f`'s packed result.
 */

const TWO32 = 4294967296;

/** Below this exponent sin x, tan x and cos x are within 2^-64 relative of x, x and 1. */
const TRIG_TINY = -32;

function setZero(f: Float80, sign: number): boolean {
  f.setResult(sign, 0, 0, 0);
  return true;
}

function setInfinity(f: Float80, sign: number): boolean {
  f.setResult(sign, 0x7fff, 0x80000000, 0);
  return true;
}

export function fsin(f: Float80): boolean {
  return sinOrTan(f, false);
}

export function fptan(f: Float80): boolean {
  return sinOrTan(f, true);
}

function sinOrTan(f: Float80, tan: boolean): boolean {
  const c = f.aCls;
  if (c >= CLS_QNAN) return f.nan1();
  if (c === CLS_INF) return f.invalid();
  if (c === CLS_ZERO) return setZero(f, f.aSign);
  if (!f.denormalCheck(false)) return false;
  // sin x is a little below x in magnitude, tan x a little above.
  if (f.aExp < TRIG_TINY) return f.resultNearA(!tan);
  const x = f.aToNumber();
  return f.fromNumber(tan ? Math.tan(x) : Math.sin(x), true);
}

export function fcos(f: Float80): boolean {
  const c = f.aCls;
  if (c >= CLS_QNAN) return f.nan1();
  if (c === CLS_INF) return f.invalid();
  if (c === CLS_ZERO) {
    f.setResult(0, BIAS, 0x80000000, 0);
    return true;
  }
  if (!f.denormalCheck(false)) return false;
  if (f.aExp < TRIG_TINY) {
    f.setA(0, BIAS, 0x80000000, 0);
    return f.resultNearA(true);
  }
  return f.fromNumber(Math.cos(f.aToNumber()), true);
}

export function f2xm1(f: Float80): boolean {
  const c = f.aCls;
  if (c >= CLS_QNAN) return f.nan1();
  if (c === CLS_ZERO) return setZero(f, f.aSign);
  if (c === CLS_INF) {
    if (f.aSign === 0) return setInfinity(f, 0);
    f.setResult(1, BIAS, 0x80000000, 0);
    return true;
  }
  if (!f.denormalCheck(false)) return false;
  if (f.aExp < -60) {
    // 2^x - 1 = x ln 2 to far beyond 64 bits here; multiply exactly by ln 2.
    f.setB(0, 0x3ffe, 0xb17217f7, 0xd1cf79ac);
    return f.mul(64);
  }
  return f.fromNumber(Math.expm1(f.aToNumber() * Math.LN2), true);
}

/** ST(1) * L where L is a float64 approximation of a logarithm: exact multiply, PE raised. */
function timesY(f: Float80, log: number): boolean {
  f.saveB();
  f.fromNumber(log, true);
  f.resultToA();
  f.restoreB();
  return f.mul(64);
}

/** FYL2X: ST(1) * log2(ST(0)). */
export function fyl2x(f: Float80): boolean {
  if (f.anyNaN2()) return f.nan2();
  const xc = f.aCls;
  const yc = f.bCls;
  if (xc !== CLS_ZERO && f.aSign !== 0) return f.invalid();
  if (xc === CLS_ZERO) {
    if (yc === CLS_ZERO) return f.invalid();
    if (yc === CLS_INF) return setInfinity(f, f.bSign ^ 1);
    if (!f.denormalCheck(true)) return false;
    f.flags |= SW_ZE;
    if ((f.masks & SW_ZE) === 0) return false;
    return setInfinity(f, f.bSign ^ 1);
  }
  if (xc === CLS_INF) {
    if (yc === CLS_ZERO) return f.invalid();
    if (!f.denormalCheck(true)) return false;
    return setInfinity(f, f.bSign);
  }
  if (!f.denormalCheck(true)) return false;
  const one = f.aExp === 0 && f.aHi === 0x80000000 && f.aLo === 0;
  const below = f.aExp < 0 ? 1 : 0;
  if (yc === CLS_INF) return one ? f.invalid() : setInfinity(f, f.bSign ^ below);
  if (one) return setZero(f, f.bSign);
  if (yc === CLS_ZERO) return setZero(f, f.bSign ^ below);
  let log: number;
  if (f.aExp === 0) {
    // x - 1 is exact near 1; log1p keeps the relative precision there.
    log = Math.log1p(((f.aHi - 0x80000000) * TWO32 + f.aLo) * 2 ** -63) / Math.LN2;
  } else if (f.aExp === -1) {
    log = Math.log1p(-(((0xffffffff - f.aHi) * TWO32 + (TWO32 - f.aLo)) * 2 ** -64)) / Math.LN2;
  } else {
    log = f.aExp + Math.log2(f.aMantissa());
  }
  return timesY(f, log);
}

/** FYL2XP1: ST(1) * log2(ST(0) + 1). */
export function fyl2xp1(f: Float80): boolean {
  if (f.anyNaN2()) return f.nan2();
  const xc = f.aCls;
  const yc = f.bCls;
  if (xc === CLS_INF) {
    if (f.aSign !== 0 || yc === CLS_ZERO) return f.invalid();
    return setInfinity(f, f.bSign);
  }
  if (xc === CLS_ZERO) {
    if (yc === CLS_INF) return f.invalid();
    if (!f.denormalCheck(true)) return false;
    return setZero(f, f.aSign ^ f.bSign);
  }
  if (!f.denormalCheck(true)) return false;
  const x = f.aToNumber();
  if (x < -1) return f.invalid();
  if (x === -1) {
    if (yc === CLS_ZERO) return f.invalid();
    f.flags |= SW_ZE;
    if ((f.masks & SW_ZE) === 0) return false;
    return setInfinity(f, f.bSign ^ 1);
  }
  if (yc === CLS_INF) return setInfinity(f, f.aSign ^ f.bSign);
  if (yc === CLS_ZERO) return setZero(f, f.aSign ^ f.bSign);
  if (f.aExp < -60) {
    // log2(1 + x) = x log2(e) to far beyond 64 bits. The intermediate product
    // is formed 2^16384 times too large so it cannot underflow on its own.
    f.saveB();
    f.setB(0, 0x3fff, 0xb8aa3b29, 0x5c17f0bc);
    f.aExp += 16384;
    f.mul(64);
    f.resultToA();
    f.aExp -= 16384;
    f.restoreB();
    return f.mul(64);
  }
  return timesY(f, Math.log1p(x) / Math.LN2);
}

/** A finite non-zero operand's magnitude scaled by 2^-k, as a float64 with its sign. */
function scaled(sign: number, cls: number, exp: number, hi: number, lo: number, k: number): number {
  let v: number;
  if (cls === CLS_ZERO) v = 0;
  else if (cls === CLS_INF) v = Number.POSITIVE_INFINITY;
  else v = ((hi * TWO32 + lo) / 2 ** 63) * 2 ** Math.max(exp - k, -1100);
  return sign !== 0 ? -v : v;
}

/** FPATAN: arctan(ST(1) / ST(0)) with the quadrant from both signs. */
export function fpatan(f: Float80): boolean {
  if (f.anyNaN2()) return f.nan2();
  if (!f.denormalCheck(true)) return false;
  if (f.aCls === CLS_FINITE && f.bCls === CLS_FINITE && f.bExp - f.aExp < -64) {
    // |y/x| < 2^-63: arctan is y/x itself to 64 bits for x > 0, and pi for x < 0.
    f.flags |= SW_PE;
    if (f.aSign !== 0) {
      f.setResult(f.bSign, 0x4000, 0xc90fdaa2, 0x2168c235);
      return true;
    }
    f.swapOperands();
    return f.div(64);
  }
  // Scale both by the larger exponent so the ratio survives float64's range.
  const k = Math.max(f.aCls === CLS_FINITE ? f.aExp : 0, f.bCls === CLS_FINITE ? f.bExp : 0);
  const x = scaled(f.aSign, f.aCls, f.aExp, f.aHi, f.aLo, k);
  const y = scaled(f.bSign, f.bCls, f.bExp, f.bHi, f.bLo, k);
  const r = Math.atan2(y, x);
  if (r === 0) return setZero(f, Object.is(r, -0) ? 1 : 0);
  return f.fromNumber(r, true);
}
