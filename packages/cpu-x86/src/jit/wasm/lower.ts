import { IO, IO_EIP, IO_FLAGS, IO_PORT, SEG_BASE } from '../../core/arena.js';
import { CF, DF, EAX, EBP, ECX, EDI, EDX, ESI, ESP, FS, OF } from '../../core/constants.js';
import { LAZY_ADD, LAZY_SUB } from '../../core/cpu.js';
import type { Instr } from '../../core/instr.js';
import type { UnitEmitter } from './emit.js';
import { VOID, W } from './encoder.js';
import {
  branchDisplacement,
  conditionalBranch,
  moffsSeg,
  portForm,
  readsSource,
  stringForm,
  stringSource,
  usesDestination,
} from './forms.js';
import { PORT_IN } from './host.js';
import { emitSse } from './lower-sse.js';

// Each form `forms.ts` lists, written out in WebAssembly computing exactly
// what its handler in ops/ computes: results, lazy flag fields, and the
// order of its checks (every exit comes before the instruction changes
// anything).

/** The operand size of a word form: 2 with a 66 prefix in 32-bit code, else 4. */
function wordSize(i: Instr): number {
  return i.o32 ? 4 : 2;
}

/** The r/m operand (register or memory) of `size` bytes on the stack; memory operands read at `pa`. */
function readE(u: UnitEmitter, i: Instr, size: number): void {
  if (i.mod === 3) {
    u.reg(i.rm, size);
    return;
  }
  u.ea(i);
  u.translate(size, false);
  u.load(size);
}

