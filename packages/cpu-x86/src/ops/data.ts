import { TimeSource } from '@plugboard/core';
import { BR, CS, DS, EAX, EBX, ECX, EDX, ES, ESP, FS, GS, SS, UD, ZF } from '../core/constants.js';
import { type CpuState, LAZY_ADD } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { alu } from './alu.js';
import { getReg, linW, memRead, memWrite, offset, opSize, readE, setReg, sext, writeE } from './operands.js';
import type { Handler } from './table.js';

export function movEG(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  writeE(c, i, size, getReg(c, i.reg, size));
}

export function movGE(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  setReg(c, i.reg, size, readE(c, i, size));
}

export function movEI(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  writeE(c, i, size, i.imm);
}

export function movRegImm(c: CpuState, i: Instr): void {
  if (i.op < 0xb8) c.set8(i.op & 7, i.imm);
  else setReg(c, i.op & 7, opSize(i), i.imm);
}

function moffs(i: Instr): number {
  return i.a32 ? i.disp : i.disp & 0xffff;
}

export function movMoffs(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const seg = i.segOverride >= 0 ? i.segOverride : DS;
  if (i.op < 0xa2) setReg(c, EAX, size, memRead(c, c.segRead(seg, moffs(i), size), size));
  else memWrite(c, c.segWrite(seg, moffs(i), size), size, getReg(c, EAX, size));
}

export function movFromSeg(c: CpuState, i: Instr): void {
  if (i.reg > 5) c.raise(UD);
  const v = c.sel[i.reg];
  // A register destination takes the zero-extended selector at 32-bit operand size.
  if (i.mod === 3) setReg(c, i.rm, opSize(i), v);
  else memWrite(c, linW(c, i, 2), 2, v);
}

export function movToSeg(c: CpuState, i: Instr): void {
  if (i.reg > 5 || i.reg === CS) c.raise(UD);
  c.loadSeg(i.reg, readE(c, i, 2));
  if (i.reg === SS) c.shadow = true;
}

export function lea(c: CpuState, i: Instr): void {
  if (i.mod === 3) c.raise(UD);
  setReg(c, i.reg, opSize(i), offset(c, i));
}

/** NOP (XCHG eAX, eAX), and PAUSE (F3 90), the spin-wait hint, which is a poll for the clock's fast-forward. */
export function nopOrPause(c: X86, i: Instr): void {
  if (i.rep === 0xf3) c.clock.polls.timeRead(TimeSource.none);
}

export function xchgReg(c: CpuState, i: Instr): void {
  const r = i.op & 7;
  const size = opSize(i);
  const t = getReg(c, r, size);
  setReg(c, r, size, getReg(c, EAX, size));
  setReg(c, EAX, size, t);
}

export function xchgE(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  if (i.mod === 3) {
    const t = getReg(c, i.rm, size);
    setReg(c, i.rm, size, getReg(c, i.reg, size));
    setReg(c, i.reg, size, t);
    return;
  }
  const lin = linW(c, i, size);
  const t = memRead(c, lin, size);
  memWrite(c, lin, size, getReg(c, i.reg, size));
  setReg(c, i.reg, size, t);
}

export function pushReg(c: CpuState, i: Instr): void {
  c.push(c.regs[i.op & 7], i.o32);
}

export function popReg(c: CpuState, i: Instr): void {
  setReg(c, i.op & 7, opSize(i), i.o32 ? c.pop32() : c.pop16());
}

export function pushImm(c: CpuState, i: Instr): void {
  c.push(i.op === 0x6a ? sext(i.imm, 1) : i.imm, i.o32);
}

export function popE(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const sp = c.regs[ESP];
  const v = i.o32 ? c.pop32() : c.pop16();
  try {
    writeE(c, i, size, v);
  } catch (e) {
    c.regs[ESP] = sp;
    throw e;
  }
}

export function pushSeg(c: CpuState, i: Instr): void {
  const s = i.op < 0x100 ? (i.op >> 3) & 3 : i.op === 0x1a0 ? FS : GS;
  c.push(c.sel[s], i.o32);
}

export function popSeg(c: CpuState, i: Instr): void {
  const s = i.op < 0x100 ? (i.op >> 3) & 3 : i.op === 0x1a1 ? FS : GS;
  const v = c.peek(0, false);
  // POP SS steps SP or ESP as the SS it popped from says, not as the new one does.
  const esp = c.regs[ESP];
  const sp = esp + (i.o32 ? 4 : 2);
  const big = c.stack32;
  c.loadSeg(s, v);
  c.regs[ESP] = big ? sp : (esp & ~0xffff) | (sp & 0xffff);
  if (s === SS) c.shadow = true;
}

export function pusha(c: CpuState, i: Instr): void {
  c.probePush(8 * opSize(i));
  const esp = c.regs[ESP];
  for (let r = 0; r < 8; r++) c.push(r === ESP ? esp : c.regs[r], i.o32);
}

export function popa(c: CpuState, i: Instr): void {
  const size = opSize(i);
  c.checkPop(8 * size);
  for (let r = 7; r >= 0; r--) {
    const v = i.o32 ? c.pop32() : c.pop16();
    if (r !== ESP) setReg(c, r, size, v);
  }
}

export function cbw(c: CpuState, i: Instr): void {
  if (i.o32) c.regs[EAX] = (c.regs[EAX] << 16) >> 16;
  else setReg(c, EAX, 2, (c.regs[EAX] << 24) >> 24);
}

