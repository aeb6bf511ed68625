import { TimeSource } from '@plugboard/core';
import {
  AC,
  ATTR_CODE,
  ATTR_DC,
  ATTR_P,
  ATTR_RW,
  ATTR_S,
  CF,
  CR0_CD,
  CR0_ET,
  CR0_NW,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_OSFXSR,
  CR4_OSXMMEXCPT,
  CR4_PAE,
  CR4_PCE,
  CR4_PGE,
  CR4_PSE,
  CR4_TSD,
  CR4_VALID,
  CS,
  DF,
  EAX,
  ECX,
  EDX,
  ESP,
  ID,
  IF,
  IOPL,
  LDTR,
  NT,
  RF,
  SS,
  TR,
  UD,
  VM,
  ZF,
} from '../core/constants.js';
import { CpuState } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import { iret } from '../core/transfer.js';
import type { X86 } from '../core/x86.js';
import { Feature } from '../cpuid.js';
import { getReg, linR, linW, offset, opSize, readE, setReg, writeE } from './operands.js';
import type { Handler } from './table.js';

const NP_VECTOR = 11;

function needProtected(c: CpuState): void {
  if (!c.protectedMode || c.v86) c.raise(UD);
}

/** CPL 0 required; V86 counts as CPL 3. */
function needRing0(c: CpuState): void {
  if (c.protectedMode && (c.v86 || c.cpl !== 0)) c.gp(0);
}

// ---------------------------------------------------------------- flags

export function pushf(c: CpuState, i: Instr): void {
  if (c.v86 && c.iopl < 3) c.gp(0);
  c.push(c.getFlags() & ~(VM | RF), i.o32);
}

export function popf(c: CpuState, i: Instr): void {
  if (c.v86 && c.iopl < 3) c.gp(0);
  const v = i.o32 ? c.pop32() : c.pop16();
  let m = 0xdd5 | NT | (i.o32 ? AC | ID : 0);
  if (!c.protectedMode || (!c.v86 && c.cpl === 0)) m |= IOPL;
  if (!c.protectedMode || c.v86 || c.cpl <= c.iopl) m |= IF;
  c.setFlags(v, m);
  c.flags &= ~RF;
}

export function cli(c: CpuState): void {
  if (c.protectedMode && c.iopl < (c.v86 ? 3 : c.cpl)) c.gp(0);
  c.flags &= ~IF;
}

export function sti(c: CpuState): void {
  if (c.protectedMode && c.iopl < (c.v86 ? 3 : c.cpl)) c.gp(0);
  if ((c.flags & IF) === 0) c.shadow = true;
  c.flags |= IF;
}

// ---------------------------------------------------------------- I/O

export function inImm(c: X86, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  c.checkIo(i.imm, size);
  setReg(c, EAX, size, c.portIn(i.imm, size));
}

export function outImm(c: X86, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  c.checkIo(i.imm, size);
  c.portOut(i.imm, size, getReg(c, EAX, size));
}

export function inDx(c: X86, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const port = c.regs[EDX] & 0xffff;
  c.checkIo(port, size);
  setReg(c, EAX, size, c.portIn(port, size));
}

export function outDx(c: X86, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const port = c.regs[EDX] & 0xffff;
  c.checkIo(port, size);
  c.portOut(port, size, getReg(c, EAX, size));
}

// ---------------------------------------------------------------- descriptor tables

export function group6(c: X86, i: Instr): void {
  needProtected(c);
  switch (i.reg) {
    case 0:
    case 1: {
      const v = c.sel[i.reg === 0 ? LDTR : TR];
      if (i.mod === 3) setReg(c, i.rm, opSize(i), v);
      else c.write16(linW(c, i, 2), v);
      return;
    }
    case 2:
      needRing0(c);
      lldt(c, readE(c, i, 2));
      return;
    case 3:
      needRing0(c);
      ltr(c, readE(c, i, 2));
      return;
    case 4:
    case 5:
      verify(c, readE(c, i, 2), i.reg === 5);
      return;
    default:
      c.raise(UD);
  }
}

function lldt(c: CpuState, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    c.setSegNull(LDTR, sel);
    return;
  }
  if (sel & 4 || !c.readDescriptor(sel)) c.gp(sel & 0xfffc);
  const attr = CpuState.descAttr(c.descHi);
  if ((attr & 0x1f) !== 2) c.gp(sel & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
  c.setSeg(LDTR, sel, CpuState.descBase(c.descLo, c.descHi), CpuState.descLimit(c.descLo, c.descHi), attr);
}