export function emitInstr(u: UnitEmitter, i: Instr, next: number): void {
  const c = u.code;
  const op = i.op;
  if (conditionalBranch(op)) {
    // Taken, to a block of the unit or out of it; not taken, the block goes on.
    u.cond(op & 0xf);
    c.op(W.if, VOID);
    u.jump(next + branchDisplacement(i), 1);
    c.op(W.end);
    return;
  }
  if (op === 0xeb || op === 0xe9) {
    u.jump(next + branchDisplacement(i), 0);
    return;
  }
  if (portForm(op)) {
    port(u, i, next);
    return;
  }
  if (op === 0xe8) {
    push(u, () => c.get(0).i32(next).op(W.add));
    u.setEip(next + i.imm);
    u.transferred = true;
    return;
  }
  if (op === 0xc3 || op === 0xc2) {
    pop(u, 4 + (op === 0xc2 ? i.imm : 0), (v) => {
      c.i32(0)
        .get(v)
        .mem(W.store, IO + 4 * IO_EIP);
    });
    u.transferred = true;
    return;
  }
  if (op < 0x40) {
    aluForm(u, i);
    return;
  }
  if (op >= 0x40 && op < 0x50) {
    const x = op & 7;
    const size = wordSize(i);
    incDec(
      u,
      op >= 0x48,
      size * 8 - 1,
      () => u.reg(x, size),
      (v) => u.setReg(x, size, v),
    );
    return;
  }
  if (op >= 0x50 && op < 0x58) {
    push(u, () => u.reg32(op & 7));
    return;
  }
  if (op >= 0x58 && op < 0x60) {
    pop(u, 4, (v) => u.setReg32(op & 7, () => c.get(v)));
    return;
  }
  if (op >= 0xb0 && op < 0xb8) {
    u.setReg8(op & 7, () => c.i32(i.imm & 0xff));
    return;
  }
  if (op >= 0xb8 && op < 0xc0) {
    u.setReg32(op & 7, () => c.i32(i.imm));
    return;
  }
  switch (op) {
    case 0x68:
      push(u, () => c.i32(i.imm));
      return;
    case 0x6a:
      push(u, () => c.i32((i.imm << 24) >> 24));
      return;
    case 0x80:
    case 0x81:
    case 0x83: {
      const size = op === 0x80 ? 1 : wordSize(i);
      const imm = op === 0x83 ? (i.imm << 24) >> 24 : i.imm;
      aluE(u, i, i.reg, size, () => c.i32(imm));
      return;
    }
    case 0x84:
    case 0x85: {
      const size = op === 0x84 ? 1 : wordSize(i);
      testOf(
        u,
        size,
        () => readE(u, i, size),
        () => u.reg(i.reg, size),
      );
      return;
    }
    case 0xa8:
    case 0xa9: {
      const size = op === 0xa8 ? 1 : wordSize(i);
      testOf(
        u,
        size,
        () => u.reg(0, size),
        () => c.i32(i.imm),
      );
      return;
    }
    case 0xf6:
    case 0xf7: {
      const size = op === 0xf6 ? 1 : wordSize(i);
      if (i.reg === 0)
        testOf(
          u,
          size,
          () => readE(u, i, size),
          () => c.i32(i.imm),
        );
      else if (i.reg <= 3) notNeg(u, i, size);
      else mulDiv(u, i);
      return;
    }
    case 0x88:
    case 0x89: {
      const size = op === 0x88 ? 1 : wordSize(i);
      if (i.mod === 3) u.setReg(i.rm, size, () => u.reg(i.reg, size));
      else {
        u.ea(i);
        u.translate(size, true);
        u.store(size, () => u.reg(i.reg, size));
      }
      return;
    }
    case 0x8a:
    case 0x8b: {
      const size = op === 0x8a ? 1 : wordSize(i);
      if (i.mod === 3) u.setReg(i.reg, size, () => u.reg(i.rm, size));
      else {
        u.ea(i);
        u.translate(size, false);
        u.setReg(i.reg, size, () => u.load(size));
      }
      return;
    }
    case 0xc6:
    case 0xc7: {
      const size = op === 0xc6 ? 1 : wordSize(i);
      if (i.mod === 3) u.setReg(i.rm, size, () => c.i32(i.imm));
      else {
        u.ea(i);
        u.translate(size, true);
        u.store(size, () => c.i32(i.imm));
      }
      return;
    }
    case 0x8d:
      u.ea(i, false);
      u.setReg32(i.reg, () => c.get(u.addr));
      return;
    case 0xfe:
    case 0xff: {
      if (i.reg === 6) {
        const v = c.local();
        readE(u, i, 4);
        c.set(v);
        push(u, () => c.get(v));
        return;
      }
      if (i.reg === 2 || i.reg === 4) {
        // Near CALL and JMP through a register or memory: the target is read before the push.
        const target = c.local();
        readE(u, i, 4);
        c.set(target);
        if (i.reg === 2) push(u, () => c.get(0).i32(next).op(W.add));
        c.i32(0)
          .get(target)
          .mem(W.store, IO + 4 * IO_EIP);
        u.transferred = true;
        return;
      }
      const size = op === 0xfe ? 1 : wordSize(i);
      const bits = size * 8 - 1;
      if (i.mod === 3) {
        incDec(
          u,
          i.reg === 1,
          bits,
          () => u.reg(i.rm, size),
          (v) => u.setReg(i.rm, size, v),
        );
      } else {
        u.ea(i);
        u.translate(size, true);
        incDec(
          u,
          i.reg === 1,
          bits,
          () => u.load(size),
          (v) => u.store(size, v),
        );
      }
      return;
    }
    case 0x1b6:
    case 0x1b7:
    case 0x1be:
    case 0x1bf: {
      const from = op & 1 ? 2 : 1;
      u.setReg32(i.reg, () => {
        if (i.mod === 3) {
          if (from === 1) u.reg8(i.rm);
          else u.reg32(i.rm);
        } else {
          u.ea(i);
          u.translate(from, false);
          c.get(u.addrPhys).mem(from === 1 ? W.load8u : W.load16u, 0);
        }
        if (from === 2 && i.mod === 3) c.i32(0xffff).op(W.and);
        if (op >= 0x1be)
          c.i32(32 - from * 8)
            .op(W.shl)
            .i32(32 - from * 8)
            .op(W.shrS);
      });
      return;
    }
  }
  if (emitOther(u, i)) return;
  throw new Error(`wasm emitter: opcode ${op.toString(16)} passed supported() but has no form`);
}

/** PUSH of what `value` leaves (read before ESP moves, so PUSH ESP pushes the old value). */
function push(u: UnitEmitter, value: () => void): void {
  const c = u.code;
  u.reg32(ESP);
  c.i32(4).op(W.sub).set(u.addr);
  u.translate(4, true);
  u.store(4, value);
  u.setReg32(ESP, () => c.get(u.addr));
}

/** POP: the value at ESP into a local for `use`, after ESP has moved up by `adjust` (POP ESP keeps the value). */
function pop(u: UnitEmitter, adjust: number, use: (value: number) => void): void {
  const c = u.code;
  const v = c.local();
  u.reg32(ESP);
  c.set(u.addr);
  u.translate(4, false);
  u.load(4);
  c.set(v);
  u.setReg32(ESP, () => c.get(u.addr).i32(adjust).op(W.add));
  use(v);
}

