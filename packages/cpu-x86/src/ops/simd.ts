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
import { Feature, FeatureEcx } from '../cpuid.js';
import { ADD, DIV, EQUAL, GREATER, LESS, MAX, MIN, MUL, SimdFloat, SQRT, SUB } from '../simd/float.js';
import * as I from '../simd/integer.js';
import { DST, MXCSR_MASK, type SimdState, SRC, TMP } from '../simd/state.js';
import { linR, linW } from './operands.js';
import type { Handler } from './table.js';

/**
 * MMX, SSE, SSE2, SSE3 and SSSE3 (0F 10-17, 28-2F, 50-7F, C2-C7, D0-FF,
 * 0F AE /2-/7, 0F 38 00-1E, 0F 3A 0F).
 * Each handler reads the mandatory prefix (`Instr.pfx`): none for MMX and
 * packed single, 66 for SSE2 integer and packed double, F3 and F2 for scalar
 * single and double. An instruction of a set the model lacks raises #UD.
 */

const fp = new SimdFloat();

/** SSE/SSE2 (XMM) instructions: #UD without the feature, with CR0.EM or without CR4.OSFXSR; #NM on CR0.TS. */
function needSse(c: X86, feature: number): SimdState {
  if ((c.model.features & feature) === 0 || c.cr0 & CR0_EM || (c.cr4 & CR4_OSFXSR) === 0) c.raise(UD);
  if (c.cr0 & CR0_TS) c.raise(NM);
  return c.simd;
}

/** MMX-register instructions: #UD without the feature or with CR0.EM, #NM on CR0.TS, then a pending x87 error (#MF). */
function needMmx(c: X86, feature: number): SimdState {
  if ((c.model.features & feature) === 0 || c.cr0 & CR0_EM || c.fpu === null || c.simd.x87 === null)
    c.raise(UD);
  if (c.cr0 & CR0_TS) c.raise(NM);
  c.fpu.checkPendingException();
  return c.simd;
}

/** SSE3 instructions: the SSE checks, and leaf 1 ECX's SSE3 bit. */
function needSse3(c: X86): SimdState {
  if ((c.model.featuresEcx & FeatureEcx.SSE3) === 0) c.raise(UD);
  return needSse(c, Feature.SSE);
}

