import { UD } from '../core/constants.js';
import type { Instr } from '../core/instr-record.js';
import { alu } from './alu.js';
import { fpuUndefined } from './fpu.js';
import { type CpuFeatures, entryAvailable, entryIndex, lockable } from './index.js';
import { OPCODES } from './opcodes.js';
import type { Handler } from './table.js';

// The handler of a decoded instruction, chosen once when it is decoded: its
// table entry's, #UD for a form without one or of a feature the processor
// lacks, and for the most frequent operand forms with 32-bit operands a
// specialised handler that skips the size and form dispatch of the general
// one and computes exactly what it computes.

/** An opcode form without a table entry, or LOCK where the SDM does not allow it. */
const undefinedForm: Handler = (c) => c.raise(UD);

/** Whether `fn` is the #UD of a form without an entry or of a feature the model lacks. */
export function raisesUndefined(fn: Handler | null): boolean {
  return fn === undefinedForm;
}

/** Each entry's handler, by its index in `OPCODES`. */
const HANDLERS: readonly Handler[] = OPCODES.map((e) => e.handler);

const movEvGvReg: Handler = (c, i) => {
  c.regs[i.rm] = c.regs[i.reg];
};

const movEvGvMem: Handler = (c, i) => {
  c.write32(c.segWrite(i.seg, c.ea(i.base, i.index, i.scale, i.disp, i.a32), 4), c.regs[i.reg]);
};

const movGvEvReg: Handler = (c, i) => {
  c.regs[i.reg] = c.regs[i.rm];
};

const movGvEvMem: Handler = (c, i) => {
  c.regs[i.reg] = c.read32(c.segRead(i.seg, c.ea(i.base, i.index, i.scale, i.disp, i.a32), 4));
};

const lea32: Handler = (c, i) => {
  c.regs[i.reg] = c.ea(i.base, i.index, i.scale, i.disp, i.a32);
};

/** ADD..CMP Ev,Gv between registers. */
const aluEvGvReg: Handler = (c, i) => {
  const op = (i.op >> 3) & 7;
  const r = alu(c, op, c.regs[i.rm], c.regs[i.reg], 31);
  if (op !== 7) c.regs[i.rm] = r;
};

/** ADD..CMP Gv,Ev with Ev a register or memory. */
const aluGvEvReg: Handler = (c, i) => {
  const op = (i.op >> 3) & 7;
  const r = alu(c, op, c.regs[i.reg], c.regs[i.rm], 31);
  if (op !== 7) c.regs[i.reg] = r;
};

const aluGvEvMem: Handler = (c, i) => {
  const op = (i.op >> 3) & 7;
  const v = c.read32(c.segRead(i.seg, c.ea(i.base, i.index, i.scale, i.disp, i.a32), 4));
  const r = alu(c, op, c.regs[i.reg], v, 31);
  if (op !== 7) c.regs[i.reg] = r;
};

/** 83 /op ib on a register. */
const aluEvIbReg: Handler = (c, i) => {
  const r = alu(c, i.reg, c.regs[i.rm], (i.imm << 24) >> 24, 31);
  if (i.reg !== 7) c.regs[i.rm] = r;
};

const testEvGvReg: Handler = (c, i) => {
  c.logicFlags(c.regs[i.rm] & c.regs[i.reg], 31);
};

const pushReg32: Handler = (c, i) => {
  c.push32(c.regs[i.op & 7]);
};

const popReg32: Handler = (c, i) => {
  c.regs[i.op & 7] = c.pop32();
};

/**
 * The handler for decoded instruction `i` on a processor with `model`'s
 * CPUID features: a specialised one for a frequent form, else its entry's;
 * #UD (after #NM for the x87 escapes) for a form without an entry or whose
 * feature the model lacks.
 */
export function handlerFor(i: Instr, model: CpuFeatures): Handler {
  const op = i.op;
  if (i.lock && !lockable(i)) return undefinedForm;
  const k = entryIndex(i);
  if (k < 0 || !entryAvailable(k, model)) return op >= 0xd8 && op <= 0xdf ? fpuUndefined : undefinedForm;
  const general = HANDLERS[k];
  if (!i.o32) return general;
  const reg = i.mod === 3;
  if (op < 0x40) {
    const form = op & 7;
    if (form === 1 && reg) return aluEvGvReg;
    if (form === 3) return reg ? aluGvEvReg : aluGvEvMem;
    return general;
  }
  if (op >= 0x50 && op < 0x58) return pushReg32;
  if (op >= 0x58 && op < 0x60) return popReg32;
  switch (op) {
    case 0x83:
      return reg ? aluEvIbReg : general;
    case 0x85:
      return reg ? testEvGvReg : general;
    case 0x89:
      return reg ? movEvGvReg : movEvGvMem;
    case 0x8b:
      return reg ? movGvEvReg : movGvEvMem;
    case 0x8d:
      return reg ? general : lea32;
    default:
      return general;
  }
}