/** `a op b` into a new local, with the flags `ops/alu.ts` sets; `a`, `b` are locals. */
function compute(u: UnitEmitter, op: number, bits: number, a: number, b: number): number {
  const c = u.code;
  const r = c.local();
  switch (op) {
    case 0:
      c.get(a).get(b).op(W.add).set(r);
      u.flags(LAZY_ADD, bits, a, b, r, -1);
      return r;
    case 1:
    case 4:
    case 6:
      c.get(a)
        .get(b)
        .op(op === 1 ? W.or : op === 4 ? W.and : W.xor)
        .set(r);
      u.logic(bits, r);
      return r;
    case 2:
    case 3: {
      const cin = c.local();
      u.carry();
      c.set(cin);
      c.get(a)
        .get(b)
        .op(op === 2 ? W.add : W.sub)
        .get(cin)
        .op(op === 2 ? W.add : W.sub)
        .set(r);
      u.flags(op === 2 ? LAZY_ADD : LAZY_SUB, bits, a, b, r, cin);
      return r;
    }
    default:
      c.get(a).get(b).op(W.sub).set(r);
      u.flags(LAZY_SUB, bits, a, b, r, -1);
      return r;
  }
}

/** Opcodes 00-3F, forms 0-5. */
function aluForm(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const op = (i.op >> 3) & 7;
  const form = i.op & 7;
  const size = form & 1 ? wordSize(i) : 1;
  if (form < 2) {
    aluE(u, i, op, size, () => u.reg(i.reg, size));
    return;
  }
  const a = c.local();
  const b = c.local();
  u.reg(form < 4 ? i.reg : 0, size);
  c.set(a);
  if (form < 4) readE(u, i, size);
  else c.i32(i.imm);
  c.set(b);
  const r = compute(u, op, size * 8 - 1, a, b);
  if (op !== 7) u.setReg(form < 4 ? i.reg : 0, size, () => c.get(r));
}

/** ALU op `op` on the r/m operand with the source `src` leaves. */
function aluE(u: UnitEmitter, i: Instr, op: number, size: number, src: () => void): void {
  const c = u.code;
  const a = c.local();
  const b = c.local();
  if (i.mod === 3) {
    u.reg(i.rm, size);
    c.set(a);
    src();
    c.set(b);
    const r = compute(u, op, size * 8 - 1, a, b);
    if (op !== 7) u.setReg(i.rm, size, () => c.get(r));
    return;
  }
  u.ea(i);
  u.translate(size, op !== 7);
  u.load(size);
  c.set(a);
  src();
  c.set(b);
  const r = compute(u, op, size * 8 - 1, a, b);
  if (op !== 7) u.store(size, () => c.get(r));
}

/** TEST: the logic flags of `left & right`. */
function testOf(u: UnitEmitter, size: number, left: () => void, right: () => void): void {
  const c = u.code;
  const r = c.local();
  left();
  right();
  c.op(W.and).set(r);
  u.logic(size * 8 - 1, r);
}

/** INC/DEC of the operand `read` leaves, written back by `write`; CF survives (`lazyKeepCF`). */
function incDec(
  u: UnitEmitter,
  dec: boolean,
  bits: number,
  read: () => void,
  write: (value: () => void) => void,
): void {
  const c = u.code;
  const a = c.local();
  const r = c.local();
  read();
  c.tee(a)
    .i32(1)
    .op(dec ? W.sub : W.add)
    .set(r);
  u.keepCarry(dec ? LAZY_SUB : LAZY_ADD, bits, a, r);
  write(() => c.get(r));
}

/** The r/m operand's address checked for a write (read-modify-write forms), or nothing for a register. */
function lockE(u: UnitEmitter, i: Instr, size: number): void {
  if (i.mod === 3) return;
  u.ea(i);
  u.translate(size, true);
}

function loadE(u: UnitEmitter, i: Instr, size: number): void {
  if (i.mod === 3) u.reg(i.rm, size);
  else u.load(size);
}

function storeE(u: UnitEmitter, i: Instr, size: number, value: () => void): void {
  if (i.mod === 3) u.setReg(i.rm, size, value);
  else u.store(size, value);
}

