import type { CpuState } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';

/** Operand access shared by the handlers. `size` is 1, 2 or 4 bytes. */

export function opSize(i: Instr): number {
  return i.o32 ? 4 : 2;
}

export function getReg(c: CpuState, r: number, size: number): number {
  if (size === 4) return c.regs[r];
  if (size === 2) return c.regs[r] & 0xffff;
  return c.get8(r);
}

export function setReg(c: CpuState, r: number, size: number, v: number): void {
  if (size === 4) c.regs[r] = v;
  else if (size === 2) c.regs[r] = (c.regs[r] & ~0xffff) | (v & 0xffff);
  else c.set8(r, v);
}

export function memRead(c: CpuState, lin: number, size: number): number {
  if (size === 4) return c.read32(lin);
  if (size === 2) return c.read16(lin);
  return c.read8(lin);
}

export function memWrite(c: CpuState, lin: number, size: number, v: number): void {
  if (size === 4) c.write32(lin, v);
  else if (size === 2) c.write16(lin, v);
  else c.write8(lin, v);
}

/** Offset of the memory operand. */
export function offset(c: CpuState, i: Instr): number {
  return c.ea(i.base, i.index, i.scale, i.disp, i.a32);
}

/** Linear address of the memory operand for a read. */
export function linR(c: CpuState, i: Instr, size: number): number {
  return c.segRead(i.seg, c.ea(i.base, i.index, i.scale, i.disp, i.a32), size);
}

/** Linear address of the memory operand for a write (or read-modify-write). */
export function linW(c: CpuState, i: Instr, size: number): number {
  return c.segWrite(i.seg, c.ea(i.base, i.index, i.scale, i.disp, i.a32), size);
}

/** The r/m operand, register or memory. */
export function readE(c: CpuState, i: Instr, size: number): number {
  if (i.mod === 3) return getReg(c, i.rm, size);
  return memRead(c, linR(c, i, size), size);
}

export function writeE(c: CpuState, i: Instr, size: number, v: number): void {
  if (i.mod === 3) setReg(c, i.rm, size, v);
  else memWrite(c, linW(c, i, size), size, v);
}

/** Sign-extends the low `size` bytes of `v`. */
export function sext(v: number, size: number): number {
  return size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
}

export function mask(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}
