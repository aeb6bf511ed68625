import {
  CF,
  CR0_EM,
  CR0_TS,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  EDI,
  NM,
  PF,
  UD,
  XM,
  ZF,
} from '../core/constants.js';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { ADD, DIV, EQUAL, GREATER, LESS, SimdFloat, SQRT, SUB } from '../simd/float.js';
import * as I from '../simd/integer.js';
import {
  DST,
  MXCSR_DAZ,
  MXCSR_FTZ,
  MXCSR_MASK,
  MXCSR_RESET,
  type SimdState,
  SRC,
  TMP,
} from '../simd/state.js';
import { linR, linW } from './operands.js';
import type { Handler } from './table.js';

/**
 * The handlers of MMX, SSE, SSE2, SSE3 and SSSE3 (0F 10-17, 28-2F, 50-7F,
 * C2-C7, D0-FF, 0F AE /2-/7, 0F 38 00-1E, 0F 3A 0F). Their table entries
 * (`opcodes-simd.ts`) say which mandatory prefix and CPUID feature each form
 * has; a handler shared by several prefixes reads `Instr.pfx` to tell them
 * apart (none and F3 single, 66 and F2 double precision). Forms without an
 * entry, and those of sets the model lacks, never reach a handler (#UD).
 */

const fp = new SimdFloat();

/** XMM instructions: #UD with CR0.EM or without CR4.OSFXSR; #NM on CR0.TS. */
function needSse(c: X86): SimdState {
  if (c.cr0 & CR0_EM || (c.cr4 & CR4_OSFXSR) === 0) c.raise(UD);
  if (c.cr0 & CR0_TS) c.raise(NM);
  return c.simd;
}

/** MMX-register instructions: #UD with CR0.EM or without an x87 unit, #NM on CR0.TS, then a pending x87 error (#MF). */
function needMmx(c: X86): SimdState {
  if (c.cr0 & CR0_EM || c.fpu === null || c.simd.x87 === null) c.raise(UD);
  if (c.cr0 & CR0_TS) c.raise(NM);
  c.fpu.checkPendingException();
  return c.simd;
}

/** `bytes` (4, 8 or 16) of the memory operand into the slot at `at`; `aligned` forms fault with #GP(0) off a 16-byte boundary. */
function load(c: X86, i: Instr, bytes: number, at: number, aligned: boolean): void {
  const lin = linR(c, i, bytes);
  if (aligned && lin & 15) c.gp(0);
  const u = c.simd.u32;
  for (let k = 0; k < bytes >> 2; k++) u[(at >> 2) + k] = c.read32((lin + 4 * k) | 0);
}

function store(c: X86, i: Instr, bytes: number, from: number, aligned: boolean): void {
  const lin = linW(c, i, bytes);
  if (aligned && lin & 15) c.gp(0);
  c.probeWrite(lin, bytes);
  const u = c.simd.u32;
  for (let k = 0; k < bytes >> 2; k++) c.write32((lin + 4 * k) | 0, u[(from >> 2) + k]!);
}

/** The XMM r/m source: a register's offset, or the memory operand loaded into SRC. */
function xmmSrc(c: X86, i: Instr, bytes = 16, aligned = bytes === 16): number {
  if (i.mod === 3) return i.rm * 16;
  load(c, i, bytes, SRC, aligned);
  return SRC;
}

/** The MMX r/m source (MMn, or `bytes` of memory) in SRC. */
function mmSrc(c: X86, i: Instr, bytes = 8): number {
  if (i.mod === 3) c.simd.loadMm(i.rm, SRC);
  else load(c, i, bytes, SRC, false);
  return SRC;
}

/** An MMX instruction's destination MMn into DST, after its source is read and the state is MMX. */
function mmDst(s: SimdState, r: number): number {
  s.enterMmx();
  s.loadMm(r, DST);
  return DST;
}

/**
 * The MMX form (no prefix) of an integer operation; `bytes` of a memory
 * source are read (4 for the low unpacks, which use only those).
 */