/** F6/F7 /2 NOT (no flags) and /3 NEG (`lazy(SUB, 0, a, -a)`). */
function notNeg(u: UnitEmitter, i: Instr, size: number): void {
  const c = u.code;
  const a = c.local();
  lockE(u, i, size);
  loadE(u, i, size);
  c.set(a);
  if (i.reg === 2) {
    storeE(u, i, size, () => c.get(a).i32(-1).op(W.xor));
    return;
  }
  const zero = c.local();
  const r = c.local();
  c.i32(0).get(a).op(W.sub).set(r);
  u.flags(LAZY_SUB, size * 8 - 1, zero, a, r, -1);
  storeE(u, i, size, () => c.get(r));
}

/** The forms beyond the ALU, MOV and transfer core of `emitInstr`: strings, shifts, CMOVcc, SETcc, multiplies and divides, XCHG and the rest. */
function emitOther(u: UnitEmitter, i: Instr): boolean {
  const c = u.code;
  const op = i.op;
  if (stringForm(op)) {
    if (i.rep !== 0) repBlock(u, i);
    else stringStep(u, i);
    return true;
  }
  if (op >= 0xa0 && op < 0xa4) {
    const size = op & 1 ? wordSize(i) : 1;
    c.i32(i.disp);
    if (moffsSeg(i) >= FS)
      c.i32(0)
        .mem(W.load, SEG_BASE + 4 * moffsSeg(i))
        .op(W.add);
    c.set(u.addr);
    u.translate(size, op >= 0xa2);
    if (op < 0xa2) u.setReg(EAX, size, () => u.load(size));
    else u.store(size, () => u.reg(EAX, size));
    return true;
  }
  if (op === 0x90) return true;
  if (op === 0xfc || op === 0xfd) {
    // CLD, STD: DF is kept in the flags word.
    c.i32(0);
    c.i32(0)
      .mem(W.load, IO + 4 * IO_FLAGS)
      .i32(~DF)
      .op(W.and);
    if (op === 0xfd) c.i32(DF).op(W.or);
    c.mem(W.store, IO + 4 * IO_FLAGS);
    return true;
  }
  if (op >= 0x91 && op < 0x98) {
    const t = c.local();
    const r = op & 7;
    u.reg32(EAX);
    c.set(t);
    u.setReg32(EAX, () => u.reg32(r));
    u.setReg32(r, () => c.get(t));
    return true;
  }
  if (op === 0x1b0 || op === 0x1b1) {
    cmpxchg(u, i, op === 0x1b0 ? 1 : wordSize(i));
    return true;
  }
  if (op === 0x1c0 || op === 0x1c1) {
    xadd(u, i, op === 0x1c0 ? 1 : wordSize(i));
    return true;
  }
  if (op >= 0x140 && op < 0x150) {
    const v = c.local();
    readE(u, i, 4);
    c.set(v);
    u.cond(op & 0xf);
    c.op(W.if, VOID);
    u.setReg32(i.reg, () => c.get(v));
    c.op(W.end);
    return true;
  }
  if (op >= 0x190 && op < 0x1a0) {
    const v = c.local();
    u.cond(op & 0xf);
    c.set(v);
    lockE(u, i, 1);
    storeE(u, i, 1, () => c.get(v));
    return true;
  }
  if (op >= 0x1c8 && op < 0x1d0) {
    const v = c.local();
    const r = op & 7;
    u.reg32(r);
    c.set(v);
    u.setReg32(r, () => {
      c.get(v).i32(24).op(W.shl);
      c.get(v).i32(0xff00).op(W.and).i32(8).op(W.shl, W.or);
      c.get(v).i32(8).op(W.shrU).i32(0xff00).op(W.and, W.or);
      c.get(v).i32(24).op(W.shrU, W.or);
    });
    return true;
  }
  switch (op) {
    case 0x99:
      u.setReg32(EDX, () => {
        u.reg32(EAX);
        c.i32(31).op(W.shrS);
      });
      return true;
    case 0x87: {
      const old = c.local();
      lockE(u, i, 4);
      loadE(u, i, 4);
      c.set(old);
      storeE(u, i, 4, () => u.reg32(i.reg));
      u.setReg32(i.reg, () => c.get(old));
      return true;
    }
    case 0xc9: {
      // LEAVE: ESP from EBP, then EBP popped.
      const v = c.local();
      u.reg32(EBP);
      c.set(u.addr);
      u.translate(4, false);
      u.load(4);
      c.set(v);
      u.setReg32(ESP, () => c.get(u.addr).i32(4).op(W.add));
      u.setReg32(EBP, () => c.get(v));
      return true;
    }
    case 0x69:
    case 0x6b:
    case 0x1af: {
      // IMUL r32, r/m32 (and r/m32 by an immediate): the low half of the signed product.
      const a = c.local();
      const b = c.local();
      const lo = c.local();
      if (op === 0x1af) {
        u.reg32(i.reg);
        c.set(a);
        readE(u, i, 4);
        c.set(b);
      } else {
        readE(u, i, 4);
        c.set(a);
        c.i32(op === 0x6b ? (i.imm << 24) >> 24 : i.imm).set(b);
      }
      c.get(a).get(b).op(W.mul).set(lo);
      u.setReg32(i.reg, () => c.get(lo));
      u.settle();
      u.setArith(() => {
        u.szp(lo);
        // The exact product differs from the kept low half: CF = OF = 1.
        c.get(a).op(W.i64ExtendS).get(b).op(W.i64ExtendS, W.i64Mul).get(lo).op(W.i64ExtendS, W.i64Ne);
        c.i32(CF | OF).op(W.mul, W.or);
      });
      return true;
    }
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      shift(u, i);
      return true;
    case 0x1a4:
    case 0x1a5:
    case 0x1ac:
    case 0x1ad:
      doubleShift(u, i);
      return true;
    case 0x1a3:
    case 0x1ab:
    case 0x1b3:
    case 0x1bb:
    case 0x1ba:
      bitOp(u, i);
      return true;
  }
  return emitSse(u, i);
}

