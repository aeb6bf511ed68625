import { TimeSource } from '@plugboard/core';
import { BR, CS, DS, EAX, EBX, ECX, EDX, ES, ESP, FS, GS, SS, UD, ZF } from '../core/constants.js';
import { type CpuState, LAZY_ADD } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { alu } from './alu.js';
import { getReg, linW, memRead, memWrite, offset, opSize, readE, setReg, sext, writeE } from './operands.js';
import type { Handler } from './table.js';

function movEG(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  writeE(c, i, size, getReg(c, i.reg, size));
}

function movGE(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  setReg(c, i.reg, size, readE(c, i, size));
}

function movEI(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  writeE(c, i, size, i.imm);
}

function movRegImm(c: CpuState, i: Instr): void {
  if (i.op < 0xb8) c.set8(i.op & 7, i.imm);
  else setReg(c, i.op & 7, opSize(i), i.imm);
}

function moffs(i: Instr): number {
  return i.a32 ? i.disp : i.disp & 0xffff;
}

function movMoffs(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const seg = i.segOverride >= 0 ? i.segOverride : DS;
  if (i.op < 0xa2) setReg(c, EAX, size, memRead(c, c.segRead(seg, moffs(i), size), size));
  else memWrite(c, c.segWrite(seg, moffs(i), size), size, getReg(c, EAX, size));
}

function movFromSeg(c: CpuState, i: Instr): void {
  if (i.reg > 5) c.raise(UD);
  const v = c.sel[i.reg];
  // A register destination takes the zero-extended selector at 32-bit operand size.
  if (i.mod === 3) setReg(c, i.rm, opSize(i), v);
  else memWrite(c, linW(c, i, 2), 2, v);
}

function movToSeg(c: CpuState, i: Instr): void {
  if (i.reg > 5 || i.reg === CS) c.raise(UD);
  c.loadSeg(i.reg, readE(c, i, 2));
  if (i.reg === SS) c.shadow = true;
}

function lea(c: CpuState, i: Instr): void {
  if (i.mod === 3) c.raise(UD);
  setReg(c, i.reg, opSize(i), offset(c, i));
}

/** NOP (XCHG eAX, eAX), and PAUSE (F3 90), the spin-wait hint, which is a poll for the clock's fast-forward. */
function nopOrPause(c: X86, i: Instr): void {
  if (i.rep === 0xf3) c.clock.polls.timeRead(TimeSource.none);
}

function xchgReg(c: CpuState, i: Instr): void {
  const r = i.op & 7;
  const size = opSize(i);
  const t = getReg(c, r, size);
  setReg(c, r, size, getReg(c, EAX, size));
  setReg(c, EAX, size, t);
}

