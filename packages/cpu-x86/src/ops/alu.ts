import { AF, CF, DE, EAX, EDX, OF, ZF } from '../core/constants.js';
import { CpuState, LAZY_ADD, LAZY_SUB } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';
import { getReg, linR, linW, mask, memRead, memWrite, opSize, readE, setReg, sext } from './operands.js';
import type { Handler } from './table.js';

/** ADD OR ADC SBB AND SUB XOR CMP, as the opcode's bits 3-5 number them; sets flags, returns the result. */
export function alu(c: CpuState, op: number, a: number, b: number, bits: number): number {
  let r: number;
  switch (op) {
    case 0:
      r = a + b;
      c.lazy(LAZY_ADD, a, b, r, bits);
      return r;
    case 1:
      r = a | b;
      c.logicFlags(r, bits);
      return r;
    case 2: {
      const cin = c.getCF();
      r = a + b + cin;
      c.lazy(LAZY_ADD, a, b, r, bits);
      c.lazyCin = cin;
      return r;
    }
    case 3: {
      const cin = c.getCF();
      r = a - b - cin;
      c.lazy(LAZY_SUB, a, b, r, bits);
      c.lazyCin = cin;
      return r;
    }
    case 4:
      r = a & b;
      c.logicFlags(r, bits);
      return r;
    case 6:
      r = a ^ b;
      c.logicFlags(r, bits);
      return r;
    default:
      r = a - b;
      c.lazy(LAZY_SUB, a, b, r, bits);
      return r;
  }
}

/** Opcodes 00-3F, forms 0-5. */
export function aluForm(c: CpuState, i: Instr): void {
  const op = (i.op >> 3) & 7;
  const form = i.op & 7;
  const size = form & 1 ? opSize(i) : 1;
  const bits = size * 8 - 1;
  if (form >= 4) {
    const r = alu(c, op, getReg(c, EAX, size), i.imm, bits);
    if (op !== 7) setReg(c, EAX, size, r);
    return;
  }
  if (form >= 2) {
    const r = alu(c, op, getReg(c, i.reg, size), readE(c, i, size), bits);
    if (op !== 7) setReg(c, i.reg, size, r);
    return;
  }
  const src = getReg(c, i.reg, size);
  if (i.mod === 3) {
    const r = alu(c, op, getReg(c, i.rm, size), src, bits);
    if (op !== 7) setReg(c, i.rm, size, r);
    return;
  }
  if (op === 7) {
    alu(c, op, memRead(c, linR(c, i, size), size), src, bits);
    return;
  }
  const lin = linW(c, i, size);
  memWrite(c, lin, size, alu(c, op, memRead(c, lin, size), src, bits));
}

/** 80-83: group 1 with an immediate. */
export function group1(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const bits = size * 8 - 1;
  const imm = i.op === 0x83 ? sext(i.imm, 1) : i.imm;
  const op = i.reg;
  if (i.mod === 3) {
    const r = alu(c, op, getReg(c, i.rm, size), imm, bits);
    if (op !== 7) setReg(c, i.rm, size, r);
    return;
  }
  if (op === 7) {
    alu(c, op, memRead(c, linR(c, i, size), size), imm, bits);
    return;
  }
  const lin = linW(c, i, size);
  memWrite(c, lin, size, alu(c, op, memRead(c, lin, size), imm, bits));
}

export function test(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  c.logicFlags(readE(c, i, size) & getReg(c, i.reg, size), size * 8 - 1);
}

export function testImm(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  c.logicFlags(getReg(c, EAX, size) & i.imm, size * 8 - 1);
}

export function incReg(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const r = i.op & 7;
  const a = getReg(c, r, size);
  const res = i.op < 0x48 ? a + 1 : a - 1;
  c.lazyKeepCF(i.op < 0x48 ? LAZY_ADD : LAZY_SUB, a, res, size * 8 - 1);
  setReg(c, r, size, res);
}