export function cwd(c: CpuState, i: Instr): void {
  if (i.o32) c.regs[EDX] = c.regs[EAX] >> 31;
  else setReg(c, EDX, 2, (c.regs[EAX] << 16) >> 31);
}

export function sahf(c: CpuState): void {
  const f = c.getFlags();
  c.setArith((f & ~0xd5) | ((c.regs[EAX] >> 8) & 0xd5) | (f & 0x800));
}

export function lahf(c: CpuState): void {
  c.set8(4, (c.getFlags() & 0xd5) | 2);
}

export function xlat(c: CpuState, i: Instr): void {
  const seg = i.segOverride >= 0 ? i.segOverride : DS;
  const off = i.a32
    ? (c.regs[EBX] + (c.regs[EAX] & 0xff)) >>> 0
    : (c.regs[EBX] + (c.regs[EAX] & 0xff)) & 0xffff;
  c.set8(0, c.read8(c.segRead(seg, off, 1)));
}

/** LES LDS LSS LFS LGS: offset then selector from memory. */
function loadFar(c: CpuState, i: Instr, s: number): void {
  if (i.mod === 3) c.raise(UD);
  const size = opSize(i);
  const off = offset(c, i);
  const lin = c.segRead(i.seg, off, size + 2);
  const v = memRead(c, lin, size);
  const sel = c.read16(c.segRead(i.seg, i.a32 ? (off + size) >>> 0 : (off + size) & 0xffff, 2));
  c.loadSeg(s, sel);
  setReg(c, i.reg, size, v);
  if (s === SS) c.shadow = true;
}

export function bound(c: CpuState, i: Instr): void {
  if (i.mod === 3) c.raise(UD);
  const size = opSize(i);
  const off = offset(c, i);
  const lo = sext(memRead(c, c.segRead(i.seg, off, size), size), size);
  const hi = sext(
    memRead(c, c.segRead(i.seg, i.a32 ? (off + size) >>> 0 : (off + size) & 0xffff, size), size),
    size,
  );
  const v = sext(getReg(c, i.reg, size), size);
  if (v < lo || v > hi) c.raise(BR);
}

export function movzx(c: CpuState, i: Instr): void {
  const v = readE(c, i, i.op & 1 ? 2 : 1);
  setReg(c, i.reg, opSize(i), v);
}

export function movsx(c: CpuState, i: Instr): void {
  const from = i.op & 1 ? 2 : 1;
  setReg(c, i.reg, opSize(i), sext(readE(c, i, from), from));
}

export function cmov(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const v = readE(c, i, size);
  if (c.cond(i.op & 0xf)) setReg(c, i.reg, size, v);
  else if (size === 4) c.regs[i.reg] = c.regs[i.reg];
}

export function setcc(c: CpuState, i: Instr): void {
  writeE(c, i, 1, c.cond(i.op & 0xf) ? 1 : 0);
}

export function bswap(c: CpuState, i: Instr): void {
  const r = i.op & 7;
  const v = c.regs[r];
  c.regs[r] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

export function cmpxchg(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const bits = size * 8 - 1;
  const acc = getReg(c, EAX, size);
  const lin = i.mod === 3 ? 0 : linW(c, i, size);
  const d = i.mod === 3 ? getReg(c, i.rm, size) : memRead(c, lin, size);
  alu(c, 7, acc, d, bits);
  const v = c.getZF() ? getReg(c, i.reg, size) : d;
  if (!c.getZF()) setReg(c, EAX, size, d);
  if (i.mod === 3) setReg(c, i.rm, size, v);
  else memWrite(c, lin, size, v);
}

export function xadd(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const bits = size * 8 - 1;
  const s = getReg(c, i.reg, size);
  if (i.mod === 3) {
    const d = getReg(c, i.rm, size);
    const r = d + s;
    c.lazy(LAZY_ADD, d, s, r, bits);
    setReg(c, i.reg, size, d);
    setReg(c, i.rm, size, r);
    return;
  }
  const lin = linW(c, i, size);
  const d = memRead(c, lin, size);
  const r = d + s;
  memWrite(c, lin, size, r);
  c.lazy(LAZY_ADD, d, s, r, bits);
  setReg(c, i.reg, size, d);
}

export function cmpxchg8b(c: CpuState, i: Instr): void {
  if (i.mod === 3 || i.reg !== 1) c.raise(UD);
  const lin = linW(c, i, 8);
  c.probeWrite(lin, 8);
  const lo = c.read32(lin);
  const hi = c.read32(lin + 4);
  const f = c.getFlags() & ~ZF;
  if (lo === c.regs[EAX] && hi === c.regs[EDX]) {
    c.write32(lin, c.regs[EBX]);
    c.write32(lin + 4, c.regs[ECX]);
    c.setArith(f | ZF);
  } else {
    c.write32(lin, lo);
    c.write32(lin + 4, hi);
    c.regs[EAX] = lo;
    c.regs[EDX] = hi;
    c.setArith(f);
  }
}

export function hintNop(c: CpuState, i: Instr): void {
  if (i.mod !== 3) offset(c, i);
}

export const les: Handler = (c, i) => loadFar(c, i, ES);
export const lds: Handler = (c, i) => loadFar(c, i, DS);
export const lss: Handler = (c, i) => loadFar(c, i, SS);
export const lfs: Handler = (c, i) => loadFar(c, i, FS);
export const lgs: Handler = (c, i) => loadFar(c, i, GS);