function ud(c: X86): never {
  return c.raise(UD);
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

/** The MMX r/m source (MMn or m64) in SRC. */
function mmSrc(c: X86, i: Instr): number {
  if (i.mod === 3) c.simd.loadMm(i.rm, SRC);
  else load(c, i, 8, SRC, false);
  return SRC;
}

/** An MMX instruction's destination MMn into DST, after its source is read and the state is MMX. */
function mmDst(s: SimdState, r: number): number {
  s.enterMmx();
  s.loadMm(r, DST);
  return DST;
}

/** Integer operations: MMX form (no prefix) and SSE2 form (66); SSSE3's also need `ecx` in leaf 1 ECX. */
function integer(fn: I.IntOp, mmxFeature: number, ecx = 0): Handler {
  return (c, i) => {
    if ((c.model.featuresEcx & ecx) !== ecx) ud(c);
    if (i.pfx === 0x66) {
      const s = needSse(c, Feature.SSE2);
      fn(s, i.reg * 16, xmmSrc(c, i), 16);
    } else if (i.pfx === 0) {
      const s = needMmx(c, mmxFeature);
      const a = mmSrc(c, i);
      fn(s, mmDst(s, i.reg), a, 8);
      s.storeMm(DST, i.reg);
    } else ud(c);
  };
}

/** 0F 3A 0F PALIGNR (SSSE3). */
const palignr: Handler = (c, i) => {
  if ((c.model.featuresEcx & FeatureEcx.SSSE3) === 0) ud(c);
  if (i.pfx === 0x66) {
    const s = needSse(c, Feature.SSE2);
    I.palignr(s, i.reg * 16, xmmSrc(c, i), i.imm, 16);
  } else if (i.pfx === 0) {
    const s = needMmx(c, Feature.MMX);
    const a = mmSrc(c, i);
    I.palignr(s, mmDst(s, i.reg), a, i.imm, 8);
    s.storeMm(DST, i.reg);
  } else ud(c);
};

/** Ends a floating-point instruction: flags into MXCSR; #XM (or #UD without CR4.OSXMMEXCPT) for an unmasked one, else the result from TMP. */
function commit(c: X86, s: SimdState, d: number): void {
  const flags = fp.flags;
  s.mxcsr |= flags;
  if (flags & ~(s.mxcsr >>> 7) & 0x3f) c.raise(c.cr4 & CR4_OSXMMEXCPT ? XM : UD);
  s.copy(TMP, d);
}

function begin(s: SimdState): void {
  fp.begin(s.mxcsr);
}

/** The set an FP instruction belongs to by its prefix: none and F3 (single) SSE, 66 and F2 (double) SSE2. */
function fpForm(c: X86, i: Instr): SimdState {
  const p = i.pfx;
  return needSse(c, p === 0 || p === 0xf3 ? Feature.SSE : Feature.SSE2);
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
  const s = fpForm(c, i);
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
function arith(op: number): Handler {
  const lane = (s: SimdState, d: number, a: number, t: number, single: boolean) =>
    fp.arith(op, s, d, a, t, single);
  return (c, i) => lanewise(c, i, lane);
}

const compareLane = (s: SimdState, d: number, a: number, t: number, single: boolean, i: Instr) =>
  fp.compare(i.imm & 7, s, d, a, t, single);
const cmp: Handler = (c, i) => lanewise(c, i, compareLane);

/** UCOMISS/COMISS (and SD with 66): ZF PF CF from the order, OF SF AF cleared; COMIS signals on QNaNs too. */
function comis(signalQuiet: boolean): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
    const single = i.pfx === 0;
    const s = needSse(c, single ? Feature.SSE : Feature.SSE2);
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
function logic(fn: I.IntOp): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
    const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
    fn(s, i.reg * 16, xmmSrc(c, i), 16);
  };
}

/** 0F 10 / 0F 11: MOVUPS, MOVUPD, MOVSS, MOVSD, loads and stores. */
function movups(toMem: boolean): Handler {
  return (c, i) => {
    const s = fpForm(c, i);
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

/** MOVAPS/MOVAPD (28 load, 29 store) and MOVNTPS/PD (2B store). */
function movaps(toMem: boolean, memOnly: boolean): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
    const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
    if (i.mod === 3) {
      if (memOnly) ud(c);
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
function movlps(toMem: boolean, high: boolean): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
    const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
    const x = i.reg * 16 + (high ? 8 : 0);
    if (i.mod === 3) {
      // MOVHLPS (12) and MOVLHPS (16): register forms of the no-prefix loads only.
      if (toMem || i.pfx !== 0) ud(c);
      moveLanes(s, i.rm * 16 + (high ? 0 : 8), x, 8);
    } else if (toMem) store(c, i, 8, x, false);
    else {
      load(c, i, 8, SRC, false);
      moveLanes(s, SRC, x, 8);
    }
  };
}

/** UNPCKLPS/UNPCKHPS (dwords) and UNPCKLPD/UNPCKHPD (quadwords). */
function unpckps(high: boolean): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
    const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
    const fn = i.pfx === 0 ? (high ? I.punpckhdq : I.punpckldq) : high ? I.punpckhqdq : I.punpcklqdq;
    fn(s, i.reg * 16, xmmSrc(c, i), 16);
  };
}