/**
 * BT, BTS, BTR, BTC of a doubleword (`ops/alu.ts` `bitOp`): a register with
 * a register or immediate index, or memory with an immediate one. CF is the
 * bit; the interpreter keeps the other flags as they were, so they stay lazy.
 */
function bitOp(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const kind = i.op === 0x1ba ? i.reg - 4 : (i.op - 0x1a3) >> 3;
  const v = c.local();
  const bit = c.local();
  const cf = c.local();
  u.settle();
  if (kind === 0) readE(u, i, 4);
  else {
    lockE(u, i, 4);
    loadE(u, i, 4);
  }
  c.set(v);
  if (i.op === 0x1ba) c.i32(i.imm);
  else u.reg32(i.reg);
  c.i32(31).op(W.and).set(bit);
  c.get(v).get(bit).op(W.shrU).i32(1).op(W.and).set(cf);
  u.setCarry(cf);
  if (kind === 0) return;
  storeE(u, i, 4, () => {
    c.get(v).i32(1).get(bit).op(W.shl);
    if (kind === 2) c.i32(-1).op(W.xor, W.and);
    else c.op(kind === 1 ? W.or : W.xor);
  });
}

/** C0/C1/D0-D3: ROL ROR SHL SHR SAL SAR of any operand size, as `ops/alu.ts` `shift` computes them. */
function shift(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const size = i.op & 1 ? wordSize(i) : 1;
  const bits = size * 8;
  const top = bits - 1;
  const v = c.local();
  const n = c.local();
  const r = c.local();
  const cf = c.local();
  const of = c.local();
  u.settle();
  lockE(u, i, size);
  loadE(u, i, size);
  c.set(v);
  if (i.op >= 0xd2) u.reg32(ECX);
  else c.i32(i.op >= 0xd0 ? 1 : i.imm);
  c.i32(0x1f).op(W.and).tee(n);
  // A count of 0 changes nothing, flags included.
  c.op(W.if, VOID);
  const masked = (): void => {
    if (size < 4) c.i32(2 ** bits - 1).op(W.and);
  };
  // A rotate by a multiple of the width leaves the value but still sets CF and OF.
  const turn = (left: boolean): void => {
    if (size === 4) {
      c.get(v)
        .get(n)
        .op(left ? W.rotl : W.rotr);
      return;
    }
    const k = c.local();
    c.get(n).i32(top).op(W.and).set(k);
    c.get(v)
      .get(k)
      .op(left ? W.shl : W.shrU);
    c.get(v)
      .i32(bits)
      .get(k)
      .op(W.sub, left ? W.shrU : W.shl, W.or);
    masked();
  };
  switch (i.reg) {
    case 0:
      turn(true);
      c.tee(r).i32(1).op(W.and).set(cf);
      c.get(r).i32(top).op(W.shrU).get(cf).op(W.xor).set(of);
      u.setCarryOverflow(cf, of);
      break;
    case 1:
      turn(false);
      c.tee(r).i32(top).op(W.shrU).set(cf);
      c.get(cf)
        .get(r)
        .i32(top - 1)
        .op(W.shrU)
        .i32(1)
        .op(W.and, W.xor)
        .set(of);
      u.setCarryOverflow(cf, of);
      break;
    case 5:
      c.get(v).get(n).op(W.shrU).set(r);
      c.get(v).get(n).i32(1).op(W.sub, W.shrU).tee(cf).get(r).op(W.xor).i32(top).op(W.shrU).set(of);
      c.get(cf).i32(1).op(W.and).set(cf);
      u.setArith(() => {
        u.szp(r, bits);
        c.get(cf).op(W.or).get(of).i32(11).op(W.shl, W.or);
      });
      break;
    case 7:
      // The operand sign-extended to 32 bits, then shifted as SAR of a doubleword.
      c.get(v);
      if (size < 4)
        c.i32(32 - bits)
          .op(W.shl)
          .i32(32 - bits)
          .op(W.shrS);
      c.tee(v).get(n).op(W.shrS);
      masked();
      c.set(r);
      c.get(v).get(n).i32(1).op(W.sub, W.shrS).i32(1).op(W.and).set(cf);
      u.setArith(() => {
        u.szp(r, bits);
        c.get(cf).op(W.or);
      });
      break;
    default:
      c.get(v).get(n).op(W.shl);
      masked();
      c.set(r);
      // A count beyond the width leaves 0 here (the operand has no bits above it), as CF must be.
      c.get(v).get(n).i32(1).op(W.sub, W.shl).i32(top).op(W.shrU).i32(1).op(W.and).set(cf);
      c.get(r).i32(top).op(W.shrU).get(cf).op(W.xor).set(of);
      u.setArith(() => {
        u.szp(r, bits);
        c.get(cf).op(W.or).get(of).i32(11).op(W.shl, W.or);
      });
      break;
  }
  storeE(u, i, size, () => c.get(r));
  c.op(W.end);
}

