import { CS, EBP, ECX, ESP, SS, UD } from '../core/constants.js';
import type { CpuState } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import { callFar, interrupt, jmpFar, retFar } from '../core/transfer.js';
import { incDecE } from './alu.js';
import { offset, opSize, readE, sext } from './operands.js';
import type { Handler } from './table.js';

function jumpTo(c: CpuState, target: number, o32: boolean): void {
  target = o32 ? target >>> 0 : target & 0xffff;
  if (target > c.segLimit[CS]) c.gp(0);
  c.eip = target;
}

export function jccShort(c: CpuState, i: Instr): void {
  if (c.cond(i.op & 0xf)) jumpTo(c, c.eip + sext(i.imm, 1), i.o32);
}

export function jccNear(c: CpuState, i: Instr): void {
  if (c.cond(i.op & 0xf)) jumpTo(c, c.eip + i.imm, i.o32);
}

export function jmpShort(c: CpuState, i: Instr): void {
  jumpTo(c, c.eip + sext(i.imm, 1), i.o32);
}

export function jmpNear(c: CpuState, i: Instr): void {
  jumpTo(c, c.eip + i.imm, i.o32);
}

export function callNear(c: CpuState, i: Instr): void {
  const target = i.o32 ? (c.eip + i.imm) >>> 0 : (c.eip + i.imm) & 0xffff;
  if (target > c.segLimit[CS]) c.gp(0);
  c.push(c.eip | 0, i.o32);
  c.eip = target;
}

export function retNear(c: CpuState, i: Instr): void {
  const target = i.o32 ? c.peek(0, true) >>> 0 : c.peek(0, false);
  if (target > c.segLimit[CS]) c.gp(0);
  c.setSP(c.sp + (i.o32 ? 4 : 2) + (i.op === 0xc2 ? i.imm : 0));
  c.eip = target;
}

export function loop(c: CpuState, i: Instr): void {
  const m = i.a32 ? 0xffffffff : 0xffff;
  let take: boolean;
  if (i.op === 0xe3) take = (c.regs[ECX] & m) === 0;
  else {
    const n = (c.regs[ECX] - 1) & m;
    if (i.a32) c.regs[ECX] = n;
    else c.set16(ECX, n);
    take = n !== 0;
    if (i.op === 0xe1) take &&= c.getZF();
    else if (i.op === 0xe0) take &&= !c.getZF();
  }
  if (take) jumpTo(c, c.eip + sext(i.imm, 1), i.o32);
}

export function enter(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const level = i.imm2 & 31;
  const frameSize = i.imm & 0xffff;
  const sp0 = c.regs[ESP];
  try {
    c.push(c.regs[EBP], i.o32);
    const frame = c.sp;
    if (level > 0) {
      let bp = c.stack32 ? c.regs[EBP] >>> 0 : c.regs[EBP] & 0xffff;
      for (let k = 1; k < level; k++) {
        bp = c.stack32 ? (bp - size) >>> 0 : (bp - size) & 0xffff;
        const v = size === 4 ? c.read32(c.segRead(SS, bp, 4)) : c.read16(c.segRead(SS, bp, 2));
        c.push(v, i.o32);
      }
      c.push(frame, i.o32);
    }
    const newSp = c.stack32 ? (c.sp - frameSize) >>> 0 : (c.sp - frameSize) & 0xffff;
    c.segWrite(SS, newSp, frameSize === 0 ? 1 : 1);
    if (size === 4) c.regs[EBP] = frame;
    else c.set16(EBP, frame);
    c.setSP(newSp);
  } catch (e) {
    c.regs[ESP] = sp0;
    throw e;
  }
}

export function leave(c: CpuState, i: Instr): void {
  const bp = c.stack32 ? c.regs[EBP] >>> 0 : c.regs[EBP] & 0xffff;
  const v = i.o32 ? c.read32(c.segRead(SS, bp, 4)) : c.read16(c.segRead(SS, bp, 2));
  c.setSP(bp + (i.o32 ? 4 : 2));
  if (i.o32) c.regs[EBP] = v;
  else c.set16(EBP, v);
}

function readFarPointer(c: CpuState, i: Instr): { sel: number; off: number } {
  if (i.mod === 3) c.raise(UD);
  const size = opSize(i);
  const o = offset(c, i);
  const off = size === 4 ? c.read32(c.segRead(i.seg, o, 4)) : c.read16(c.segRead(i.seg, o, 2));
  const sel = c.read16(c.segRead(i.seg, i.a32 ? (o + size) >>> 0 : (o + size) & 0xffff, 2));
  return { sel, off };
}

export function group5(c: CpuState, i: Instr): void {
  const size = opSize(i);
  switch (i.reg) {
    case 0:
    case 1:
      incDecE(c, i, size, i.reg === 1);
      return;
    case 2: {
      const target = readE(c, i, size);
      const t = i.o32 ? target >>> 0 : target & 0xffff;
      if (t > c.segLimit[CS]) c.gp(0);
      c.push(c.eip | 0, i.o32);
      c.eip = t;
      return;
    }
    case 3: {
      const p = readFarPointer(c, i);
      callFar(c, p.sel, p.off, i.o32);
      return;
    }
    case 4:
      jumpTo(c, readE(c, i, size), i.o32);
      return;
    case 5: {
      const p = readFarPointer(c, i);
      jmpFar(c, p.sel, p.off, i.o32);
      return;
    }
    case 6:
      c.push(readE(c, i, size), i.o32);
      return;
    default:
      c.raise(UD);
  }
}

export function group4(c: CpuState, i: Instr): void {
  if (i.reg > 1) c.raise(UD);
  incDecE(c, i, 1, i.reg === 1);
}

export const jmpFarImm: Handler = (c, i) => jmpFar(c, i.imm2, i.imm, i.o32);
export const callFarImm: Handler = (c, i) => callFar(c, i.imm2, i.imm, i.o32);
export const retFarImm: Handler = (c, i) => retFar(c, i.o32, i.imm);
export const retFarPlain: Handler = (c, i) => retFar(c, i.o32, 0);
export const int3: Handler = (c) => interrupt(c, 3, true, -1, 0);
export const intImm: Handler = (c, i) => interrupt(c, i.imm, true, -1, 0);
export const into: Handler = (c) => {
  if (c.getOF()) interrupt(c, 4, true, -1, 0);
};
/** INT1 (ICEBP): a debug trap delivered as a hardware exception, so no IDT gate DPL check. */
export const int1: Handler = (c) => interrupt(c, 1, false, -1, 1);