export function integerMmx(fn: I.IntOp, bytes = 8): Handler {
  return (c, i) => {
    const s = needMmx(c);
    const a = mmSrc(c, i, bytes);
    fn(s, mmDst(s, i.reg), a, 8);
    s.storeMm(DST, i.reg);
  };
}

/** The XMM form (66) of an integer operation. */
export function integerXmm(fn: I.IntOp): Handler {
  return (c, i) => {
    const s = needSse(c);
    fn(s, i.reg * 16, xmmSrc(c, i), 16);
  };
}

/** 0F 3A 0F PALIGNR mm, mm/m64, imm8 (SSSE3). */
export const palignrMmx: Handler = (c, i) => {
  const s = needMmx(c);
  const a = mmSrc(c, i);
  I.palignr(s, mmDst(s, i.reg), a, i.imm, 8);
  s.storeMm(DST, i.reg);
};

/** 66 0F 3A 0F PALIGNR xmm, xmm/m128, imm8. */
export const palignrXmm: Handler = (c, i) => {
  const s = needSse(c);
  I.palignr(s, i.reg * 16, xmmSrc(c, i), i.imm, 16);
};

/** Ends a floating-point instruction: flags into MXCSR; #XM (or #UD without CR4.OSXMMEXCPT) for an unmasked one, else the result from TMP. */
function commit(c: X86, s: SimdState, d: number): void {
  raiseUnmasked(c, s);
  s.copy(TMP, d);
}

/** The operation's exception flags into MXCSR; #XM (#UD without CR4.OSXMMEXCPT) when one is unmasked. */
function raiseUnmasked(c: X86, s: SimdState): void {
  const flags = fp.flags;
  s.mxcsr |= flags;
  if (flags & ~(s.mxcsr >>> 7) & 0x3f) c.raise(c.cr4 & CR4_OSXMMEXCPT ? XM : UD);
}

function begin(s: SimdState): void {
  fp.begin(s.mxcsr);
}

/**
 * The packed and scalar single/double forms (none, 66, F3, F2): `lane` runs on
 * each lane of the destination, the source and the destination's old value
 * (as Uint32 indices) with the instruction, then the result is committed or
 * a fault raised.
 */
function lanewise(
  c: X86,
  i: Instr,
  lane: (s: SimdState, d: number, a: number, t: number, single: boolean, i: Instr) => void,
): void {
  const s = needSse(c);
  const p = i.pfx;
  const single = p === 0 || p === 0xf3;
  const scalar = p === 0xf3 || p === 0xf2;
  const a = scalar ? xmmSrc(c, i, single ? 4 : 8) : xmmSrc(c, i);
  const d = i.reg * 16;
  s.copy(d, TMP);
  begin(s);
  const lanes = scalar ? 1 : single ? 4 : 2;
  const step = single ? 1 : 2;
  for (let k = 0; k < lanes * step; k += step) lane(s, (d >> 2) + k, (a >> 2) + k, (TMP >> 2) + k, single, i);
  commit(c, s, d);
}

// The lane functions are made once, not per instruction.
export function arith(op: number): Handler {
  const lane = (s: SimdState, d: number, a: number, t: number, single: boolean) =>
    fp.arith(op, s, d, a, t, single);
  return (c, i) => lanewise(c, i, lane);
}

const compareLane = (s: SimdState, d: number, a: number, t: number, single: boolean, i: Instr) =>
  fp.compare(i.imm & 7, s, d, a, t, single);
/** 0F C2 CMPPS, CMPPD, CMPSS, CMPSD by the predicate in imm8. */
export const cmp: Handler = (c, i) => lanewise(c, i, compareLane);

/** UCOMISS/COMISS (and SD with 66): ZF PF CF from the order, OF SF AF cleared; COMIS signals on QNaNs too. */
export function comis(signalQuiet: boolean): Handler {
  return (c, i) => {
    const single = i.pfx === 0;
    const s = needSse(c);
    const a = xmmSrc(c, i, single ? 4 : 8);
    const d = i.reg * 16;
    s.copy(d, TMP);
    begin(s);
    const r = fp.relation(s, d >> 2, a >> 2, single, signalQuiet);
    commit(c, s, d);
    c.setArith(r === LESS ? CF : r === EQUAL ? ZF : r === GREATER ? 0 : ZF | PF | CF);
  };
}

