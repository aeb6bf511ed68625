import { IO, IO_BITS, IO_CIN, IO_DIRTY, IO_DST, IO_FLAGS, IO_OP, IO_RES, IO_SRC } from '../../core/arena.js';
import { CF, OF, PF, SF, ZF } from '../../core/constants.js';
import { LAZY_ADD, LAZY_SUB } from '../../core/cpu.js';
import { Code, RESULT_I32, W } from './encoder.js';

// The condition codes from the lazy flags in the arena, as functions a unit
// calls where it cannot compute one from its own operands: the same cases as
// `CpuState.getCF` .. `getPF`, in WebAssembly.

const io = (slot: number): number => IO + 4 * slot;

function field(c: Code, slot: number): void {
  c.i32(0).mem(W.load, io(slot));
}

/** `(flags >>> shift) & 1` when `bit` is not dirty, else what `lazy` pushes; leaves 0 or 1. */
function flag(c: Code, bit: number, shift: number, lazy: () => void): void {
  field(c, IO_DIRTY);
  c.i32(bit).op(W.and, W.eqz, W.if, RESULT_I32);
  field(c, IO_FLAGS);
  c.i32(shift).op(W.shrU).i32(1).op(W.and, W.else);
  lazy();
  c.op(W.end);
}

/** The operand `slot` masked to the operation's width, as an unsigned 64-bit value. */
function masked64(c: Code, slot: number, mask: number): void {
  field(c, slot);
  c.get(mask).op(W.and, W.i64ExtendU);
}

function cf(c: Code): void {
  const mask = c.local();
  flag(c, CF, 0, () => {
    // (2 << bits) - 1 is the mask at every width, 31 included (2 << 31 wraps to 0).
    c.i32(2);
    field(c, IO_BITS);
    c.op(W.shl).i32(1).op(W.sub).set(mask);
    field(c, IO_OP);
    c.i32(LAZY_ADD).op(W.eq, W.if, RESULT_I32);
    masked64(c, IO_DST, mask);
    masked64(c, IO_SRC, mask);
    c.op(W.i64Add);
    field(c, IO_CIN);
    c.op(W.i64ExtendU, W.i64Add);
    c.get(mask).op(W.i64ExtendU, W.i64GtU, W.else);
    field(c, IO_OP);
    c.i32(LAZY_SUB).op(W.eq, W.if, RESULT_I32);
    masked64(c, IO_DST, mask);
    masked64(c, IO_SRC, mask);
    field(c, IO_CIN);
    c.op(W.i64ExtendU, W.i64Add, W.i64LtU, W.else).i32(0).op(W.end);
    c.op(W.end);
  });
}

function zf(c: Code): void {
  flag(c, ZF, 6, () => {
    field(c, IO_RES);
    c.i32(31);
    field(c, IO_BITS);
    c.op(W.sub, W.shl, W.eqz);
  });
}

function sf(c: Code): void {
  flag(c, SF, 7, () => {
    field(c, IO_RES);
    field(c, IO_BITS);
    c.op(W.shrU).i32(1).op(W.and);
  });
}

function of(c: Code): void {
  flag(c, OF, 11, () => {
    const top = (): void => {
      field(c, IO_BITS);
      c.op(W.shrU).i32(1).op(W.and);
    };
    field(c, IO_OP);
    c.i32(LAZY_ADD).op(W.eq, W.if, RESULT_I32);
    field(c, IO_DST);
    field(c, IO_RES);
    c.op(W.xor);
    field(c, IO_SRC);
    field(c, IO_RES);
    c.op(W.xor, W.and);
    top();
    c.op(W.else);
    field(c, IO_OP);
    c.i32(LAZY_SUB).op(W.eq, W.if, RESULT_I32);
    field(c, IO_DST);
    field(c, IO_SRC);
    c.op(W.xor);
    field(c, IO_DST);
    field(c, IO_RES);
    c.op(W.xor, W.and);
    top();
    c.op(W.else).i32(0).op(W.end, W.end);
  });
}

function pf(c: Code): void {
  const x = c.local();
  flag(c, PF, 2, () => {
    field(c, IO_RES);
    c.i32(0xff).op(W.and).set(x);
    for (const s of [4, 2, 1]) c.get(x).get(x).i32(s).op(W.shrU, W.xor).set(x);
    c.get(x).i32(1).op(W.and, W.eqz);
  });
}

/**
 * Condition pairs: a module of units holds their functions first, after its
 * host functions, `condFunction(pair)` at index `CONDITION_BASE + pair` (`host.ts`).
 */
export const CONDITION_PAIRS = 8;

/**
 * The function for condition pair `pair` (Jcc's cc >> 1: O, B, Z, BE, S, P,
 * L, LE), no parameters, returning 0 or 1.
 */
export function condFunction(pair: number): Code {
  const c = new Code(0);
  switch (pair) {
    case 0:
      of(c);
      break;
    case 1:
      cf(c);
      break;
    case 2:
      zf(c);
      break;
    case 3:
      cf(c);
      zf(c);
      c.op(W.or);
      break;
    case 4:
      sf(c);
      break;
    case 5:
      pf(c);
      break;
    case 6:
      sf(c);
      of(c);
      c.op(W.xor);
      break;
    default:
      zf(c);
      sf(c);
      of(c);
      c.op(W.xor, W.or);
      break;
  }
  return c;
}

/** Condition pair of CF alone (`getCF`). */
export const PAIR_CF = 1;