function xchgE(c: CpuState, i: Instr): void {
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

function pushReg(c: CpuState, i: Instr): void {
  c.push(c.regs[i.op & 7], i.o32);
}

function popReg(c: CpuState, i: Instr): void {
  setReg(c, i.op & 7, opSize(i), i.o32 ? c.pop32() : c.pop16());
}

function pushImm(c: CpuState, i: Instr): void {
  c.push(i.op === 0x6a ? sext(i.imm, 1) : i.imm, i.o32);
}

function popE(c: CpuState, i: Instr): void {
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

function pushSeg(c: CpuState, i: Instr): void {
  const s = i.op < 0x100 ? (i.op >> 3) & 3 : i.op === 0x1a0 ? FS : GS;
  c.push(c.sel[s], i.o32);
}

function popSeg(c: CpuState, i: Instr): void {
  const s = i.op < 0x100 ? (i.op >> 3) & 3 : i.op === 0x1a1 ? FS : GS;
  const v = c.peek(0, false);
  c.loadSeg(s, v);
  c.setSP(c.sp + (i.o32 ? 4 : 2));
  if (s === SS) c.shadow = true;
}

function pusha(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const sp = c.sp;
  const lin = c.segWrite(SS, (sp - 8 * size) & (c.stack32 ? 0xffffffff : 0xffff), 8 * size);
  c.probeWrite(lin, 8 * size);
  const esp = c.regs[ESP];
  for (let r = 0; r < 8; r++) c.push(r === ESP ? esp : c.regs[r], i.o32);
}

function popa(c: CpuState, i: Instr): void {
  const size = opSize(i);
  c.segRead(SS, c.sp, 8 * size);
  for (let r = 7; r >= 0; r--) {
    const v = i.o32 ? c.pop32() : c.pop16();
    if (r !== ESP) setReg(c, r, size, v);
  }
}

function cbw(c: CpuState, i: Instr): void {
  if (i.o32) c.regs[EAX] = (c.regs[EAX] << 16) >> 16;
  else setReg(c, EAX, 2, (c.regs[EAX] << 24) >> 24);
}

function cwd(c: CpuState, i: Instr): void {
  if (i.o32) c.regs[EDX] = c.regs[EAX] >> 31;
  else setReg(c, EDX, 2, (c.regs[EAX] << 16) >> 31);
}

function sahf(c: CpuState): void {
  const f = c.getFlags();
  c.setArith((f & ~0xd5) | ((c.regs[EAX] >> 8) & 0xd5) | (f & 0x800));
}

function lahf(c: CpuState): void {
  c.set8(4, (c.getFlags() & 0xd5) | 2);
}

function xlat(c: CpuState, i: Instr): void {
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

function bound(c: CpuState, i: Instr): void {
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

function movzx(c: CpuState, i: Instr): void {
  const v = readE(c, i, i.op & 1 ? 2 : 1);
  setReg(c, i.reg, opSize(i), v);
}

function movsx(c: CpuState, i: Instr): void {
  const from = i.op & 1 ? 2 : 1;
  setReg(c, i.reg, opSize(i), sext(readE(c, i, from), from));
}

function cmov(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const v = readE(c, i, size);
  if (c.cond(i.op & 0xf)) setReg(c, i.reg, size, v);
  else if (size === 4) c.regs[i.reg] = c.regs[i.reg];
}

function setcc(c: CpuState, i: Instr): void {
  writeE(c, i, 1, c.cond(i.op & 0xf) ? 1 : 0);
}

function bswap(c: CpuState, i: Instr): void {
  const r = i.op & 7;
  const v = c.regs[r];
  c.regs[r] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

function cmpxchg(c: CpuState, i: Instr): void {
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

function xadd(c: CpuState, i: Instr): void {
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

function cmpxchg8b(c: CpuState, i: Instr): void {
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

function nop(): void {}

function hintNop(c: CpuState, i: Instr): void {
  if (i.mod !== 3) offset(c, i);
}

export function installData(t: Handler[]): void {
  for (const op of [0x88, 0x89]) t[op] = movEG;
  for (const op of [0x8a, 0x8b]) t[op] = movGE;
  t[0xc6] = movEI;
  t[0xc7] = movEI;
  for (let op = 0xb0; op < 0xc0; op++) t[op] = movRegImm;
  for (let op = 0xa0; op < 0xa4; op++) t[op] = movMoffs;
  t[0x8c] = movFromSeg;
  t[0x8e] = movToSeg;
  t[0x8d] = lea;
  t[0x90] = nopOrPause;
  for (let op = 0x91; op < 0x98; op++) t[op] = xchgReg;
  t[0x86] = xchgE;
  t[0x87] = xchgE;
  for (let op = 0x50; op < 0x58; op++) t[op] = pushReg;
  for (let op = 0x58; op < 0x60; op++) t[op] = popReg;
  t[0x68] = pushImm;
  t[0x6a] = pushImm;
  t[0x8f] = popE;
  for (const op of [0x06, 0x0e, 0x16, 0x1e, 0x1a0, 0x1a8]) t[op] = pushSeg;
  for (const op of [0x07, 0x17, 0x1f, 0x1a1, 0x1a9]) t[op] = popSeg;
  t[0x60] = pusha;
  t[0x61] = popa;
  t[0x98] = cbw;
  t[0x99] = cwd;
  t[0x9e] = sahf;
  t[0x9f] = lahf;
  t[0xd7] = xlat;
  t[0xc4] = (c, i) => loadFar(c, i, ES);
  t[0xc5] = (c, i) => loadFar(c, i, DS);
  t[0x1b2] = (c, i) => loadFar(c, i, SS);
  t[0x1b4] = (c, i) => loadFar(c, i, FS);
  t[0x1b5] = (c, i) => loadFar(c, i, GS);
  t[0x62] = bound;
  t[0x1b6] = movzx;
  t[0x1b7] = movzx;
  t[0x1be] = movsx;
  t[0x1bf] = movsx;
  for (let op = 0x140; op < 0x150; op++) t[op] = cmov;
  for (let op = 0x190; op < 0x1a0; op++) t[op] = setcc;
  for (let op = 0x1c8; op < 0x1d0; op++) t[op] = bswap;
  t[0x1b0] = cmpxchg;
  t[0x1b1] = cmpxchg;
  t[0x1c0] = xadd;
  t[0x1c1] = xadd;
  t[0x1c7] = cmpxchg8b;
  t[0x10d] = hintNop;
  for (let op = 0x118; op < 0x120; op++) t[op] = hintNop;
  t[0x9b] = nop;
}