/** Bitwise ANDPS/ANDNPS/ORPS/XORPS (and PD with 66): no FP exceptions. */
export const logic = integerXmm;

/** 0F 10 / 0F 11: MOVUPS, MOVUPD, MOVSS, MOVSD, loads and stores. */
export function movups(toMem: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    const p = i.pfx;
    const bytes = p === 0xf3 ? 4 : p === 0xf2 ? 8 : 16;
    const x = i.reg * 16;
    if (toMem) {
      if (i.mod === 3) moveLanes(s, x, i.rm * 16, bytes);
      else store(c, i, bytes, x, false);
    } else if (i.mod === 3) moveLanes(s, i.rm * 16, x, bytes);
    else {
      load(c, i, bytes, SRC, false);
      s.u32.fill(0, (SRC + bytes) >> 2, (SRC + 16) >> 2);
      s.copy(SRC, x);
    }
  };
}

function moveLanes(s: SimdState, from: number, to: number, bytes: number): void {
  for (let k = 0; k < bytes >> 2; k++) s.u32[(to >> 2) + k] = s.u32[(from >> 2) + k]!;
}

/** MOVAPS/MOVAPD (28 load, 29 store) and MOVNTPS/PD (2B, memory only). */
export function movaps(toMem: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    if (i.mod === 3) {
      if (toMem) s.copy(i.reg * 16, i.rm * 16);
      else s.copy(i.rm * 16, i.reg * 16);
    } else if (toMem) store(c, i, 16, i.reg * 16, true);
    else {
      load(c, i, 16, SRC, true);
      s.copy(SRC, i.reg * 16);
    }
  };
}

/** 0F 12/13/16/17: MOVLPS/MOVLPD, MOVHLPS, MOVHPS/MOVHPD, MOVLHPS (`high` picks the upper quadword). */
export function movlps(toMem: boolean, high: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    const x = i.reg * 16 + (high ? 8 : 0);
    // MOVHLPS (12) and MOVLHPS (16): the register forms of the loads.
    if (i.mod === 3) moveLanes(s, i.rm * 16 + (high ? 0 : 8), x, 8);
    else if (toMem) store(c, i, 8, x, false);
    else {
      load(c, i, 8, SRC, false);
      moveLanes(s, SRC, x, 8);
    }
  };
}

/** UNPCKLPS/UNPCKHPS (dwords) and UNPCKLPD/UNPCKHPD (quadwords, 66). */
export function unpckps(high: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    const fn = i.pfx === 0 ? (high ? I.punpckhdq : I.punpckldq) : high ? I.punpckhqdq : I.punpcklqdq;
    fn(s, i.reg * 16, xmmSrc(c, i), 16);
  };
}

/** 0F C6 SHUFPS and 66 SHUFPD. */
export const shufps: Handler = (c, i) => {
  const s = needSse(c);
  const a = xmmSrc(c, i);
  const d = i.reg * 16;
  const u = s.u32;
  const t = TMP >> 2;
  if (i.pfx === 0) {
    u[t] = u[(d >> 2) + (i.imm & 3)]!;
    u[t + 1] = u[(d >> 2) + ((i.imm >> 2) & 3)]!;
    u[t + 2] = u[(a >> 2) + ((i.imm >> 4) & 3)]!;
    u[t + 3] = u[(a >> 2) + ((i.imm >> 6) & 3)]!;
  } else {
    moveLanes(s, d + (i.imm & 1 ? 8 : 0), TMP, 8);
    moveLanes(s, a + (i.imm & 2 ? 8 : 0), TMP + 8, 8);
  }
  s.copy(TMP, d);
};

/** MOVMSKPS/MOVMSKPD: the sign bits into a general register. */
export const movmskps: Handler = (c, i) => {
  const s = needSse(c);
  const u = s.u32;
  const a = (i.rm * 16) >> 2;
  c.regs[i.reg] =
    i.pfx === 0
      ? (u[a]! >>> 31) | ((u[a + 1]! >>> 31) << 1) | ((u[a + 2]! >>> 31) << 2) | ((u[a + 3]! >>> 31) << 3)
      : (u[a + 1]! >>> 31) | ((u[a + 3]! >>> 31) << 1);
};