/** SHLD and SHRD of doublewords (0F A4/A5, AC/AD; `ops/alu.ts` `doubleShift`): a count of 0 touches nothing. */
function doubleShift(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const left = i.op < 0x1a8;
  const d = c.local();
  const s = c.local();
  const n = c.local();
  const r = c.local();
  const cf = c.local();
  u.settle();
  if (i.op & 1) u.reg32(ECX);
  else c.i32(i.imm);
  c.i32(0x1f).op(W.and).tee(n);
  c.op(W.if, VOID);
  lockE(u, i, 4);
  loadE(u, i, 4);
  c.set(d);
  u.reg32(i.reg);
  c.set(s);
  // The count is 1-31 here, so 32 - n is too (WebAssembly shifts by the count mod 32, as JavaScript does).
  c.get(d)
    .get(n)
    .op(left ? W.shl : W.shrU);
  c.get(s)
    .i32(32)
    .get(n)
    .op(W.sub, left ? W.shrU : W.shl, W.or)
    .set(r);
  c.get(d);
  if (left) c.i32(32).get(n).op(W.sub);
  else c.get(n).i32(1).op(W.sub);
  c.op(W.shrU).i32(1).op(W.and).set(cf);
  u.setArith(() => {
    u.szp(r);
    c.get(cf).op(W.or);
    c.get(r).get(d).op(W.xor).i32(31).op(W.shrU).i32(11).op(W.shl, W.or);
  });
  storeE(u, i, 4, () => c.get(r));
  c.op(W.end);
}

/**
 * REP MOVS or STOS that ends within the page of its destination (and
 * source) going up: `ops/string.ts` copies or fills it as one block and
 * retires it as one instruction. Any other count, DF set, or a MOVS whose
 * destination overlaps the source ahead of it (element by element repeats a
 * pattern) leaves the unit before it.
 */