/** INC/DEC of the r/m operand (FE /0-1, FF /0-1). */
export function incDecE(c: CpuState, i: Instr, size: number, dec: boolean): void {
  const bits = size * 8 - 1;
  if (i.mod === 3) {
    const a = getReg(c, i.rm, size);
    const res = dec ? a - 1 : a + 1;
    c.lazyKeepCF(dec ? LAZY_SUB : LAZY_ADD, a, res, bits);
    setReg(c, i.rm, size, res);
    return;
  }
  const lin = linW(c, i, size);
  const a = memRead(c, lin, size);
  const res = dec ? a - 1 : a + 1;
  c.lazyKeepCF(dec ? LAZY_SUB : LAZY_ADD, a, res, bits);
  memWrite(c, lin, size, res);
}

/** 64-bit unsigned product of two 32-bit values, as [low, high] in `mulOut`. */
const mulOut = new Float64Array(2);
function mul32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  // a*b = (ah*b) * 2^16 + al*b, both halves below 2^48 and so exact as doubles.
  const ah = a >>> 16;
  const al = a & 0xffff;
  mulOut[0] = Math.imul(a, b) >>> 0;
  mulOut[1] = Math.floor((ah * b + Math.floor((al * b) / 65536)) / 65536) >>> 0;
}

/** Signed 64-bit product; high word adjusted from the unsigned one. */
function imul32(a: number, b: number): void {
  mul32(a, b);
  let hi = mulOut[1];
  if (a < 0) hi -= b >>> 0;
  if (b < 0) hi -= a >>> 0;
  mulOut[1] = hi >>> 0;
}

/** Flags after MUL/IMUL as QEMU leaves them: CF=OF=`overflow`, SZP of the low half, AF clear. */
function mulFlags(c: CpuState, low: number, bits: number, overflow: boolean): void {
  c.setArith(CpuState.szp(low, bits) | (overflow ? CF | OF : 0));
}

/** F6/F7: TEST NOT NEG MUL IMUL DIV IDIV. */
export function group3(c: CpuState, i: Instr): void {
  const size = i.op & 1 ? opSize(i) : 1;
  const bits = size * 8 - 1;
  switch (i.reg) {
    case 0:
    case 1:
      c.logicFlags(readE(c, i, size) & i.imm, bits);
      return;
    case 2:
      if (i.mod === 3) setReg(c, i.rm, size, ~getReg(c, i.rm, size));
      else {
        const lin = linW(c, i, size);
        memWrite(c, lin, size, ~memRead(c, lin, size));
      }
      return;
    case 3: {
      if (i.mod === 3) {
        const a = getReg(c, i.rm, size);
        c.lazy(LAZY_SUB, 0, a, -a, bits);
        setReg(c, i.rm, size, -a);
      } else {
        const lin = linW(c, i, size);
        const a = memRead(c, lin, size);
        c.lazy(LAZY_SUB, 0, a, -a, bits);
        memWrite(c, lin, size, -a);
      }
      return;
    }
    case 4: {
      const src = readE(c, i, size);
      if (size === 1) {
        const r = (c.regs[EAX] & 0xff) * src;
        setReg(c, EAX, 2, r);
        mulFlags(c, r, 7, r > 0xff);
      } else if (size === 2) {
        const r = (c.regs[EAX] & 0xffff) * src;
        setReg(c, EAX, 2, r);
        setReg(c, EDX, 2, r >>> 16);
        mulFlags(c, r, 15, r > 0xffff);
      } else {
        mul32(c.regs[EAX], src);
        c.regs[EAX] = mulOut[0];
        c.regs[EDX] = mulOut[1];
        mulFlags(c, mulOut[0], 31, mulOut[1] !== 0);
      }
      return;
    }
    case 5: {
      const src = sext(readE(c, i, size), size);
      if (size === 1) {
        const r = ((c.regs[EAX] << 24) >> 24) * src;
        setReg(c, EAX, 2, r);
        mulFlags(c, r, 7, r !== (r << 24) >> 24);
      } else if (size === 2) {
        const r = ((c.regs[EAX] << 16) >> 16) * src;
        setReg(c, EAX, 2, r);
        setReg(c, EDX, 2, r >> 16);
        mulFlags(c, r, 15, r !== (r << 16) >> 16);
      } else {
        imul32(c.regs[EAX], src);
        c.regs[EAX] = mulOut[0];
        c.regs[EDX] = mulOut[1];
        mulFlags(c, mulOut[0], 31, (mulOut[1] | 0) !== (mulOut[0] | 0) >> 31);
      }
      return;
    }
    case 6:
      div(c, readE(c, i, size), size);
      return;
    default:
      idiv(c, sext(readE(c, i, size), size), size);
  }
}