/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS. The SDM bounds their relative error by
 * 1.5 * 2^-12 and leaves the value to the implementation; this CPU gives
 * QEMU's: 1/x and 1/sqrt(x) (the root rounded first) as single divisions
 * under MXCSR's rounding control, with no flag and no exception. The SDM's
 * own rules hold whatever MXCSR says (QEMU applies them only under DAZ and
 * FTZ): a denormal source counts as zero, so the result is infinite, and a
 * tiny result is flushed to zero.
 */
const APPROX_MXCSR = MXCSR_RESET | MXCSR_DAZ | MXCSR_FTZ;
/** Scratch lanes in DST, which only MMX instructions use otherwise: 1.0 and the rounded root. */
const ONE = DST >> 2;
const ROOT = ONE + 1;
export function approx(sqrt: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    const scalar = i.pfx === 0xf3;
    const a = xmmSrc(c, i, scalar ? 4 : 16);
    const d = i.reg * 16;
    s.copy(d, TMP);
    fp.begin(s.mxcsr | APPROX_MXCSR);
    s.u32[ONE] = 0x3f800000;
    for (let k = 0; k < (scalar ? 1 : 4); k++) {
      let x = (a >> 2) + k;
      if (sqrt) {
        fp.arith(SQRT, s, x, x, ROOT, true);
        x = ROOT;
      }
      fp.arith(DIV, s, ONE, x, (TMP >> 2) + k, true);
    }
    s.copy(TMP, d);
  };
}

/** 0F 5A: CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS. */
export const cvt5a: Handler = (c, i) => {
  const s = needSse(c);
  const p = i.pfx;
  const fromSingle = p === 0 || p === 0xf3;
  const scalar = p === 0xf3 || p === 0xf2;
  const a = xmmSrc(c, i, scalar ? (fromSingle ? 4 : 8) : p === 0 ? 8 : 16);
  const d = i.reg * 16;
  s.copy(d, TMP);
  begin(s);
  const t = TMP >> 2;
  if (scalar) fp.convert(s, a >> 2, t, !fromSingle);
  else if (fromSingle) {
    // Both sources are read before either lane is written (a may be the destination).
    s.copy(a, SRC);
    fp.convert(s, SRC >> 2, t, false);
    fp.convert(s, (SRC >> 2) + 1, t + 2, false);
  } else {
    fp.convert(s, a >> 2, t, true);
    fp.convert(s, (a >> 2) + 2, t + 1, true);
    s.u32[t + 2] = 0;
    s.u32[t + 3] = 0;
  }
  commit(c, s, d);
};

/** 0F 5B: CVTDQ2PS (none), CVTPS2DQ (66), CVTTPS2DQ (F3). */
export const cvt5b: Handler = (c, i) => {
  const s = needSse(c);
  const a = xmmSrc(c, i);
  const d = i.reg * 16;
  begin(s);
  const t = TMP >> 2;
  for (let k = 0; k < 4; k++) {
    if (i.pfx === 0) fp.fromInt32(s, s.i32[(a >> 2) + k]!, t + k, true);
    else s.i32[t + k] = fp.toInt32(s, (a >> 2) + k, true, i.pfx === 0xf3);
  }
  commit(c, s, d);
};

/** 0F E6: CVTTPD2DQ (66), CVTDQ2PD (F3), CVTPD2DQ (F2). */
export const cvte6: Handler = (c, i) => {
  const s = needSse(c);
  const a = xmmSrc(c, i, i.pfx === 0xf3 ? 8 : 16);
  const d = i.reg * 16;
  begin(s);
  const t = TMP >> 2;
  if (i.pfx === 0xf3) {
    const lo = s.i32[a >> 2]!;
    const hi = s.i32[(a >> 2) + 1]!;
    fp.fromInt32(s, lo, t, false);
    fp.fromInt32(s, hi, t + 2, false);
  } else {
    const x = fp.toInt32(s, a >> 2, false, i.pfx === 0x66);
    const y = fp.toInt32(s, (a >> 2) + 2, false, i.pfx === 0x66);
    s.i32[t] = x;
    s.i32[t + 1] = y;
    s.u32[t + 2] = 0;
    s.u32[t + 3] = 0;
  }
  commit(c, s, d);
};