function repBlock(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const op = i.op;
  const shift = op & 1 ? 2 : 0;
  const movs = op <= 0xa5;
  const count = c.local();
  const bytes = c.local();
  const dest = c.local();
  const source = c.local();
  // ES is flat: EDI is the destination's linear address.
  u.reg32(EDI);
  c.set(dest);
  if (movs) {
    const src = stringSource(i);
    u.reg32(ESI);
    if (src >= FS)
      c.i32(0)
        .mem(W.load, SEG_BASE + 4 * src)
        .op(W.add);
    c.set(source);
  }
  const room = (linear: number): void => {
    c.i32(0x1000).get(linear).i32(0xfff).op(W.and, W.sub);
    if (shift) c.i32(shift).op(W.shrU);
    c.get(count).op(W.ltU);
  };
  u.reg32(ECX);
  c.tee(count).i32(shift).op(W.shl).set(bytes);
  c.i32(0)
    .mem(W.load, IO + 4 * IO_FLAGS)
    .i32(DF)
    .op(W.and);
  room(dest);
  c.op(W.or);
  if (movs) {
    room(source);
    c.op(W.or);
  }
  u.exitIf();
  c.get(dest).set(u.addr);
  u.translate(1, true);
  c.get(u.addrPhys).set(dest);
  if (movs) {
    c.get(source).set(u.addr);
    u.translate(1, false);
    // The destination inside the source, ahead of it.
    c.get(dest).get(u.addrPhys).op(W.gtU);
    c.get(dest).get(u.addrPhys).get(bytes).op(W.add, W.ltU, W.and);
    u.exitIf();
    c.get(dest)
      .get(u.addrPhys)
      .get(bytes)
      .op(...W.memoryCopy);
    u.setReg32(ESI, () => {
      u.reg32(ESI);
      c.get(bytes).op(W.add);
    });
  } else if (shift === 0) {
    c.get(dest);
    u.reg32(EAX);
    c.get(bytes).op(...W.memoryFill);
  } else {
    // Doubleword by doubleword: `dest` walks to the end.
    const end = c.local();
    c.get(dest).get(bytes).op(W.add).set(end);
    c.op(W.block, VOID, W.loop, VOID);
    c.get(dest).get(end).op(W.geU, W.brIf, 1);
    c.get(dest);
    u.reg32(EAX);
    c.mem(W.store, 0);
    c.get(dest).i32(4).op(W.add).set(dest);
    c.op(W.br, 0, W.end, W.end);
  }
  u.setReg32(EDI, () => {
    u.reg32(EDI);
    c.get(bytes).op(W.add);
  });
  u.setReg32(ECX, () => c.i32(0));
}

/** One MOVS, CMPS, STOS, LODS or SCAS step: DF picks the direction (`ops/string.ts` `once`). */
function stringStep(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const op = i.op;
  const size = op & 1 ? wordSize(i) : 1;
  const step = c.local();
  const source = c.local();
  const dest = c.local();
  c.i32(-size).i32(size);
  c.i32(0)
    .mem(W.load, IO + 4 * IO_FLAGS)
    .i32(DF)
    .op(W.and, W.select)
    .set(step);
  const src = stringSource(i);
  const reads = readsSource(op);
  const compares = op === 0xa6 || op === 0xa7 || op === 0xae || op === 0xaf;
  if (reads) {
    u.reg32(ESI);
    if (src >= FS)
      c.i32(0)
        .mem(W.load, SEG_BASE + 4 * src)
        .op(W.add);
    c.set(u.addr);
    u.translate(size, false);
    u.load(size);
  } else u.reg(EAX, size);
  c.set(source);
  if (usesDestination(op)) {
    u.reg32(EDI);
    c.set(u.addr);
    u.translate(size, !compares);
    if (compares) {
      u.load(size);
      c.set(dest);
      const r = c.local();
      c.get(source).get(dest).op(W.sub).set(r);
      u.flags(LAZY_SUB, size * 8 - 1, source, dest, r, -1);
    } else u.store(size, () => c.get(source));
  } else u.setReg(EAX, size, () => c.get(source));
  for (const [r, moves] of [
    [ESI, reads],
    [EDI, usesDestination(op)],
  ] as const) {
    if (!moves) continue;
    u.setReg32(r, () => {
      u.reg32(r);
      c.get(step).op(W.add);
    });
  }
}

/** EDX:EAX as a 64-bit value. */
function edxEax(u: UnitEmitter): void {
  const c = u.code;
  u.reg32(EDX);
  c.op(W.i64ExtendU).i32(32).op(W.i64ExtendU, W.i64Shl);
  u.reg32(EAX);
  c.op(W.i64ExtendU, W.i64Or);
}

/**
 * F7 /4-/7 with a 32-bit operand: MUL and IMUL into EDX:EAX with QEMU's
 * flags (`mulFlags`), DIV and IDIV, which leave before the instruction where
 * it raises #DE (a zero divisor, a quotient too large; IDIV by -1 too, which
 * WebAssembly would trap on) for the interpreter to raise.
 */