function div(c: CpuState, d: number, size: number): void {
  if (d === 0) c.raise(DE);
  if (size === 1) {
    const n = c.regs[EAX] & 0xffff;
    const q = Math.floor(n / d);
    if (q > 0xff) c.raise(DE);
    setReg(c, EAX, 2, ((n % d) << 8) | q);
  } else if (size === 2) {
    const n = ((c.regs[EDX] & 0xffff) << 16) | (c.regs[EAX] & 0xffff);
    const un = n >>> 0;
    const q = Math.floor(un / d);
    if (q > 0xffff) c.raise(DE);
    setReg(c, EAX, 2, q);
    setReg(c, EDX, 2, un % d);
  } else {
    const hi = c.regs[EDX] >>> 0;
    const lo = c.regs[EAX] >>> 0;
    const ud = d >>> 0;
    if (hi >= ud) c.raise(DE);
    if (hi < 0x200000) {
      const n = hi * 4294967296 + lo;
      c.regs[EAX] = Math.floor(n / ud);
      c.regs[EDX] = n % ud;
    } else {
      const n = (BigInt(hi) << 32n) | BigInt(lo);
      const bd = BigInt(ud);
      c.regs[EAX] = Number(n / bd);
      c.regs[EDX] = Number(n % bd);
    }
  }
}

function idiv(c: CpuState, d: number, size: number): void {
  if (d === 0) c.raise(DE);
  if (size === 1) {
    const n = (c.regs[EAX] << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 127 || q < -128) c.raise(DE);
    setReg(c, EAX, 2, (((n % d) & 0xff) << 8) | (q & 0xff));
  } else if (size === 2) {
    const n = ((c.regs[EDX] & 0xffff) << 16) | (c.regs[EAX] & 0xffff);
    const q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) c.raise(DE);
    setReg(c, EAX, 2, q);
    setReg(c, EDX, 2, n % d);
  } else {
    const hi = c.regs[EDX];
    const lo = c.regs[EAX] >>> 0;
    if ((hi === 0 && lo < 0x80000000) || (hi === -1 && lo >= 0x80000000)) {
      const n = lo | 0;
      const q = Math.trunc(n / d);
      if (q > 0x7fffffff || q < -0x80000000) c.raise(DE);
      c.regs[EAX] = q;
      c.regs[EDX] = n % d;
      return;
    }
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    const bd = BigInt(d);
    const q = n / bd;
    if (q > 0x7fffffffn || q < -0x80000000n) c.raise(DE);
    c.regs[EAX] = Number(BigInt.asIntN(32, q));
    c.regs[EDX] = Number(BigInt.asIntN(32, n % bd));
  }
}

/** IMUL Gv, Ev(, imm): truncated product, CF=OF on overflow. */
function imulForm(c: CpuState, i: Instr, a: number, b: number): void {
  const size = opSize(i);
  if (size === 2) {
    const r = sext(a, 2) * sext(b, 2);
    setReg(c, i.reg, 2, r);
    mulFlags(c, r, 15, r !== (r << 16) >> 16);
  } else {
    // Only the low half is kept: it overflows when the exact product differs
    // from it (a double holds every product below 2^53 exactly, and any larger
    // one cannot equal a 32-bit value).
    const lo = Math.imul(a, b);
    c.regs[i.reg] = lo;
    mulFlags(c, lo, 31, lo !== (a | 0) * (b | 0));
  }
}