/** 0F 2A: CVTPI2PS, CVTPI2PD (from MMX), CVTSI2SS, CVTSI2SD (from r/m32). */
export const cvt2a: Handler = (c, i) => {
  const p = i.pfx;
  const single = p === 0 || p === 0xf3;
  const s = needSse(c);
  let lo: number;
  let hi = 0;
  if (p === 0 || p === 0x66) {
    if (i.mod === 3) {
      needMmx(c);
      s.loadMm(i.rm, SRC);
      s.enterMmx();
    } else load(c, i, 8, SRC, false);
    lo = s.i32[SRC >> 2]!;
    hi = s.i32[(SRC >> 2) + 1]!;
  } else lo = i.mod === 3 ? c.regs[i.rm]! : c.read32(linR(c, i, 4));
  const d = i.reg * 16;
  s.copy(d, TMP);
  begin(s);
  const t = TMP >> 2;
  fp.fromInt32(s, lo, t, single);
  if (p === 0) fp.fromInt32(s, hi, t + 1, true);
  else if (p === 0x66) fp.fromInt32(s, hi, t + 2, false);
  commit(c, s, d);
};

/** 0F 2C/2D: CVT(T)PS2PI, CVT(T)PD2PI (to MMX), CVT(T)SS2SI, CVT(T)SD2SI (to r32). */
export function cvtToInt(truncate: boolean): Handler {
  return (c, i) => {
    const p = i.pfx;
    const single = p === 0 || p === 0xf3;
    const s = needSse(c);
    const toMm = p === 0 || p === 0x66;
    if (toMm) needMmx(c);
    const a = xmmSrc(c, i, p === 0x66 ? 16 : p === 0 || p === 0xf2 ? 8 : 4);
    begin(s);
    const x = fp.toInt32(s, a >> 2, single, truncate);
    const y = toMm ? fp.toInt32(s, (a >> 2) + (single ? 1 : 2), single, truncate) : 0;
    raiseUnmasked(c, s);
    if (toMm) {
      s.enterMmx();
      s.i32[DST >> 2] = x;
      s.i32[(DST >> 2) + 1] = y;
      s.storeMm(DST, i.reg);
    } else c.regs[i.reg] = x;
  };
}

/** 0F 6E MOVD mm, r/m32 (zero-extended). */
export const movdMmx: Handler = (c, i) => {
  const s = needMmx(c);
  const x = i.mod === 3 ? c.regs[i.rm]! : c.read32(linR(c, i, 4));
  s.enterMmx();
  s.i32[DST >> 2] = x;
  s.u32[(DST >> 2) + 1] = 0;
  s.storeMm(DST, i.reg);
};

/** 66 0F 6E MOVD xmm, r/m32 (zero-extended). */
export const movdXmm: Handler = (c, i) => {
  const s = needSse(c);
  const x = i.mod === 3 ? c.regs[i.rm]! : c.read32(linR(c, i, 4));
  const r = (i.reg * 16) >> 2;
  s.u32.fill(0, r, r + 4);
  s.i32[r] = x;
};

/** 0F 7E MOVD r/m32, mm and 66 0F 7E MOVD r/m32, xmm. */
export const movdStore: Handler = (c, i) => {
  let x: number;
  if (i.pfx === 0x66) x = needSse(c).u32[(i.reg * 16) >> 2]!;
  else {
    const s = needMmx(c);
    s.enterMmx();
    x = s.x87!.sigLo[i.reg]!;
  }
  if (i.mod === 3) c.regs[i.rm] = x;
  else c.write32(linW(c, i, 4), x);
};

