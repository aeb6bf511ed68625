import { IO, IO_DIRTY, IO_FLAGS, IO_SSE, XMM } from '../../core/arena.js';
import { ZF } from '../../core/constants.js';
import type { Instr } from '../../core/instr.js';
import { SRC, TMP } from '../../simd/state.js';
import type { UnitEmitter } from './emit.js';
import { V, V128, VOID, W } from './encoder.js';

// The SSE2 integer forms glibc's string functions run (strlen, strchr,
// memchr: MOVD, MOVDQA/MOVDQU, PXOR, PCMPEQB, POR, PMOVMSKB, PMINUB,
// PUNPCKLBW, PSHUFD, then BSF), written out with WebAssembly's v128
// instructions over the XMM registers in the arena (`core/arena.ts` `XMM`,
// where `SimdState` keeps them). Each computes exactly what its handler in
// `ops/simd.ts` computes, the scratch slots included: a memory source goes
// to SRC, and the forms whose handler builds its result in TMP leave it
// there too, so the SIMD state stays the interpreter's byte for byte.
// Whatever the handler raises leaves the unit before the instruction:
// #UD/#NM for CR0 and CR4 (`IO_SSE`, filled by `CpuState.runWasm`), #GP(0)
// for a misaligned m128 of an aligned form, page faults and the slow path
// (`translate`). A form of a set the model lacks never gets here: its
// handler is the #UD of `raisesUndefined`.

const xmm = (r: number): number => XMM + 16 * r;

/** Lane-wise integer operations (66 0F xx) and their v128 instruction; PANDN's is `andnot` with the operands swapped. */
const LANEWISE = new Map<number, number>([
  [0x174, V.i8x16Eq],
  [0x175, V.i16x8Eq],
  [0x176, V.i32x4Eq],
  [0x1da, V.i8x16MinU],
  [0x1db, V.and],
  [0x1df, V.andnot],
  [0x1eb, V.or],
  [0x1ef, V.xor],
  [0x1f8, V.i8x16Sub],
  [0x1fc, V.i8x16Add],
  [0x1fd, V.i16x8Add],
  [0x1fe, V.i32x4Add],
]);

/** PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ: the low halves' lanes of `w` bytes interleaved, as `i8x16.shuffle` lanes (16+ the source). */
function unpackLanes(w: number): number[] {
  const lanes: number[] = [];
  for (let k = 0; k < 8; k += w) {
    for (let b = 0; b < w; b++) lanes.push(k + b);
    for (let b = 0; b < w; b++) lanes.push(16 + k + b);
  }
  return lanes;
}

/** PSHUFD: dword k is the source's dword `(imm >> 2k) & 3`. */
function shufLanes(imm: number): number[] {
  const lanes: number[] = [];
  for (let k = 0; k < 4; k++) for (let b = 0; b < 4; b++) lanes.push(4 * ((imm >> (2 * k)) & 3) + b);
  return lanes;
}

/** F3 0F forms a unit holds: the F3 is their mandatory prefix, no REP. */
export function mandatoryRep(i: Instr): boolean {
  return i.rep === 0xf3 && (i.op === 0x16f || i.op === 0x17f || i.op === 0x17e);
}

/** Whether `i` is one of this file's forms (`forms.ts` `supported` has checked its memory operand's segment). */
export function sseSupported(i: Instr): boolean {
  const op = i.op;
  const p = i.pfx;
  if (op === 0x1bc || op === 0x1bd) return i.o32 && i.rep === 0;
  if (LANEWISE.has(op) || (op >= 0x160 && op <= 0x162)) return p === 0x66;
  switch (op) {
    case 0x16e:
    case 0x170:
    case 0x1d6:
      return p === 0x66;
    case 0x1d7:
      return p === 0x66 && i.mod === 3;
    case 0x17e:
    case 0x16f:
    case 0x17f:
      return p === 0x66 || p === 0xf3;
    default:
      return false;
  }
}