export const imul69: Handler = (c, i) => imulForm(c, i, readE(c, i, opSize(i)), i.imm);
export const imul6b: Handler = (c, i) => imulForm(c, i, readE(c, i, opSize(i)), sext(i.imm, 1));
export const imulAF: Handler = (c, i) => imulForm(c, i, getReg(c, i.reg, opSize(i)), readE(c, i, opSize(i)));

// ---------------------------------------------------------------- shifts and rotates

/** ROL ROR RCL RCR SHL SHR SAL SAR of `v` by `count` (already masked to 5 bits); returns the result. */
export function shift(c: CpuState, op: number, v: number, count: number, size: number): number {
  const bits = size * 8;
  const m = mask(size);
  v &= m;
  let r: number;
  let cf: number;
  let of: number;
  switch (op) {
    case 0: {
      const n = count % bits;
      r = ((v << n) | (v >>> (bits - n))) & m;
      if (n === 0) r = v;
      cf = r & 1;
      of = ((r >>> (bits - 1)) & 1) ^ cf;
      break;
    }
    case 1: {
      const n = count % bits;
      r = n === 0 ? v : ((v >>> n) | (v << (bits - n))) & m;
      cf = (r >>> (bits - 1)) & 1;
      of = cf ^ ((r >>> (bits - 2)) & 1);
      break;
    }
    case 2:
    case 3: {
      const n = count % (bits + 1);
      let c0 = c.getCF();
      if (n === 0) return v;
      r = v;
      for (let k = 0; k < n; k++) {
        if (op === 2) {
          const out = (r >>> (bits - 1)) & 1;
          r = ((r << 1) | c0) & m;
          c0 = out;
        } else {
          const out = r & 1;
          r = ((r >>> 1) | (c0 << (bits - 1))) & m;
          c0 = out;
        }
      }
      cf = c0;
      of = ((v ^ r) >>> (bits - 1)) & 1;
      break;
    }
    case 4:
    case 6: {
      r = count >= 32 ? 0 : (v << count) & m;
      cf = count > bits ? 0 : ((v << (count - 1)) >>> (bits - 1)) & 1;
      of = ((r >>> (bits - 1)) & 1) ^ cf;
      c.setArith(CpuState.szp(r, bits - 1) | (cf ? CF : 0) | (of ? OF : 0));
      return r;
    }
    case 5: {
      r = v >>> count;
      cf = (v >>> (count - 1)) & 1;
      of = (((v >>> (count - 1)) ^ r) >>> (bits - 1)) & 1;
      c.setArith(CpuState.szp(r, bits - 1) | (cf ? CF : 0) | (of ? OF : 0));
      return r;
    }
    default: {
      const sv = sext(v, size);
      const n = Math.min(count, 31);
      r = (sv >> n) & m;
      cf = (sv >> (n - 1)) & 1;
      c.setArith(CpuState.szp(r, bits - 1) | (cf ? CF : 0));
      return r;
    }
  }
  // Rotates set CF and OF only: the other flags may stay lazy, owed to the instruction before.
  c.flags = (c.flags & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
  c.flagsDirty &= ~(CF | OF);
  return r;
}

function shiftE(c: CpuState, i: Instr, count: number): void {
  const size = i.op & 1 ? opSize(i) : 1;
  count &= 0x1f;
  if (count === 0) {
    readE(c, i, size);
    return;
  }
  if (i.mod === 3) {
    setReg(c, i.rm, size, shift(c, i.reg, getReg(c, i.rm, size), count, size));
    return;
  }
  const lin = linW(c, i, size);
  memWrite(c, lin, size, shift(c, i.reg, memRead(c, lin, size), count, size));
}

export const shiftImm: Handler = (c, i) => shiftE(c, i, i.imm);
export const shift1: Handler = (c, i) => shiftE(c, i, 1);
export const shiftCL: Handler = (c, i) => shiftE(c, i, c.regs[1]);

/** SHLD/SHRD (0F A4/A5 left, AC/AD right). */
function doubleShift(c: CpuState, i: Instr, count: number): void {
  const size = opSize(i);
  count &= 0x1f;
  if (count === 0) return;
  const left = i.op < 0x1a8;
  const lin = i.mod === 3 ? 0 : linW(c, i, size);
  const d = i.mod === 3 ? getReg(c, i.rm, size) : memRead(c, lin, size);
  const s = getReg(c, i.reg, size);
  let r: number;
  let cf: number;
  if (size === 4) {
    if (left) {
      r = (d << count) | (s >>> (32 - count));
      cf = (d >>> (32 - count)) & 1;
    } else {
      r = (d >>> count) | (s << (32 - count));
      cf = (d >>> (count - 1)) & 1;
    }
  } else if (left) {
    const x = (d & 0xffff) * 65536 + (s & 0xffff);
    const y = x * 2 ** count;
    r = Math.floor(y / 65536) & 0xffff;
    cf = Math.floor(y / 2 ** 32) & 1;
  } else {
    const x = (s & 0xffff) * 65536 + (d & 0xffff);
    r = Math.floor(x / 2 ** count) & 0xffff;
    cf = Math.floor(x / 2 ** (count - 1)) & 1;
  }
  const bits = size * 8 - 1;
  const of = ((r ^ d) >>> bits) & 1;
  c.setArith(CpuState.szp(r, bits) | (cf ? CF : 0) | (of ? OF : 0));
  if (i.mod === 3) setReg(c, i.rm, size, r);
  else memWrite(c, lin, size, r);
}

// ---------------------------------------------------------------- bit operations

/** BT BTS BTR BTC (op 0-3); register offsets reach beyond the operand in memory. */
function bitOp(c: CpuState, i: Instr, op: number, bitIndex: number, fromImm: boolean): void {
  const size = opSize(i);
  const bits = size * 8;
  let v: number;
  let lin = 0;
  let bit: number;
  if (i.mod === 3) {
    bit = bitIndex & (bits - 1);
    v = getReg(c, i.rm, size);
  } else {
    let off = c.ea(i.base, i.index, i.scale, i.disp, i.a32);
    if (fromImm) bit = bitIndex & (bits - 1);
    else {
      const sidx = sext(bitIndex, size);
      const step = Math.floor(sidx / bits) * size;
      off = i.a32 ? (off + step) >>> 0 : (off + step) & 0xffff;
      bit = sidx & (bits - 1);
    }
    lin = op === 0 ? c.segRead(i.seg, off, size) : c.segWrite(i.seg, off, size);
    v = memRead(c, lin, size);
  }
  const cf = (v >>> bit) & 1;
  c.setArith((c.getFlags() & ~CF) | cf);
  if (op === 0) return;
  const m = 1 << bit;
  const r = op === 1 ? v | m : op === 2 ? v & ~m : v ^ m;
  if (i.mod === 3) setReg(c, i.rm, size, r);
  else memWrite(c, lin, size, r);
}

export function bsf(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const v = readE(c, i, size);
  if (v === 0) {
    c.setArith((c.getFlags() & ~ZF) | ZF);
    return;
  }
  setReg(c, i.reg, size, 31 - Math.clz32(v & -v));
  c.setArith(c.getFlags() & ~ZF);
}

export function bsr(c: CpuState, i: Instr): void {
  const size = opSize(i);
  const v = readE(c, i, size);
  if (v === 0) {
    c.setArith((c.getFlags() & ~ZF) | ZF);
    return;
  }
  setReg(c, i.reg, size, 31 - Math.clz32(v));
  c.setArith(c.getFlags() & ~ZF);
}

// ---------------------------------------------------------------- BCD

export function daa(c: CpuState): void {
  const f = c.getFlags();
  let al = c.regs[EAX] & 0xff;
  const oldAl = al;
  const oldCf = f & CF;
  let nf = 0;
  if ((al & 0xf) > 9 || f & AF) {
    al += 6;
    nf |= AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al += 0x60;
    nf |= CF;
  }
  al &= 0xff;
  c.set8(0, al);
  c.setArith(nf | CpuState.szp(al, 7));
}

export function das(c: CpuState): void {
  const f = c.getFlags();
  let al = c.regs[EAX] & 0xff;
  const oldAl = al;
  let nf = 0;
  if ((al & 0xf) > 9 || f & AF) {
    nf |= AF;
    if (al < 6 || f & CF) nf |= CF;
    al = (al - 6) & 0xff;
  }
  if (oldAl > 0x99 || f & CF) {
    al = (al - 0x60) & 0xff;
    nf |= CF;
  }
  c.set8(0, al);
  c.setArith(nf | CpuState.szp(al, 7));
}

function asciiAdjust(c: CpuState, sub: boolean): void {
  const f = c.getFlags();
  let ax = c.regs[EAX] & 0xffff;
  let nf = f & ~(AF | CF);
  if ((ax & 0xf) > 9 || f & AF) {
    if (sub) {
      const al = ((ax & 0xff) - 6) & 0xff;
      const ah = ((ax >> 8) - 1 - ((ax & 0xff) < 6 ? 1 : 0)) & 0xff;
      ax = (ah << 8) | al;
    } else {
      const al = ((ax & 0xff) + 6) & 0xff;
      const ah = ((ax >> 8) + 1 + ((ax & 0xff) > 0xf9 ? 1 : 0)) & 0xff;
      ax = (ah << 8) | al;
    }
    nf |= AF | CF;
  }
  ax &= 0xff0f;
  setReg(c, EAX, 2, ax);
  c.setArith(nf);
}

export function aam(c: CpuState, i: Instr): void {
  const base = i.imm & 0xff;
  if (base === 0) c.raise(DE);
  const al = c.regs[EAX] & 0xff;
  const r = al % base;
  setReg(c, EAX, 2, (Math.floor(al / base) << 8) | r);
  c.setArith(CpuState.szp(r, 7));
}

export function aad(c: CpuState, i: Instr): void {
  const ax = c.regs[EAX];
  const al = ((ax & 0xff) + ((ax >> 8) & 0xff) * (i.imm & 0xff)) & 0xff;
  setReg(c, EAX, 2, al);
  c.setArith(CpuState.szp(al, 7));
}

export function salc(c: CpuState): void {
  c.set8(0, c.getCF() ? 0xff : 0);
}

// ---------------------------------------------------------------- table

/** SHLD, SHRD (0F A4, 0F AC) with an immediate count, and (0F A5, 0F AD) by CL. */
export const doubleShiftImm: Handler = (c, i) => doubleShift(c, i, i.imm);
export const doubleShiftCL: Handler = (c, i) => doubleShift(c, i, c.regs[1]);
export const bt: Handler = (c, i) => bitOp(c, i, 0, getReg(c, i.reg, opSize(i)), false);
export const bts: Handler = (c, i) => bitOp(c, i, 1, getReg(c, i.reg, opSize(i)), false);
export const btr: Handler = (c, i) => bitOp(c, i, 2, getReg(c, i.reg, opSize(i)), false);
export const btc: Handler = (c, i) => bitOp(c, i, 3, getReg(c, i.reg, opSize(i)), false);

/** 0F BA /4-/7 ib: BT, BTS, BTR, BTC with an immediate bit offset. */
export const group8: Handler = (c, i) => {
  if (i.reg < 4) c.raise(6);
  bitOp(c, i, i.reg - 4, i.imm, true);
};

export const aaa: Handler = (c) => asciiAdjust(c, false);
export const aas: Handler = (c) => asciiAdjust(c, true);