/** F3 0F 7E MOVQ xmm, xmm/m64 (the upper quadword cleared). */
export const movqXmmLoad: Handler = (c, i) => {
  const s = needSse(c);
  const a = xmmSrc(c, i, 8);
  moveLanes(s, a, TMP, 8);
  s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
  s.copy(TMP, i.reg * 16);
};

/** 0F 6F MOVQ mm, mm/m64. */
export const movqMmxLoad: Handler = (c, i) => {
  const s = needMmx(c);
  const a = mmSrc(c, i);
  s.enterMmx();
  s.storeMm(a, i.reg);
};

/** 66 0F 6F MOVDQA (aligned) and F3 0F 6F MOVDQU xmm, xmm/m128. */
export const movdqaLoad: Handler = (c, i) => {
  const s = needSse(c);
  s.copy(xmmSrc(c, i, 16, i.pfx === 0x66), i.reg * 16);
};

/** 0F 7F MOVQ mm/m64, mm. */
export const movqMmxStore: Handler = (c, i) => {
  const s = needMmx(c);
  s.loadMm(i.reg, DST);
  s.enterMmx();
  if (i.mod === 3) s.storeMm(DST, i.rm);
  else store(c, i, 8, DST, false);
};

/** 66 0F 7F MOVDQA and F3 0F 7F MOVDQU xmm/m128, xmm. */
export const movdqaStore: Handler = (c, i) => {
  const s = needSse(c);
  if (i.mod === 3) s.copy(i.reg * 16, i.rm * 16);
  else store(c, i, 16, i.reg * 16, i.pfx === 0x66);
};

/** 66 0F D6 MOVQ xmm/m64, xmm. */
export const movqXmmStore: Handler = (c, i) => {
  const s = needSse(c);
  if (i.mod !== 3) store(c, i, 8, i.reg * 16, false);
  else {
    moveLanes(s, i.reg * 16, TMP, 8);
    s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
    s.copy(TMP, i.rm * 16);
  }
};

/** F3 0F D6 MOVQ2DQ xmm, mm. */
export const movq2dq: Handler = (c, i) => {
  const s = needSse(c);
  needMmx(c);
  s.enterMmx();
  s.loadMm(i.rm, TMP);
  s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
  s.copy(TMP, i.reg * 16);
};

/** F2 0F D6 MOVDQ2Q mm, xmm. */
export const movdq2q: Handler = (c, i) => {
  const s = needSse(c);
  needMmx(c);
  s.enterMmx();
  s.storeMm(i.rm * 16, i.reg);
};

/** 0F 70 PSHUFW mm, mm/m64, imm8. */
export const pshufw: Handler = (c, i) => {
  const s = needMmx(c);
  const a = mmSrc(c, i);
  s.enterMmx();
  I.pshufw(s, DST, a, i.imm, 0, 8);
  s.storeMm(DST, i.reg);
};

/** 0F 70 PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
export const pshufXmm: Handler = (c, i) => {
  const s = needSse(c);
  const a = xmmSrc(c, i);
  if (i.pfx === 0x66) I.pshufd(s, i.reg * 16, a, i.imm);
  else I.pshufw(s, i.reg * 16, a, i.imm, i.pfx === 0xf3 ? 8 : 0, 16);
};

/** 0F 71-73 /2 PSRL, /4 PSRA, /6 PSLL mm, imm8 (`w` the element's bytes). */
export function shiftImmMmx(w: number, kind: number): Handler {
  return (c, i) => {
    const s = needMmx(c);
    I.shift(s, mmDst(s, i.rm), 8, w, kind, i.imm, 0);
    s.storeMm(DST, i.rm);
  };
}

/** 66 0F 71-73 /2 PSRL, /4 PSRA, /6 PSLL xmm, imm8. */
export function shiftImmXmm(w: number, kind: number): Handler {
  return (c, i) => I.shift(needSse(c), i.rm * 16, 16, w, kind, i.imm, 0);
}

/** 66 0F 73 /3 PSRLDQ and /7 PSLLDQ xmm, imm8: whole bytes. */
export const shiftBytes: Handler = (c, i) => {
  I.shiftBytes(needSse(c), i.rm * 16, i.imm > 15 ? 16 : i.imm, i.reg === 7);
};