/** Writes `i` if it is one of this file's forms; false otherwise. */
export function emitSse(u: UnitEmitter, i: Instr): boolean {
  const op = i.op;
  if (op === 0x1bc || op === 0x1bd) {
    bitScan(u, i, op === 0x1bd);
    return true;
  }
  if (!sseSupported(i)) return false;
  const c = u.code;
  // #UD (CR0.EM, no CR4.OSFXSR) and #NM (CR0.TS) are the interpreter's to raise.
  c.i32(0)
    .mem(W.load, IO + 4 * IO_SSE)
    .op(W.eqz);
  u.exitIf();
  const d = xmm(i.reg);
  const lane = LANEWISE.get(op);
  if (lane !== undefined) {
    const a = source(u, i, 16, true);
    c.i32(0);
    if (op === 0x1df) c.get(a).i32(0).vmem(V.load, d);
    else c.i32(0).vmem(V.load, d).get(a);
    c.v(lane).vmem(V.store, d);
    return true;
  }
  if ((op >= 0x160 && op <= 0x162) || op === 0x170) {
    // Built in TMP, then copied to the destination (`integer.ts` `unpack`, `pshufd`).
    const a = source(u, i, 16, true);
    const t = c.local(V128);
    if (op === 0x170)
      c.get(a)
        .get(a)
        .v(V.shuffle, ...shufLanes(i.imm & 0xff));
    else
      c.i32(0)
        .vmem(V.load, d)
        .get(a)
        .v(V.shuffle, ...unpackLanes(1 << (op - 0x160)));
    c.set(t);
    result(u, t, d);
    return true;
  }
  switch (op) {
    case 0x16e:
      // MOVD xmm, r/m32: zero-extended.
      if (i.mod === 3) {
        c.i32(0);
        u.reg32(i.rm);
        c.mem(W.store, d);
        for (const at of [4, 8, 12])
          c.i32(0)
            .i32(0)
            .mem(W.store, d + at);
      } else {
        u.ea(i);
        u.translate(4, false);
        c.i32(0).get(u.addrPhys).vmem(V.load32Zero, 0).vmem(V.store, d);
      }
      return true;
    case 0x17e: {
      if (i.pfx === 0x66) {
        // MOVD r/m32, xmm.
        const x = (): void => {
          c.i32(0).mem(W.load, d);
        };
        if (i.mod === 3) u.setReg32(i.rm, x);
        else {
          u.ea(i);
          u.translate(4, true);
          u.store(4, x);
        }
        return true;
      }
      // F3: MOVQ xmm, xmm/m64, the upper quadword cleared (through SRC and TMP, `movqXmmLoad`).
      const t = c.local(V128);
      if (i.mod === 3) c.i32(0).vmem(V.load64Zero, xmm(i.rm)).set(t);
      else {
        u.ea(i);
        u.translate(8, false);
        c.get(u.addrPhys).vmem(V.load64Zero, 0).set(t);
        c.i32(0)
          .get(t)
          .vmem(V.store64Lane, XMM + SRC, 0);
      }
      result(u, t, d);
      return true;
    }
    case 0x1d6: {
      // MOVQ xmm/m64, xmm: a register destination gets the upper quadword cleared through TMP.
      if (i.mod === 3) {
        const t = c.local(V128);
        c.i32(0).vmem(V.load64Zero, d).set(t);
        result(u, t, xmm(i.rm));
      } else {
        u.ea(i);
        u.translate(8, true);
        c.get(u.addrPhys).i32(0).mem(W.i64Load, d).mem(W.i64Store, 0);
      }
      return true;
    }
    case 0x16f: {
      // MOVDQA (66, aligned), MOVDQU (F3) xmm, xmm/m128.
      const a = source(u, i, 16, i.pfx === 0x66);
      c.i32(0).get(a).vmem(V.store, d);
      return true;
    }
    case 0x17f:
      // MOVDQA, MOVDQU xmm/m128, xmm.
      if (i.mod === 3) c.i32(0).i32(0).vmem(V.load, d).vmem(V.store, xmm(i.rm));
      else {
        address(u, i, 16, true, i.pfx === 0x66);
        c.get(u.addrPhys).i32(0).vmem(V.load, d).vmem(V.store, 0);
      }
      return true;
    case 0x1d7:
      // PMOVMSKB r32, xmm: the bytes' top bits.
      u.setReg32(i.reg, () => {
        c.i32(0).vmem(V.load, xmm(i.rm)).v(V.i8x16Bitmask);
      });
      return true;
  }
  return false;
}

/** The memory operand's address checked for `size` bytes: an `aligned` form leaves off a 16-byte boundary (#GP(0)). */
function address(u: UnitEmitter, i: Instr, size: number, write: boolean, aligned: boolean): void {
  u.ea(i);
  if (aligned) {
    u.code.get(u.addr).i32(15).op(W.and);
    u.exitIf();
  }
  u.translate(size, write);
}

/** The XMM r/m source in a new v128 local: a register, or `size` bytes of memory, which also go to SRC (`xmmSrc`). */
function source(u: UnitEmitter, i: Instr, size: number, aligned: boolean): number {
  const c = u.code;
  const a = c.local(V128);
  if (i.mod === 3) {
    c.i32(0).vmem(V.load, xmm(i.rm)).set(a);
    return a;
  }
  address(u, i, size, false, aligned);
  c.get(u.addrPhys).vmem(V.load, 0).set(a);
  c.i32(0)
    .get(a)
    .vmem(V.store, XMM + SRC);
  return a;
}

/** A result built in TMP (local `t`) goes there and to the register at `to`. */
function result(u: UnitEmitter, t: number, to: number): void {
  const c = u.code;
  c.i32(0)
    .get(t)
    .vmem(V.store, XMM + TMP);
  c.i32(0).get(t).vmem(V.store, to);
}

/**
 * BSF and BSR r32, r/m32 (`ops/alu.ts`): a zero source leaves the
 * destination and sets ZF, else the index of the lowest (highest) set bit
 * and ZF clear; the other flags keep their values. The handler makes them
 * all eager; here they stay lazy, so what EFLAGS reads is the same.
 */
function bitScan(u: UnitEmitter, i: Instr, reverse: boolean): void {
  const c = u.code;
  const v = c.local();
  if (i.mod === 3) u.reg32(i.rm);
  else {
    u.ea(i);
    u.translate(4, false);
    u.load(4);
  }
  c.set(v);
  c.get(v).op(W.if, VOID);
  u.setReg32(i.reg, () => {
    if (reverse) c.i32(31).get(v).op(W.clz, W.sub);
    else c.get(v).op(W.ctz);
  });
  c.op(W.end);
  u.settle();
  c.i32(0);
  c.i32(0)
    .mem(W.load, IO + 4 * IO_FLAGS)
    .i32(~ZF)
    .op(W.and);
  c.get(v).op(W.eqz).i32(6).op(W.shl, W.or);
  c.mem(W.store, IO + 4 * IO_FLAGS);
  c.i32(0);
  c.i32(0)
    .mem(W.load, IO + 4 * IO_DIRTY)
    .i32(~ZF)
    .op(W.and)
    .mem(W.store, IO + 4 * IO_DIRTY);
}