function ltr(c: CpuState, sel: number): void {
  if ((sel & 0xfffc) === 0) c.gp(0);
  if (sel & 4 || !c.readDescriptor(sel)) c.gp(sel & 0xfffc);
  const attr = CpuState.descAttr(c.descHi);
  const type = attr & 0x1f;
  if (type !== 1 && type !== 9) c.gp(sel & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
  c.sysWrite32(c.descAddr + 4, c.descHi | 0x200);
  c.setSeg(TR, sel, CpuState.descBase(c.descLo, c.descHi), CpuState.descLimit(c.descLo, c.descHi), attr | 2);
}

/** Reads the descriptor for LAR/LSL/VERR/VERW; null when the selector names nothing usable. */
function probeDescriptor(c: CpuState, sel: number): number | null {
  if ((sel & 0xfffc) === 0 || !c.readDescriptor(sel)) return null;
  const attr = CpuState.descAttr(c.descHi);
  const dpl = (attr >> 5) & 3;
  const conformingCode = (attr & (ATTR_S | ATTR_CODE | ATTR_DC)) === (ATTR_S | ATTR_CODE | ATTR_DC);
  if (!conformingCode && (dpl < c.cpl || dpl < (sel & 3))) return null;
  return attr;
}

function setZF(c: CpuState, on: boolean): void {
  c.setArith((c.getFlags() & ~ZF) | (on ? ZF : 0));
}

function verify(c: CpuState, sel: number, write: boolean): void {
  const attr = probeDescriptor(c, sel);
  let ok = attr !== null && (attr & ATTR_S) !== 0;
  if (ok && attr !== null) {
    if (write) ok = (attr & (ATTR_CODE | ATTR_RW)) === ATTR_RW;
    else ok = (attr & ATTR_CODE) === 0 || (attr & ATTR_RW) !== 0;
  }
  setZF(c, ok);
}

const LAR_SYSTEM = new Set([1, 2, 3, 4, 5, 9, 11, 12]);
const LSL_SYSTEM = new Set([1, 2, 3, 9, 11]);

export function lar(c: X86, i: Instr): void {
  needProtected(c);
  const attr = probeDescriptor(c, readE(c, i, 2));
  if (attr === null || ((attr & ATTR_S) === 0 && !LAR_SYSTEM.has(attr & 0xf))) {
    setZF(c, false);
    return;
  }
  setReg(c, i.reg, opSize(i), c.descHi & (i.o32 ? 0x00f0ff00 : 0xff00));
  setZF(c, true);
}

export function lsl(c: X86, i: Instr): void {
  needProtected(c);
  const attr = probeDescriptor(c, readE(c, i, 2));
  if (attr === null || ((attr & ATTR_S) === 0 && !LSL_SYSTEM.has(attr & 0xf))) {
    setZF(c, false);
    return;
  }
  setReg(c, i.reg, opSize(i), CpuState.descLimit(c.descLo, c.descHi));
  setZF(c, true);
}

export function arpl(c: X86, i: Instr): void {
  needProtected(c);
  const d = readE(c, i, 2);
  const s = getReg(c, i.reg, 2);
  if ((d & 3) < (s & 3)) {
    writeE(c, i, 2, (d & ~3) | (s & 3));
    setZF(c, true);
  } else setZF(c, false);
}

export function group7(c: X86, i: Instr): void {
  switch (i.reg) {
    case 0:
    case 1: {
      if (i.mod === 3) c.raise(UD);
      const lin = linW(c, i, 6);
      const limit = i.reg === 0 ? c.gdtLimit : c.idtLimit;
      const base = i.reg === 0 ? c.gdtBase : c.idtBase;
      c.probeWrite(lin, 6);
      c.write16(lin, limit);
      c.write32(lin + 2, i.o32 ? base : base & 0xffffff);
      return;
    }
    case 2:
    case 3: {
      if (i.mod === 3) c.raise(UD);
      needRing0(c);
      const lin = linR(c, i, 6);
      const limit = c.read16(lin);
      const base = c.read32(lin + 2) & (i.o32 ? -1 : 0xffffff);
      if (i.reg === 2) {
        c.gdtLimit = limit;
        c.gdtBase = base;
      } else {
        c.idtLimit = limit;
        c.idtBase = base;
      }
      return;
    }
    case 4:
      if (i.mod === 3) setReg(c, i.rm, opSize(i), c.cr0);
      else c.write16(linW(c, i, 2), c.cr0);
      return;
    case 6: {
      needRing0(c);
      const v = readE(c, i, 2);
      // LMSW sets PE but never clears it.
      const cr0 = (c.cr0 & ~0xe) | (v & 0xf) | (c.cr0 & CR0_PE);
      writeCr0(c, cr0);
      return;
    }
    case 7:
      if (i.mod === 3) c.raise(UD);
      needRing0(c);
      c.invlpg(c.segBase[i.seg] + offset(c, i));
      return;
    default:
      c.raise(UD);
  }
}

// ---------------------------------------------------------------- control and debug registers

export function writeCr0(c: CpuState, v: number): void {
  v |= CR0_ET;
  if (v & CR0_PG && (v & CR0_PE) === 0) c.gp(0);
  if (v & CR0_NW && (v & CR0_CD) === 0) c.gp(0);
  const changed = c.cr0 ^ v;
  c.cr0 = v;
  if (changed & (CR0_PG | CR0_WP | CR0_PE)) c.flushTlb(false);
  if (changed & CR0_PE) c.modeChanged();
}

export function movFromCr(c: X86, i: Instr): void {
  needRing0(c);
  let v: number;
  switch (i.reg) {
    case 0:
      v = c.cr0;
      break;
    case 2:
      v = c.cr2;
      break;
    case 3:
      v = c.cr3;
      break;
    case 4:
      v = c.cr4;
      break;
    default:
      c.raise(UD);
  }
  c.regs[i.rm] = v;
}

export function movToCr(c: X86, i: Instr): void {
  needRing0(c);
  const v = c.regs[i.rm];
  switch (i.reg) {
    case 0:
      writeCr0(c, v);
      return;
    case 2:
      c.cr2 = v;
      return;
    case 3:
      c.cr3 = v;
      c.flushTlb(true);
      return;
    case 4: {
      const features = c.model.features;
      const valid =
        CR4_VALID |
        (features & Feature.FXSR ? CR4_OSFXSR : 0) |
        (features & Feature.SSE ? CR4_OSXMMEXCPT : 0);
      if (v & ~valid) c.gp(0);
      const changed = c.cr4 ^ v;
      c.cr4 = v;
      if (changed & (CR4_PGE | CR4_PAE | CR4_PSE)) c.flushTlb(false);
      return;
    }
    default:
      c.raise(UD);
  }
}

function drIndex(c: CpuState, r: number): number {
  if (r === 4 || r === 5) {
    if (c.cr4 & CR4_DE) c.raise(UD);
    return r + 2;
  }
  return r;
}

export function movFromDr(c: X86, i: Instr): void {
  needRing0(c);
  c.regs[i.rm] = c.dr[drIndex(c, i.reg)];
}

export function movToDr(c: X86, i: Instr): void {
  needRing0(c);
  const r = drIndex(c, i.reg);
  let v = c.regs[i.rm];
  if (r === 6) v = (v & 0xe00f) | 0xffff0ff0;
  else if (r === 7) v = (v & 0xffff2bff) | 0x400;
  c.dr[r] = v;
}

// ---------------------------------------------------------------- model-specific

export function rdtsc(c: X86): void {
  if (c.cr4 & CR4_TSD && c.protectedMode && (c.v86 || c.cpl !== 0)) c.gp(0);
  c.clock.polls.timeRead(TimeSource.tsc);
  const t = c.tsc();
  c.regs[EAX] = t % 4294967296;
  c.regs[EDX] = Math.floor(t / 4294967296);
}

export function rdpmc(c: X86): void {
  if ((c.cr4 & CR4_PCE) === 0 && c.protectedMode && (c.v86 || c.cpl !== 0)) c.gp(0);
  if (c.regs[ECX] >>> 0 > 1) c.gp(0);
  c.regs[EAX] = 0;
  c.regs[EDX] = 0;
}

export function rdmsr(c: X86): void {
  needRing0(c);
  c.readMsr(c.regs[ECX] >>> 0);
}

export function wrmsr(c: X86): void {
  needRing0(c);
  c.writeMsr(c.regs[ECX] >>> 0, c.regs[EAX] >>> 0, c.regs[EDX] >>> 0);
}

export function cpuid(c: X86): void {
  c.cpuid();
}

/** SYSENTER: flat ring-0 CS and SS from IA32_SYSENTER_CS. */
export function sysenter(c: X86): void {
  const cs = c.model.sysenterCs & 0xfffc;
  if (!c.protectedMode || cs === 0) c.gp(0);
  c.flags &= ~(VM | IF | RF);
  c.setSeg(CS, cs, 0, 0xffffffff, 0xc09b);
  c.setSeg(SS, (cs + 8) & 0xfffc, 0, 0xffffffff, 0xc093);
  c.setCpl(0);
  c.modeChanged();
  c.regs[ESP] = c.model.sysenterEsp;
  c.eip = c.model.sysenterEip >>> 0;
}

export function sysexit(c: X86): void {
  const cs = c.model.sysenterCs & 0xfffc;
  if (!c.protectedMode || c.v86 || c.cpl !== 0 || cs === 0) c.gp(0);
  c.setSeg(CS, (cs + 16) | 3, 0, 0xffffffff, 0xc0fb);
  c.setSeg(SS, (cs + 24) | 3, 0, 0xffffffff, 0xc0f3);
  c.setCpl(3);
  c.regs[ESP] = c.regs[ECX];
  c.eip = c.regs[EDX] >>> 0;
}

export const cmc: Handler = (c) => c.setArith(c.getFlags() ^ CF);
export const clc: Handler = (c) => c.setArith(c.getFlags() & ~CF);
export const stc: Handler = (c) => c.setArith(c.getFlags() | CF);
export const cld: Handler = (c) => {
  c.flags &= ~DF;
};
export const std: Handler = (c) => {
  c.flags |= DF;
};
export const hlt: Handler = (c) => {
  needRing0(c);
  c.halted = true;
};
/** IRET also ends the NMI handler's blocking of further NMIs. */
export const iretNmi: Handler = (c, i) => {
  iret(c, i.o32);
  c.nmiBlocked = false;
};
export const clts: Handler = (c) => {
  needRing0(c);
  c.cr0 &= ~CR0_TS;
};
/** INVD and WBINVD: there are no caches to drop or write back; only the privilege check. */
export const invd: Handler = needRing0;
export const ud2: Handler = (c) => c.raise(UD);