/** Shifts by the count in an MMX register or memory (its whole quadword). */
export function shiftRegMmx(w: number, kind: number): Handler {
  return (c, i) => {
    const s = needMmx(c);
    const a = mmSrc(c, i);
    I.shift(s, mmDst(s, i.reg), 8, w, kind, s.u32[a >> 2]!, s.u32[(a >> 2) + 1]!);
    s.storeMm(DST, i.reg);
  };
}

/** Shifts by the count in an XMM register or memory (its low quadword). */
export function shiftRegXmm(w: number, kind: number): Handler {
  return (c, i) => {
    const s = needSse(c);
    const a = xmmSrc(c, i);
    I.shift(s, i.reg * 16, 16, w, kind, s.u32[a >> 2]!, s.u32[(a >> 2) + 1]!);
  };
}

export const emms: Handler = (c) => {
  needMmx(c).emms();
};

/** 0F C4 PINSRW mm, r32/m16, imm8. */
export const pinsrwMmx: Handler = (c, i) => {
  const s = needMmx(c);
  const x = i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(linR(c, i, 2));
  mmDst(s, i.reg);
  s.u16[(DST >> 1) + (i.imm & 3)] = x;
  s.storeMm(DST, i.reg);
};

/** 66 0F C4 PINSRW xmm, r32/m16, imm8. */
export const pinsrwXmm: Handler = (c, i) => {
  const s = needSse(c);
  s.u16[((i.reg * 16) >> 1) + (i.imm & 7)] = i.mod === 3 ? c.regs[i.rm]! & 0xffff : c.read16(linR(c, i, 2));
};

/** 0F C5 PEXTRW r32, mm, imm8 and 66 PEXTRW r32, xmm, imm8 (register forms only). */
export const pextrw: Handler = (c, i) => {
  if (i.pfx === 0x66) c.regs[i.reg] = needSse(c).u16[((i.rm * 16) >> 1) + (i.imm & 7)]!;
  else {
    const s = needMmx(c);
    c.regs[i.reg] = s.u16[(mmDst(s, i.rm) >> 1) + (i.imm & 3)]!;
  }
};

/** 0F D7 PMOVMSKB r32, mm/xmm (register forms only). */
export const pmovmskb: Handler = (c, i) => {
  if (i.pfx === 0x66) c.regs[i.reg] = I.pmovmskb(needSse(c), i.rm * 16, 16);
  else {
    const s = needMmx(c);
    c.regs[i.reg] = I.pmovmskb(s, mmDst(s, i.rm), 8);
  }
};

/** 0F F7 MASKMOVQ / 66 MASKMOVDQU: bytes whose mask byte has its top bit set, to DS:(E)DI (segment override allowed). */
export const maskmov: Handler = (c, i) => {
  let s: SimdState;
  let n: number;
  if (i.pfx === 0x66) {
    s = needSse(c);
    s.copy(i.reg * 16, SRC);
    s.copy(i.rm * 16, TMP);
    n = 16;
  } else {
    s = needMmx(c);
    s.enterMmx();
    s.loadMm(i.reg, SRC);
    s.loadMm(i.rm, TMP);
    n = 8;
  }
  const off = i.a32 ? c.regs[EDI]! : c.regs[EDI]! & 0xffff;
  for (let k = 0; k < n; k++) {
    if (s.u8[TMP + k]! & 0x80)
      c.write8(c.segWrite(i.seg, i.a32 ? (off + k) | 0 : (off + k) & 0xffff, 1), s.u8[SRC + k]!);
  }
};

/** 0F E7 MOVNTQ m64, mm; the non-temporal hint changes nothing here. */
export const movntq: Handler = (c, i) => {
  const s = needMmx(c);
  s.enterMmx();
  s.loadMm(i.reg, DST);
  store(c, i, 8, DST, false);
};

/** 66 0F E7 MOVNTDQ m128, xmm (aligned). */
export const movntdq: Handler = (c, i) => {
  needSse(c);
  store(c, i, 16, i.reg * 16, true);
};