function mulDiv(u: UnitEmitter, i: Instr): void {
  const c = u.code;
  const d = c.local();
  const lo = c.local();
  const hi = c.local();
  readE(u, i, 4);
  c.set(d);
  if (i.reg <= 5) {
    const signed = i.reg === 5;
    const wide = signed ? W.i64ExtendS : W.i64ExtendU;
    u.reg32(EAX);
    c.op(wide).get(d).op(wide, W.i64Mul).tee(u.wide);
    c.op(W.wrap).set(lo);
    c.get(u.wide).i32(32).op(W.i64ExtendU, W.i64ShrU, W.wrap).set(hi);
    u.setReg32(EAX, () => c.get(lo));
    u.setReg32(EDX, () => c.get(hi));
    u.settle();
    u.setArith(() => {
      u.szp(lo);
      c.get(hi);
      if (signed) c.get(lo).i32(31).op(W.shrS, W.ne);
      else c.i32(0).op(W.ne);
      c.i32(CF | OF).op(W.mul, W.or);
    });
    return;
  }
  if (i.reg === 6) {
    // A quotient fits 32 bits exactly when EDX is below the divisor.
    c.get(d).op(W.eqz);
    u.reg32(EDX);
    c.get(d).op(W.geU, W.or);
    u.exitIf();
    edxEax(u);
    c.get(d).op(W.i64ExtendU, W.i64DivU, W.wrap).set(lo);
    edxEax(u);
    c.get(d).op(W.i64ExtendU, W.i64RemU, W.wrap).set(hi);
  } else {
    c.get(d).op(W.eqz).get(d).i32(-1).op(W.eq, W.or);
    u.exitIf();
    edxEax(u);
    c.get(d).op(W.i64ExtendS, W.i64DivS).tee(u.wide);
    c.op(W.wrap).set(lo);
    c.get(u.wide).get(lo).op(W.i64ExtendS, W.i64Ne);
    u.exitIf();
    edxEax(u);
    c.get(d).op(W.i64ExtendS, W.i64RemS, W.wrap).set(hi);
  }
  u.setReg32(EAX, () => c.get(lo));
  u.setReg32(EDX, () => c.get(hi));
}

/** CMPXCHG: CMP's flags of the accumulator against the destination, which always gets a write (`ops/data.ts`). */
function cmpxchg(u: UnitEmitter, i: Instr, size: number): void {
  const c = u.code;
  const acc = c.local();
  const d = c.local();
  const v = c.local();
  const r = c.local();
  lockE(u, i, size);
  u.reg(EAX, size);
  c.set(acc);
  loadE(u, i, size);
  c.set(d);
  c.get(acc).get(d).op(W.sub).set(r);
  u.flags(LAZY_SUB, size * 8 - 1, acc, d, r, -1);
  // Equal at the operand size: the source goes in, else the destination comes back in the accumulator.
  u.reg(i.reg, size);
  c.get(d).get(acc).get(d).op(W.eq, W.select).set(v);
  c.get(acc).get(d).op(W.ne, W.if, VOID);
  u.setReg(EAX, size, () => c.get(d));
  c.op(W.end);
  storeE(u, i, size, () => c.get(v));
}

/** XADD: the sum to the destination, the destination's old value to the source register. */
function xadd(u: UnitEmitter, i: Instr, size: number): void {
  const c = u.code;
  const s = c.local();
  const d = c.local();
  const r = c.local();
  u.reg(i.reg, size);
  c.set(s);
  lockE(u, i, size);
  loadE(u, i, size);
  c.set(d);
  c.get(d).get(s).op(W.add).set(r);
  if (i.mod === 3) {
    u.setReg(i.reg, size, () => c.get(d));
    storeE(u, i, size, () => c.get(r));
  } else {
    storeE(u, i, size, () => c.get(r));
    u.setReg(i.reg, size, () => c.get(d));
  }
  u.flags(LAZY_ADD, size * 8 - 1, d, s, r, -1);
}

/** IN and OUT (E4-E7 with an immediate port, EC-EF with DX), through the host as `ops/system.ts` does them. */
function port(u: UnitEmitter, i: Instr, next: number): void {
  const c = u.code;
  const size = i.op & 1 ? wordSize(i) : 1;
  const input = (i.op & 2) === 0;
  u.portIo(
    () => {
      c.i32(size + (input ? PORT_IN : 0));
      if (i.op >= 0xec) u.reg(EDX, 2);
      else c.i32(i.imm & 0xff);
      if (input) c.i32(0);
      else u.reg(EAX, size);
    },
    input ? () => u.setReg(EAX, size, () => c.i32(0).mem(W.load, IO + 4 * IO_PORT)) : null,
    next,
  );
}