const shufps: Handler = (c, i) => {
  if (i.pfx !== 0 && i.pfx !== 0x66) ud(c);
  const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
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
const movmskps: Handler = (c, i) => {
  if ((i.pfx !== 0 && i.pfx !== 0x66) || i.mod !== 3) ud(c);
  const s = needSse(c, i.pfx === 0 ? Feature.SSE : Feature.SSE2);
  const u = s.u32;
  const a = (i.rm * 16) >> 2;
  c.regs[i.reg] =
    i.pfx === 0
      ? (u[a]! >>> 31) | ((u[a + 1]! >>> 31) << 1) | ((u[a + 2]! >>> 31) << 2) | ((u[a + 3]! >>> 31) << 3)
      : (u[a + 1]! >>> 31) | ((u[a + 3]! >>> 31) << 1);
};

/**
 * RCPPS/RCPSS and RSQRTPS/RSQRTSS: the SDM bounds their relative error by
 * 1.5 * 2^-12 and leaves the value to the implementation; this CPU returns
 * the correctly rounded single result, as QEMU does. Denormal inputs count
 * as zero (infinite results); no MXCSR flag is raised.
 */
function approx(sqrt: boolean): Handler {
  return (c, i) => {
    if (i.pfx !== 0 && i.pfx !== 0xf3) ud(c);
    const s = needSse(c, Feature.SSE);
    const scalar = i.pfx === 0xf3;
    const a = xmmSrc(c, i, scalar ? 4 : 16);
    const d = i.reg * 16;
    s.copy(d, TMP);
    for (let k = 0; k < (scalar ? 1 : 4); k++) {
      const bits = s.u32[(a >> 2) + k]!;
      let x = s.f32[(a >> 2) + k]!;
      if ((bits & 0x7f800000) === 0) x = bits & 0x80000000 ? -0 : 0;
      if (Number.isNaN(x)) s.u32[(TMP >> 2) + k] = bits | 0x400000;
      else if (sqrt && x < 0) s.u32[(TMP >> 2) + k] = 0xffc00000;
      else s.f32[(TMP >> 2) + k] = sqrt ? 1 / Math.sqrt(x) : 1 / x;
    }
    s.copy(TMP, d);
  };
}

/** 0F 5A: CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS. */
const cvt5a: Handler = (c, i) => {
  const s = fpForm(c, i);
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
const cvt5b: Handler = (c, i) => {
  if (i.pfx === 0xf2) ud(c);
  const s = needSse(c, Feature.SSE2);
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
const cvte6: Handler = (c, i) => {
  if (i.pfx === 0) ud(c);
  const s = needSse(c, Feature.SSE2);
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
const cvt2a: Handler = (c, i) => {
  const p = i.pfx;
  const single = p === 0 || p === 0xf3;
  let s: SimdState;
  let lo: number;
  let hi = 0;
  if (p === 0 || p === 0x66) {
    s = needSse(c, single ? Feature.SSE : Feature.SSE2);
    if (i.mod === 3) {
      needMmx(c, Feature.MMX);
      s.loadMm(i.rm, SRC);
      s.enterMmx();
    } else load(c, i, 8, SRC, false);
    lo = s.i32[SRC >> 2]!;
    hi = s.i32[(SRC >> 2) + 1]!;
  } else {
    s = needSse(c, single ? Feature.SSE : Feature.SSE2);
    lo = i.mod === 3 ? c.regs[i.rm]! : c.read32(linR(c, i, 4));
  }
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
function cvtToInt(truncate: boolean): Handler {
  return (c, i) => {
    const p = i.pfx;
    const single = p === 0 || p === 0xf3;
    const s = needSse(c, single ? Feature.SSE : Feature.SSE2);
    const toMm = p === 0 || p === 0x66;
    if (toMm) needMmx(c, Feature.MMX);
    const a = xmmSrc(c, i, p === 0x66 ? 16 : p === 0 || p === 0xf2 ? 8 : 4);
    begin(s);
    const x = fp.toInt32(s, a >> 2, single, truncate);
    const y = toMm ? fp.toInt32(s, (a >> 2) + (single ? 1 : 2), single, truncate) : 0;
    const flags = fp.flags;
    s.mxcsr |= flags;
    if (flags & ~(s.mxcsr >>> 7) & 0x3f) c.raise(c.cr4 & CR4_OSXMMEXCPT ? XM : UD);
    if (toMm) {
      s.enterMmx();
      s.i32[DST >> 2] = x;
      s.i32[(DST >> 2) + 1] = y;
      s.storeMm(DST, i.reg);
    } else c.regs[i.reg] = x;
  };
}

/** 0F 6E MOVD mm/xmm, r/m32 (zero-extended). */
const movdLoad: Handler = (c, i) => {
  const v = i.mod === 3 ? c.regs[i.rm]! : -1;
  if (i.pfx === 0x66) {
    const s = needSse(c, Feature.SSE2);
    const x = i.mod === 3 ? v : c.read32(linR(c, i, 4));
    const r = (i.reg * 16) >> 2;
    s.u32.fill(0, r, r + 4);
    s.i32[r] = x;
  } else if (i.pfx === 0) {
    const s = needMmx(c, Feature.MMX);
    const x = i.mod === 3 ? v : c.read32(linR(c, i, 4));
    s.enterMmx();
    s.i32[DST >> 2] = x;
    s.u32[(DST >> 2) + 1] = 0;
    s.storeMm(DST, i.reg);
  } else ud(c);
};

/** 0F 7E: MOVD r/m32, mm/xmm; F3 0F 7E MOVQ xmm, xmm/m64. */
const movdStore: Handler = (c, i) => {
  if (i.pfx === 0xf3) {
    const s = needSse(c, Feature.SSE2);
    const a = xmmSrc(c, i, 8);
    moveLanes(s, a, TMP, 8);
    s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
    s.copy(TMP, i.reg * 16);
    return;
  }
  let x: number;
  if (i.pfx === 0x66) x = needSse(c, Feature.SSE2).u32[(i.reg * 16) >> 2]!;
  else if (i.pfx === 0) {
    const s = needMmx(c, Feature.MMX);
    s.enterMmx();
    x = s.x87!.sigLo[i.reg]!;
  } else return ud(c);
  if (i.mod === 3) c.regs[i.rm] = x;
  else c.write32(linW(c, i, 4), x);
};

/** 0F 6F: MOVQ mm, mm/m64; MOVDQA (66, aligned) and MOVDQU (F3) xmm, xmm/m128. */
const movqLoad: Handler = (c, i) => {
  if (i.pfx === 0) {
    const s = needMmx(c, Feature.MMX);
    const a = mmSrc(c, i);
    s.enterMmx();
    s.storeMm(a, i.reg);
  } else if (i.pfx !== 0xf2) {
    const s = needSse(c, Feature.SSE2);
    s.copy(xmmSrc(c, i, 16, i.pfx === 0x66), i.reg * 16);
  } else ud(c);
};

/** 0F 7F: MOVQ mm/m64, mm; MOVDQA/MOVDQU xmm/m128, xmm. */
const movqStore: Handler = (c, i) => {
  if (i.pfx === 0) {
    const s = needMmx(c, Feature.MMX);
    s.loadMm(i.reg, DST);
    s.enterMmx();
    if (i.mod === 3) s.storeMm(DST, i.rm);
    else store(c, i, 8, DST, false);
  } else if (i.pfx !== 0xf2) {
    const s = needSse(c, Feature.SSE2);
    if (i.mod === 3) s.copy(i.reg * 16, i.rm * 16);
    else store(c, i, 16, i.reg * 16, i.pfx === 0x66);
  } else ud(c);
};

/** 66 0F D6 MOVQ xmm/m64, xmm; F3 MOVQ2DQ xmm, mm; F2 MOVDQ2Q mm, xmm. */
const movqD6: Handler = (c, i) => {
  if (i.pfx === 0x66) {
    const s = needSse(c, Feature.SSE2);
    if (i.mod !== 3) store(c, i, 8, i.reg * 16, false);
    else {
      moveLanes(s, i.reg * 16, TMP, 8);
      s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
      s.copy(TMP, i.rm * 16);
    }
  } else if ((i.pfx === 0xf3 || i.pfx === 0xf2) && i.mod === 3) {
    const s = needSse(c, Feature.SSE2);
    needMmx(c, Feature.MMX);
    s.enterMmx();
    if (i.pfx === 0xf3) {
      s.loadMm(i.rm, TMP);
      s.u32.fill(0, (TMP + 8) >> 2, (TMP + 16) >> 2);
      s.copy(TMP, i.reg * 16);
    } else s.storeMm(i.rm * 16, i.reg);
  } else ud(c);
};

/** 0F 70: PSHUFW (SSE, MMX), PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
const pshuf: Handler = (c, i) => {
  if (i.pfx === 0) {
    const s = needMmx(c, Feature.SSE);
    const a = mmSrc(c, i);
    s.enterMmx();
    I.pshufw(s, DST, a, i.imm, 0, 8);
    s.storeMm(DST, i.reg);
    return;
  }
  const s = needSse(c, Feature.SSE2);
  const a = xmmSrc(c, i);
  if (i.pfx === 0x66) I.pshufd(s, i.reg * 16, a, i.imm);
  else I.pshufw(s, i.reg * 16, a, i.imm, i.pfx === 0xf3 ? 8 : 0, 16);
};

/** 0F 71-73 by immediate: /2 PSRL, /4 PSRA, /6 PSLL; 73 /3 PSRLDQ and /7 PSLLDQ (66 only). */
function shiftImm(w: number): Handler {
  return (c, i) => {
    const r = i.reg;
    const kind = r === 2 ? I.SHIFT_RIGHT : r === 4 && w !== 8 ? I.SHIFT_ARITH : r === 6 ? I.SHIFT_LEFT : -1;
    if (i.mod !== 3) ud(c);
    if (w === 8 && (r === 3 || r === 7) && i.pfx === 0x66) {
      I.shiftBytes(needSse(c, Feature.SSE2), i.rm * 16, i.imm > 15 ? 16 : i.imm, r === 7);
      return;
    }
    if (kind < 0) ud(c);
    if (i.pfx === 0x66) I.shift(needSse(c, Feature.SSE2), i.rm * 16, 16, w, kind, i.imm, 0);
    else if (i.pfx === 0) {
      const s = needMmx(c, Feature.MMX);
      I.shift(s, mmDst(s, i.rm), 8, w, kind, i.imm, 0);
      s.storeMm(DST, i.rm);
    } else ud(c);
  };
}

/** Shifts by the count in an MMX/XMM register or memory (its whole low quadword). */
function shiftReg(w: number, kind: number): Handler {
  return (c, i) => {
    if (i.pfx === 0x66) {
      const s = needSse(c, Feature.SSE2);
      const a = xmmSrc(c, i);
      I.shift(s, i.reg * 16, 16, w, kind, s.u32[a >> 2]!, s.u32[(a >> 2) + 1]!);
    } else if (i.pfx === 0) {
      const s = needMmx(c, Feature.MMX);
      const a = mmSrc(c, i);
      I.shift(s, mmDst(s, i.reg), 8, w, kind, s.u32[a >> 2]!, s.u32[(a >> 2) + 1]!);
      s.storeMm(DST, i.reg);
    } else ud(c);
  };
}

const emms: Handler = (c, i) => {
  if (i.pfx !== 0) ud(c);
  needMmx(c, Feature.MMX).emms();
};

/** 0F C4 PINSRW mm/xmm, r32/m16, imm8. */
const pinsrw: Handler = (c, i) => {
  const v = i.mod === 3 ? c.regs[i.rm]! & 0xffff : -1;
  if (i.pfx === 0x66) {
    const s = needSse(c, Feature.SSE2);
    s.u16[((i.reg * 16) >> 1) + (i.imm & 7)] = i.mod === 3 ? v : c.read16(linR(c, i, 2));
  } else if (i.pfx === 0) {
    const s = needMmx(c, Feature.SSE);
    const x = i.mod === 3 ? v : c.read16(linR(c, i, 2));
    mmDst(s, i.reg);
    s.u16[(DST >> 1) + (i.imm & 3)] = x;
    s.storeMm(DST, i.reg);
  } else ud(c);
};

/** 0F C5 PEXTRW r32, mm/xmm, imm8 (register forms only). */
const pextrw: Handler = (c, i) => {
  if (i.mod !== 3) ud(c);
  if (i.pfx === 0x66) c.regs[i.reg] = needSse(c, Feature.SSE2).u16[((i.rm * 16) >> 1) + (i.imm & 7)]!;
  else if (i.pfx === 0) {
    const s = needMmx(c, Feature.SSE);
    c.regs[i.reg] = s.u16[(mmDst(s, i.rm) >> 1) + (i.imm & 3)]!;
  } else ud(c);
};

/** 0F D7 PMOVMSKB r32, mm/xmm. */
const pmovmskb: Handler = (c, i) => {
  if (i.mod !== 3) ud(c);
  if (i.pfx === 0x66) c.regs[i.reg] = I.pmovmskb(needSse(c, Feature.SSE2), i.rm * 16, 16);
  else if (i.pfx === 0) {
    const s = needMmx(c, Feature.SSE);
    c.regs[i.reg] = I.pmovmskb(s, mmDst(s, i.rm), 8);
  } else ud(c);
};

/** 0F F7 MASKMOVQ / 66 MASKMOVDQU: bytes whose mask byte has its top bit set, to DS:(E)DI (segment override allowed). */
const maskmov: Handler = (c, i) => {
  if (i.mod !== 3) ud(c);
  let s: SimdState;
  let n: number;
  if (i.pfx === 0x66) {
    s = needSse(c, Feature.SSE2);
    s.copy(i.reg * 16, SRC);
    s.copy(i.rm * 16, TMP);
    n = 16;
  } else if (i.pfx === 0) {
    s = needMmx(c, Feature.SSE);
    s.enterMmx();
    s.loadMm(i.reg, SRC);
    s.loadMm(i.rm, TMP);
    n = 8;
  } else return ud(c);
  const off = i.a32 ? c.regs[EDI]! : c.regs[EDI]! & 0xffff;
  for (let k = 0; k < n; k++) {
    if (s.u8[TMP + k]! & 0x80)
      c.write8(c.segWrite(i.seg, i.a32 ? (off + k) | 0 : (off + k) & 0xffff, 1), s.u8[SRC + k]!);
  }
};

/** 0F E7 MOVNTQ m64, mm / 66 MOVNTDQ m128, xmm (aligned); the non-temporal hint changes nothing here. */
const movnt: Handler = (c, i) => {
  if (i.mod !== 3 && i.pfx === 0x66) {
    needSse(c, Feature.SSE2);
    store(c, i, 16, i.reg * 16, true);
  } else if (i.mod !== 3 && i.pfx === 0) {
    const s = needMmx(c, Feature.SSE);
    s.enterMmx();
    s.loadMm(i.reg, DST);
    store(c, i, 8, DST, false);
  } else ud(c);
};

/** 0F C3 MOVNTI m32, r32. */
const movnti: Handler = (c, i) => {
  if (i.mod === 3 || i.pfx !== 0) ud(c);
  needSse(c, Feature.SSE2);
  c.write32(linW(c, i, 4), c.regs[i.reg]!);
};

/**
 * 0F AE /2 LDMXCSR, /3 STMXCSR (memory), /5 LFENCE, /6 MFENCE, /7 SFENCE
 * (register forms; one processor, nothing to order), /7 CLFLUSH (memory:
 * no cache to flush, but the byte's segment and page checks of a read).
 * /0 and /1 are FXSAVE and FXRSTOR (`fpu.ts`).
 */
export function group15(c: X86, i: Instr): void {
  if (i.pfx !== 0) ud(c);
  if (i.mod !== 3 && i.reg === 7) {
    if ((c.model.features & Feature.CLFSH) === 0) ud(c);
    c.translate(linR(c, i, 1), false, c.cpl === 3);
    return;
  }
  if (i.mod === 3) {
    if (i.reg === 7) needSse(c, Feature.SSE);
    else if (i.reg === 5 || i.reg === 6) needSse(c, Feature.SSE2);
    else ud(c);
    return;
  }
  if (i.reg === 2) {
    const s = needSse(c, Feature.SSE);
    const v = c.read32(linR(c, i, 4));
    if (v & ~MXCSR_MASK) c.gp(0);
    s.mxcsr = v;
  } else if (i.reg === 3) {
    const s = needSse(c, Feature.SSE);
    c.write32(linW(c, i, 4), s.mxcsr);
  } else ud(c);
}

/** ADDSUBPS (F2) and ADDSUBPD (66): odd lanes add, even lanes subtract. */
const addsub: Handler = (c, i) => {
  if (i.pfx !== 0xf2 && i.pfx !== 0x66) ud(c);
  const s = needSse3(c);
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
function horizontal(op: number): Handler {
  return (c, i) => {
    if (i.pfx !== 0xf2 && i.pfx !== 0x66) ud(c);
    const s = needSse3(c);
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

/** F3 0F 12 MOVSLDUP, F3 0F 16 MOVSHDUP, F2 0F 12 MOVDDUP; the other prefixes are the MOVLPS family. */
function duplicate(high: boolean, other: Handler): Handler {
  return (c, i) => {
    if (i.pfx !== 0xf3 && !(i.pfx === 0xf2 && !high)) {
      other(c, i);
      return;
    }
    const s = needSse3(c);
    const u = s.u32;
    const t = TMP >> 2;
    if (i.pfx === 0xf2) {
      const a = xmmSrc(c, i, 8) >> 2;
      u[t] = u[t + 2] = u[a]!;
      u[t + 1] = u[t + 3] = u[a + 1]!;
    } else {
      const a = (xmmSrc(c, i) >> 2) + (high ? 1 : 0);
      u[t] = u[t + 1] = u[a]!;
      u[t + 2] = u[t + 3] = u[a + 2]!;
    }
    s.copy(TMP, i.reg * 16);
  };
}

/** F2 0F F0 LDDQU: an unaligned 16-byte load (memory only). */
const lddqu: Handler = (c, i) => {
  if (i.pfx !== 0xf2 || i.mod === 3) ud(c);
  const s = needSse3(c);
  load(c, i, 16, SRC, false);
  s.copy(SRC, i.reg * 16);
};

/** The MMX-form features: MMX, or SSE for the integer instructions SSE added, or SSE2 for the quadword ones. */
export function installSimd(t: Handler[]): void {
  const M = Feature.MMX;
  const S = Feature.SSE;
  const S2 = Feature.SSE2;
  const lanes: [number, I.IntOp, number][] = [
    [0x60, I.punpcklbw, M],
    [0x61, I.punpcklwd, M],
    [0x62, I.punpckldq, M],
    [0x63, I.packsswb, M],
    [0x64, I.pcmpgtb, M],
    [0x65, I.pcmpgtw, M],
    [0x66, I.pcmpgtd, M],
    [0x67, I.packuswb, M],
    [0x68, I.punpckhbw, M],
    [0x69, I.punpckhwd, M],
    [0x6a, I.punpckhdq, M],
    [0x6b, I.packssdw, M],
    [0x74, I.pcmpeqb, M],
    [0x75, I.pcmpeqw, M],
    [0x76, I.pcmpeqd, M],
    [0xd4, I.paddq, S2],
    [0xd5, I.pmullw, M],
    [0xd8, I.psubusb, M],
    [0xd9, I.psubusw, M],
    [0xda, I.pminub, S],
    [0xdb, I.pand, M],
    [0xdc, I.paddusb, M],
    [0xdd, I.paddusw, M],
    [0xde, I.pmaxub, S],
    [0xdf, I.pandn, M],
    [0xe0, I.pavgb, S],
    [0xe3, I.pavgw, S],
    [0xe4, I.pmulhuw, S],
    [0xe5, I.pmulhw, M],
    [0xe8, I.psubsb, M],
    [0xe9, I.psubsw, M],
    [0xea, I.pminsw, S],
    [0xeb, I.por, M],
    [0xec, I.paddsb, M],
    [0xed, I.paddsw, M],
    [0xee, I.pmaxsw, S],
    [0xef, I.pxor, M],
    [0xf4, I.pmuludq, S2],
    [0xf5, I.pmaddwd, M],
    [0xf6, I.psadbw, S],
    [0xf8, I.psubb, M],
    [0xf9, I.psubw, M],
    [0xfa, I.psubd, M],
    [0xfb, I.psubq, S2],
    [0xfc, I.paddb, M],
    [0xfd, I.paddw, M],
    [0xfe, I.paddd, M],
  ];
  for (const [op, fn, feature] of lanes) t[0x100 | op] = integer(fn, feature);
  // PUNPCKLQDQ and PUNPCKHQDQ exist only as SSE2 (66) forms.
  const qdq =
    (fn: I.IntOp): Handler =>
    (c, i) =>
      i.pfx === 0x66 ? integer(fn, 0)(c, i) : ud(c);
  const ssse3: [number, I.IntOp][] = [
    [0x00, I.pshufb],
    [0x01, I.phaddw],
    [0x02, I.phaddd],
    [0x03, I.phaddsw],
    [0x04, I.pmaddubsw],
    [0x05, I.phsubw],
    [0x06, I.phsubd],
    [0x07, I.phsubsw],
    [0x08, I.psignb],
    [0x09, I.psignw],
    [0x0a, I.psignd],
    [0x0b, I.pmulhrsw],
    [0x1c, I.pabsb],
    [0x1d, I.pabsw],
    [0x1e, I.pabsd],
  ];
  for (const [op, fn] of ssse3) t[0x200 | op] = integer(fn, M, FeatureEcx.SSSE3);
  t[0x30f] = palignr;
  t[0x16c] = qdq(I.punpcklqdq);
  t[0x16d] = qdq(I.punpckhqdq);
  t[0x110] = movups(false);
  t[0x111] = movups(true);
  t[0x112] = duplicate(false, movlps(false, false));
  t[0x113] = movlps(true, false);
  t[0x114] = unpckps(false);
  t[0x115] = unpckps(true);
  t[0x116] = duplicate(true, movlps(false, true));
  t[0x117] = movlps(true, true);
  t[0x128] = movaps(false, false);
  t[0x129] = movaps(true, false);
  t[0x12a] = cvt2a;
  t[0x12b] = movaps(true, true);
  t[0x12c] = cvtToInt(true);
  t[0x12d] = cvtToInt(false);
  t[0x12e] = comis(false);
  t[0x12f] = comis(true);
  t[0x150] = movmskps;
  t[0x151] = arith(SQRT);
  t[0x152] = approx(true);
  t[0x153] = approx(false);
  t[0x154] = logic(I.pand);
  t[0x155] = logic(I.pandn);
  t[0x156] = logic(I.por);
  t[0x157] = logic(I.pxor);
  t[0x158] = arith(ADD);
  t[0x159] = arith(MUL);
  t[0x15a] = cvt5a;
  t[0x15b] = cvt5b;
  t[0x15c] = arith(SUB);
  t[0x15d] = arith(MIN);
  t[0x15e] = arith(DIV);
  t[0x15f] = arith(MAX);
  t[0x16e] = movdLoad;
  t[0x16f] = movqLoad;
  t[0x170] = pshuf;
  t[0x171] = shiftImm(2);
  t[0x172] = shiftImm(4);
  t[0x173] = shiftImm(8);
  t[0x177] = emms;
  t[0x17c] = horizontal(ADD);
  t[0x17d] = horizontal(SUB);
  t[0x1d0] = addsub;
  t[0x1f0] = lddqu;
  t[0x17e] = movdStore;
  t[0x17f] = movqStore;
  t[0x1c2] = cmp;
  t[0x1c3] = movnti;
  t[0x1c4] = pinsrw;
  t[0x1c5] = pextrw;
  t[0x1c6] = shufps;
  t[0x1d1] = shiftReg(2, I.SHIFT_RIGHT);
  t[0x1d2] = shiftReg(4, I.SHIFT_RIGHT);
  t[0x1d3] = shiftReg(8, I.SHIFT_RIGHT);
  t[0x1d6] = movqD6;
  t[0x1d7] = pmovmskb;
  t[0x1e1] = shiftReg(2, I.SHIFT_ARITH);
  t[0x1e2] = shiftReg(4, I.SHIFT_ARITH);
  t[0x1e6] = cvte6;
  t[0x1e7] = movnt;
  t[0x1f1] = shiftReg(2, I.SHIFT_LEFT);
  t[0x1f2] = shiftReg(4, I.SHIFT_LEFT);
  t[0x1f3] = shiftReg(8, I.SHIFT_LEFT);
  t[0x1f7] = maskmov;
}