/** 0F C3 MOVNTI m32, r32. */
export const movnti: Handler = (c, i) => {
  needSse(c);
  c.write32(linW(c, i, 4), c.regs[i.reg]!);
};

/** 0F AE /2 LDMXCSR m32: #GP(0) for reserved bits. */
export const ldmxcsr: Handler = (c, i) => {
  const s = needSse(c);
  const v = c.read32(linR(c, i, 4));
  if (v & ~MXCSR_MASK) c.gp(0);
  s.mxcsr = v;
};

/** 0F AE /3 STMXCSR m32. */
export const stmxcsr: Handler = (c, i) => {
  const s = needSse(c);
  c.write32(linW(c, i, 4), s.mxcsr);
};

/** 0F AE /5 LFENCE, /6 MFENCE, /7 SFENCE (register forms): one processor, nothing to order; the SSE checks only. */
export const fence: Handler = (c) => {
  needSse(c);
};

/** 0F AE /7 CLFLUSH m8: no cache to flush, but the byte's segment and page checks of a read. */
export const clflush: Handler = (c, i) => {
  c.translate(linR(c, i, 1), false, c.cpl === 3);
};

/** ADDSUBPS (F2) and ADDSUBPD (66): odd lanes add, even lanes subtract. */
export const addsub: Handler = (c, i) => {
  const s = needSse(c);
  const single = i.pfx === 0xf2;
  const a = xmmSrc(c, i);
  const d = i.reg * 16;
  s.copy(d, TMP);
  begin(s);
  const step = single ? 1 : 2;
  for (let k = 0, n = 0; k < 4; k += step, n++)
    fp.arith(n & 1 ? ADD : SUB, s, (d >> 2) + k, (a >> 2) + k, (TMP >> 2) + k, single);
  commit(c, s, d);
};

/** HADDPS/HSUBPS (F2) and HADDPD/HSUBPD (66): adjacent pairs of the destination, then of the source. */
export function horizontal(op: number): Handler {
  return (c, i) => {
    const s = needSse(c);
    const single = i.pfx === 0xf2;
    const a = xmmSrc(c, i);
    const d = i.reg * 16;
    begin(s);
    const t = TMP >> 2;
    if (single) {
      fp.arith(op, s, d >> 2, (d >> 2) + 1, t, true);
      fp.arith(op, s, (d >> 2) + 2, (d >> 2) + 3, t + 1, true);
      fp.arith(op, s, a >> 2, (a >> 2) + 1, t + 2, true);
      fp.arith(op, s, (a >> 2) + 2, (a >> 2) + 3, t + 3, true);
    } else {
      fp.arith(op, s, d >> 2, (d >> 2) + 2, t, false);
      fp.arith(op, s, a >> 2, (a >> 2) + 2, t + 2, false);
    }
    commit(c, s, d);
  };
}

/** F3 0F 12 MOVSLDUP and F3 0F 16 MOVSHDUP: the even or odd singles, each twice. */
export function movsldup(high: boolean): Handler {
  return (c, i) => {
    const s = needSse(c);
    const u = s.u32;
    const t = TMP >> 2;
    const a = (xmmSrc(c, i) >> 2) + (high ? 1 : 0);
    u[t] = u[t + 1] = u[a]!;
    u[t + 2] = u[t + 3] = u[a + 2]!;
    s.copy(TMP, i.reg * 16);
  };
}

/** F2 0F 12 MOVDDUP: the low double, twice. */
export const movddup: Handler = (c, i) => {
  const s = needSse(c);
  const u = s.u32;
  const t = TMP >> 2;
  const a = xmmSrc(c, i, 8) >> 2;
  u[t] = u[t + 2] = u[a]!;
  u[t + 1] = u[t + 3] = u[a + 1]!;
  s.copy(TMP, i.reg * 16);
};

/** F2 0F F0 LDDQU: an unaligned 16-byte load (memory only). */
export const lddqu: Handler = (c, i) => {
  const s = needSse(c);
  load(c, i, 16, SRC, false);
  s.copy(SRC, i.reg * 16);
};
