import { X87 } from '../src/fpu/x87.js';
import type { X87Host } from '../src/fpu/x87-host.js';

/** Thrown by the mock host in place of the core's #PF/#UD fault objects. */
export class MockFault extends Error {}

/** A small memory array and flag fields standing in for the integer core. */
export class MockHost implements X87Host {
  readonly mem = new Uint8Array(4096);
  operandSize32 = true;
  protectedMode = true;
  operandOffset = 0;
  operandSelector = 0x2b;
  instructionSelector = 0x23;
  instructionOffset = 0x401000;
  cf = false;
  zf = false;
  pf = false;
  ax = -1;
  errors = 0;
  /** Any access touching this byte throws a MockFault (a #PF stand-in). */
  faultAt = -1;
  /** Number of bytes written (to check that nothing was stored). */
  writes = 0;

  private check(offset: number, size: number): void {
    if (this.faultAt >= offset && this.faultAt < offset + size)
      throw new MockFault(`fault at ${this.faultAt}`);
  }

  read8(offset: number): number {
    this.check(offset, 1);
    return this.mem[offset]!;
  }
  read16(offset: number): number {
    this.check(offset, 2);
    return this.mem[offset]! | (this.mem[offset + 1]! << 8);
  }
  read32(offset: number): number {
    this.check(offset, 4);
    return (this.read16(offset) | (this.read16(offset + 2) << 16)) >>> 0;
  }
  write8(offset: number, value: number): void {
    this.check(offset, 1);
    this.mem[offset] = value;
    this.writes++;
  }
  write16(offset: number, value: number): void {
    this.check(offset, 2);
    this.mem[offset] = value;
    this.mem[offset + 1] = value >>> 8;
    this.writes += 2;
  }
  write32(offset: number, value: number): void {
    this.write16(offset, value & 0xffff);
    this.write16(offset + 2, value >>> 16);
  }
  setAX(value: number): void {
    this.ax = value;
  }
  setCompareFlags(zf: boolean, pf: boolean, cf: boolean): void {
    this.zf = zf;
    this.pf = pf;
    this.cf = cf;
  }
  floatingPointError(): void {
    this.errors++;
  }
}

/** Scratch address for memory operands. */
export const EA = 0x100;

export class Fpu {
  readonly host = new MockHost();
  readonly x = new X87(this.host);
  private readonly view = new DataView(this.host.mem.buffer);

  constructor() {
    this.op(0xdb, 0xe3); // FNINIT
  }

  /** A register form: opcode D8-DF with a mod=3 ModRM byte. */
  op(opcode: number, modrm: number): void {
    this.x.execute(opcode, modrm, false);
  }

  /** A memory form with the given reg field, operand at `ea`. */
  mem(opcode: number, reg: number, ea = EA): void {
    this.host.operandOffset = ea;
    this.x.execute(opcode, (reg << 3) | 5, true);
  }

  get sw(): number {
    return this.x.statusWord;
  }

  get cw(): number {
    return this.x.controlWord;
  }

  /** FLDCW with the given word. */
  fldcw(value: number): void {
    this.view.setUint16(0x800, value, true);
    this.mem(0xd9, 5, 0x800);
  }

  /** Sets PC and RC with all exceptions masked unless `masks` says otherwise. */
  setMode(pc: number, rc: number, masks = 0x3f): void {
    this.fldcw((rc << 10) | (pc << 8) | masks);
  }

  fldM64(v: number): void {
    this.view.setFloat64(EA, v, true);
    this.mem(0xdd, 0);
  }
  fldM32(v: number): void {
    this.view.setFloat32(EA, v, true);
    this.mem(0xd9, 0);
  }
  fldM32Bits(bits: number): void {
    this.view.setUint32(EA, bits, true);
    this.mem(0xd9, 0);
  }
  fldM64Bits(bits: bigint): void {
    this.view.setBigUint64(EA, bits, true);
    this.mem(0xdd, 0);
  }
  fstpM64(): number {
    this.view.setFloat64(EA, 12345.678, true);
    this.mem(0xdd, 3);
    return this.view.getFloat64(EA, true);
  }
  fstM64Bits(pop = false): bigint {
    this.mem(0xdd, pop ? 3 : 2);
    return this.view.getBigUint64(EA, true);
  }
  fstM32Bits(pop = false): number {
    this.mem(0xd9, pop ? 3 : 2);
    return this.view.getUint32(EA, true);
  }
  /** FLD m80 of (sign|exponent, significand). */
  fldM80(se: number, sig: bigint): void {
    this.view.setBigUint64(EA, sig, true);
    this.view.setUint16(EA + 8, se, true);
    this.mem(0xdb, 5);
  }
  /** FSTP m80, returned as [sign|exponent, significand]. */
  fstpM80(): [number, bigint] {
    this.mem(0xdb, 7);
    return [this.view.getUint16(EA + 8, true), this.view.getBigUint64(EA, true)];
  }
  /** ST(i) without popping: [sign|exponent, significand]. */
  st(i: number): [number, bigint] {
    const p = this.x.phys(i);
    return [
      (this.x.signs[p]! << 15) | this.x.exponents[p]!,
      (BigInt(this.x.sigHi[p]!) << 32n) | BigInt(this.x.sigLo[p]!),
    ];
  }
  /** ST(i) as a float64 (via FST m64 semantics of the test, not the FPU). */
  stNumber(i: number): number {
    const [se, sig] = this.st(i);
    const e = se & 0x7fff;
    const s = se & 0x8000 ? -1 : 1;
    if (e === 0x7fff) return (sig << 1n) & 0xffffffffffffffffn ? Number.NaN : s * Number.POSITIVE_INFINITY;
    return s * (Number(sig) * 2 ** -63) * 2 ** (e - 16383);
  }
  writeBytes(ea: number, bytes: number[]): void {
    this.host.mem.set(bytes, ea);
  }
  u16(ea: number): number {
    return this.view.getUint16(ea, true);
  }
  u32(ea: number): number {
    return this.view.getUint32(ea, true);
  }
  setU16(ea: number, v: number): void {
    this.view.setUint16(ea, v, true);
  }
  setU32(ea: number, v: number): void {
    this.view.setUint32(ea, v, true);
  }
  setU64(ea: number, v: bigint): void {
    this.view.setBigUint64(ea, v, true);
  }
  u64(ea: number): bigint {
    return this.view.getBigUint64(ea, true);
  }
}

/** xorshift128+ with a fixed seed: reproducible pseudo-random 64-bit patterns. */
export class Rng {
  private s0 = 0x9e3779b97f4a7c15n;
  private s1 = 0xbf58476d1ce4e5b9n;
  next64(): bigint {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & 0xffffffffffffffffn;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (this.s1 + y) & 0xffffffffffffffffn;
  }
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
}

export const SW = {
  IE: 0x1,
  DE: 0x2,
  ZE: 0x4,
  OE: 0x8,
  UE: 0x10,
  PE: 0x20,
  SF: 0x40,
  ES: 0x80,
  C0: 0x100,
  C1: 0x200,
  C2: 0x400,
  C3: 0x4000,
  B: 0x8000,
};
