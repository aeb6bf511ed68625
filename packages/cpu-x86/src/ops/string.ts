import { DF, DS, EAX, ECX, EDI, EDX, ES, ESI } from '../core/constants.js';
import { LAZY_SUB } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { getReg, memRead, memWrite, opSize, setReg } from './operands.js';

/** Iterations a REP prefix runs before the instruction restarts, so interrupts get a look in. */
const REP_SLICE = 4096;

enum Kind {
  Movs = 0,
  Cmps = 1,
  Stos = 2,
  Lods = 3,
  Scas = 4,
  Ins = 5,
  Outs = 6,
}

function kindOf(op: number): Kind {
  switch (op & ~1) {
    case 0xa4:
      return Kind.Movs;
    case 0xa6:
      return Kind.Cmps;
    case 0xaa:
      return Kind.Stos;
    case 0xac:
      return Kind.Lods;
    case 0xae:
      return Kind.Scas;
    case 0x6c:
      return Kind.Ins;
    default:
      return Kind.Outs;
  }
}

function advance(c: X86, r: number, step: number, a32: boolean): void {
  if (a32) c.regs[r] = c.regs[r] + step;
  else c.regs[r] = (c.regs[r] & ~0xffff) | ((c.regs[r] + step) & 0xffff);
}

/** One element; false when a REPE/REPNE condition ends the loop. */
function once(c: X86, i: Instr, kind: Kind, size: number, step: number): void {
  const a32 = i.a32;
  const m = a32 ? 0xffffffff : 0xffff;
  const src = i.segOverride >= 0 ? i.segOverride : DS;
  const si = c.regs[ESI] & m;
  const di = c.regs[EDI] & m;
  switch (kind) {
    case Kind.Movs: {
      const v = memRead(c, c.segRead(src, si, size), size);
      memWrite(c, c.segWrite(ES, di, size), size, v);
      advance(c, ESI, step, a32);
      advance(c, EDI, step, a32);
      return;
    }
    case Kind.Cmps: {
      const a = memRead(c, c.segRead(src, si, size), size);
      const b = memRead(c, c.segRead(ES, di, size), size);
      c.lazy(LAZY_SUB, a, b, a - b, size * 8 - 1);
      advance(c, ESI, step, a32);
      advance(c, EDI, step, a32);
      return;
    }
    case Kind.Stos:
      memWrite(c, c.segWrite(ES, di, size), size, getReg(c, EAX, size));
      advance(c, EDI, step, a32);
      return;
    case Kind.Lods:
      setReg(c, EAX, size, memRead(c, c.segRead(src, si, size), size));
      advance(c, ESI, step, a32);
      return;
    case Kind.Scas: {
      const a = getReg(c, EAX, size);
      const b = memRead(c, c.segRead(ES, di, size), size);
      c.lazy(LAZY_SUB, a, b, a - b, size * 8 - 1);
      advance(c, EDI, step, a32);
      return;
    }
    case Kind.Ins: {
      const lin = c.segWrite(ES, di, size);
      c.translate(lin, true, c.cpl === 3);
      memWrite(c, lin, size, c.portIn(c.regs[EDX] & 0xffff, size));
      advance(c, EDI, step, a32);
      return;
    }
    default: {
      const v = memRead(c, c.segRead(src, si, size), size);
      c.portOut(c.regs[EDX] & 0xffff, size, v);
      advance(c, ESI, step, a32);
    }
  }
}

/**
 * REP MOVS/STOS within one source and one destination page of RAM, in either
 * direction: a block copy or fill. Returns the elements done (0: take the
 * one-element path, which raises whatever fault is due).
 */
function block(c: X86, i: Instr, kind: Kind, size: number, left: number, down: boolean): number {
  const m = i.a32 ? 0xffffffff : 0xffff;
  const shift = size >> 1;
  const di = (c.regs[EDI] & m) >>> 0;
  const dLin = (c.segBase[ES] + di) | 0;
  // Elements that fit between the current address and the page edge, and before the offset wraps.
  let n = down
    ? Math.min(left, ((dLin & 0xfff) >> shift) + 1, Math.floor(di / size) + 1)
    : Math.min(left, (0x1000 - (dLin & 0xfff)) >> shift, Math.floor((m - di) / size) + 1);
  let sLin = 0;
  let si = 0;
  const src = i.segOverride >= 0 ? i.segOverride : DS;
  if (kind === Kind.Movs) {
    si = (c.regs[ESI] & m) >>> 0;
    sLin = (c.segBase[src] + si) | 0;
    n = down
      ? Math.min(n, ((sLin & 0xfff) >> shift) + 1, Math.floor(si / size) + 1)
      : Math.min(n, (0x1000 - (sLin & 0xfff)) >> shift, Math.floor((m - si) / size) + 1);
  }
  if (n < 2) return 0;
  const bytes = n * size;
  const back = down ? bytes - size : 0;
  if (!c.segFits(ES, di - back, bytes, true)) return 0;
  const dIdx = c.blockIndex(dLin - back, true);
  if (dIdx < 0) return 0;
  const dBuf = c.blockBuf;
  if (kind === Kind.Movs) {
    if (!c.segFits(src, si - back, bytes, false)) return 0;
    const sIdx = c.blockIndex(sLin - back, false);
    if (sIdx < 0) return 0;
    const sBuf = c.blockBuf;
    if (sBuf === dBuf) {
      // Overlap against the direction of the move repeats a pattern element by element.
      const against = down ? dIdx < sIdx && dIdx + bytes > sIdx : dIdx > sIdx && dIdx < sIdx + bytes;
      if (against) return 0;
      dBuf.copyWithin(dIdx, sIdx, sIdx + bytes);
    } else dBuf.set(sBuf.subarray(sIdx, sIdx + bytes), dIdx);
    advance(c, ESI, down ? -bytes : bytes, i.a32);
  } else {
    const v = getReg(c, EAX, size);
    if (size === 1) dBuf.fill(v, dIdx, dIdx + bytes);
    else for (let k = 0; k < bytes; k++) dBuf[dIdx + k] = v >>> ((k & (size - 1)) * 8);
  }
  advance(c, EDI, down ? -bytes : bytes, i.a32);
  return n;
}

export function stringOp(c: X86, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const kind = kindOf(i.op);
  const step = c.flags & DF ? -size : size;
  if (kind >= Kind.Ins) c.checkIo(c.regs[EDX] & 0xffff, size);
  if (i.rep === 0) {
    once(c, i, kind, size, step);
    return;
  }
  const m = i.a32 ? 0xffffffff : 0xffff;
  const compares = kind === Kind.Cmps || kind === Kind.Scas;
  const untilEqual = i.rep === 0xf2;
  const blocks = kind === Kind.Movs || kind === Kind.Stos;
  for (let n = 0; n < REP_SLICE; n++) {
    const left = (c.regs[ECX] & m) >>> 0;
    if (left === 0) return;
    if (blocks) {
      const done = block(c, i, kind, size, left, step < 0);
      if (done > 0) {
        advance(c, ECX, -done, i.a32);
        continue;
      }
    }
    once(c, i, kind, size, step);
    advance(c, ECX, -1, i.a32);
    if (compares && c.getZF() === untilEqual) return;
  }
  if ((c.regs[ECX] & m) !== 0) c.eip = c.eipStart;
}
