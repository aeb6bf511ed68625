import { describe, expect, it } from 'vitest';
import { EA, Fpu, Rng, SW } from './fpu-host.js';

describe('x87 conversions', () => {
  it('FILD and FISTP round-trip every integer width exactly', () => {
    const f = new Fpu();
    const rng = new Rng();
    for (let n = 0; n < 2000; n++) {
      const v = rng.next64();
      f.setU64(EA, v);
      f.mem(0xdf, 5); // FILD m64
      f.setU64(EA, 0n);
      f.mem(0xdf, 7); // FISTP m64
      expect(f.u64(EA)).toBe(v);
      const w = Number(v & 0xffffffffn);
      f.setU32(EA, w);
      f.mem(0xdb, 0);
      f.mem(0xdb, 3);
      expect(f.u32(EA)).toBe(w);
      const h = w & 0xffff;
      f.setU16(EA, h);
      f.mem(0xdf, 0);
      f.mem(0xdf, 3);
      expect(f.u16(EA)).toBe(h);
    }
    expect(f.sw & 0x3f).toBe(0);
  });

  it('FIST rounds per RC with PE and C1', () => {
    const table: [number, number, number[]][] = [
      [2.5, 0, [2, 2, 3, 2]],
      [-2.5, 0, [-2, -3, -2, -2]],
      [3.5, 0, [4, 3, 4, 3]],
      [-0.25, 0, [0, -1, 0, 0]],
    ];
    for (const [v, , results] of table) {
      for (let rc = 0; rc < 4; rc++) {
        const f = new Fpu();
        f.setMode(3, rc);
        f.fldM64(v);
        f.mem(0xdb, 2); // FIST m32
        expect(f.u32(EA) | 0, `${v} rc=${rc}`).toBe(results[rc]);
        expect(f.sw & SW.PE).toBe(SW.PE);
        expect((f.sw & SW.C1) !== 0).toBe(Math.abs(results[rc]!) > Math.abs(v));
      }
    }
  });

  it('FBLD and FBSTP convert packed BCD exactly, including -0 and the indefinite for 10^18', () => {
    const f = new Fpu();
    f.writeBytes(EA, [0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80]);
    f.mem(0xdf, 4); // FBLD
    expect(f.st(0)).toEqual([0xc000 | (16383 + 56), 123456789012345678n << 7n]);
    f.mem(0xdf, 6, 0x200); // FBSTP
    expect(Array.from(f.host.mem.subarray(0x200, 0x20a))).toEqual([
      0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80,
    ]);
    const rng = new Rng();
    for (let n = 0; n < 500; n++) {
      const digits = Array.from({ length: 18 }, () => rng.int(10));
      const bytes = Array.from({ length: 9 }, (_, i) => digits[2 * i]! | (digits[2 * i + 1]! << 4));
      bytes.push(rng.int(2) << 7);
      f.writeBytes(EA, bytes);
      f.mem(0xdf, 4);
      f.mem(0xdf, 6, 0x200);
      expect(Array.from(f.host.mem.subarray(0x200, 0x20a))).toEqual(bytes);
    }
    f.fldM64(-0);
    f.mem(0xdf, 6, 0x200);
    expect(Array.from(f.host.mem.subarray(0x200, 0x20a))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    f.fldM64(1e18);
    f.mem(0xdf, 6, 0x200);
    expect(Array.from(f.host.mem.subarray(0x200, 0x20a))).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
    expect(f.sw & SW.IE).toBe(SW.IE);
  });

  it('m32 and m64 loads are exact and stores round back to the same bits', () => {
    const f = new Fpu();
    const rng = new Rng();
    for (let n = 0; n < 3000; n++) {
      let bits = rng.next64();
      // Keep NaNs quiet so the round trip is exact.
      if (((bits >> 52n) & 0x7ffn) === 0x7ffn) bits |= 1n << 51n;
      f.fldM64Bits(bits);
      expect(f.fstM64Bits(true)).toBe(bits);
      let b32 = Number(bits & 0xffffffffn);
      if (((b32 >>> 23) & 0xff) === 0xff) b32 = (b32 | 0x400000) >>> 0;
      f.fldM32Bits(b32);
      expect(f.fstM32Bits(true)).toBe(b32);
    }
  });

  it('FLD m64 of an SNaN raises IE and loads the quieted NaN', () => {
    const f = new Fpu();
    f.fldM64Bits(0x7ff0000000000123n);
    expect(f.sw & SW.IE).toBe(SW.IE);
    expect(f.st(0)).toEqual([0x7fff, 0xc000000000000000n | (0x123n << 11n)]);
  });

  it('FST m32 rounds per RC', () => {
    const v = 1 + 2 ** -30; // between two singles, nearer the lower
    const expected = [0x3f800000, 0x3f800000, 0x3f800001, 0x3f800000];
    for (let rc = 0; rc < 4; rc++) {
      const f = new Fpu();
      f.setMode(3, rc);
      f.fldM64(v);
      expect(f.fstM32Bits()).toBe(expected[rc]);
    }
  });
});

describe('x87 constants and special operations', () => {
  it('constants round per RC without PE', () => {
    const pi = [0xc90fdaa22168c235n, 0xc90fdaa22168c234n, 0xc90fdaa22168c235n, 0xc90fdaa22168c234n];
    const l2t = [0xd49a784bcd1b8afen, 0xd49a784bcd1b8afen, 0xd49a784bcd1b8affn, 0xd49a784bcd1b8afen];
    for (let rc = 0; rc < 4; rc++) {
      const f = new Fpu();
      f.setMode(3, rc);
      f.op(0xd9, 0xeb); // FLDPI
      expect(f.st(0)).toEqual([0x4000, pi[rc]]);
      f.op(0xd9, 0xe9); // FLDL2T
      expect(f.st(0)).toEqual([0x4000, l2t[rc]]);
      expect(f.sw & SW.PE).toBe(0);
    }
    const f = new Fpu();
    f.op(0xd9, 0xea);
    expect(f.stNumber(0)).toBe(Math.LOG2E);
    f.op(0xd9, 0xec);
    expect(f.stNumber(0)).toBe(Math.log10(2));
    f.op(0xd9, 0xed);
    expect(f.stNumber(0)).toBe(Math.LN2);
    f.op(0xd9, 0xe8);
    expect(f.st(0)).toEqual([0x3fff, 0x8000000000000000n]);
    f.op(0xd9, 0xee);
    expect(f.st(0)).toEqual([0, 0n]);
  });

  it('FRNDINT rounds per RC', () => {
    const results = [
      [2, 2, 3, 2],
      [-2, -3, -2, -2],
    ];
    for (const [i, v] of [2.5, -2.5].entries()) {
      for (let rc = 0; rc < 4; rc++) {
        const f = new Fpu();
        f.setMode(3, rc);
        f.fldM64(v);
        f.op(0xd9, 0xfc);
        expect(f.stNumber(0)).toBe(results[i]![rc]);
      }
    }
    const f = new Fpu();
    f.fldM64(-0.3);
    f.op(0xd9, 0xfc);
    expect(f.st(0)).toEqual([0x8000, 0n]);
  });

  it('FSCALE scales by the truncated ST(1), with the infinity cases', () => {
    const f = new Fpu();
    f.fldM64(3.9);
    f.fldM64(1.5);
    f.op(0xd9, 0xfd);
    expect(f.stNumber(0)).toBe(12);
    f.op(0xdb, 0xe3);
    f.fldM64(-2.7);
    f.fldM64(5);
    f.op(0xd9, 0xfd);
    expect(f.stNumber(0)).toBe(1.25);
    f.op(0xdb, 0xe3);
    f.fldM64(Number.NEGATIVE_INFINITY);
    f.fldM64(-5);
    f.op(0xd9, 0xfd);
    expect(f.st(0)).toEqual([0x8000, 0n]);
    f.op(0xdb, 0xe3);
    f.fldM64(Number.POSITIVE_INFINITY);
    f.fldM64(0);
    f.op(0xd9, 0xfd);
    expect(f.sw & SW.IE).toBe(SW.IE);
  });

  it('FXTRACT splits exponent and significand; zero gives ZE and -inf', () => {
    const f = new Fpu();
    f.fldM64(-12);
    f.op(0xd9, 0xf4);
    expect(f.stNumber(0)).toBe(-1.5);
    expect(f.stNumber(1)).toBe(3);
    f.op(0xdb, 0xe3);
    f.fldM64(-0);
    f.op(0xd9, 0xf4);
    expect(f.st(0)).toEqual([0x8000, 0n]);
    expect(f.st(1)).toEqual([0xffff, 0x8000000000000000n]);
    expect(f.sw & SW.ZE).toBe(SW.ZE);
  });

  it('FPREM matches fmod with the quotient bits in C0 C3 C1, iterating while C2 is set', () => {
    const f = new Fpu();
    const rng = new Rng();
    const buf = new DataView(new ArrayBuffer(8));
    for (let n = 0; n < 1000; n++) {
      buf.setBigUint64(0, rng.next64() & 0x4fffffffffffffffn);
      const a = buf.getFloat64(0) * (rng.int(2) ? 1 : -1);
      buf.setBigUint64(0, rng.next64() & 0x3fffffffffffffffn);
      const b = buf.getFloat64(0);
      if (b === 0 || !Number.isFinite(a)) continue;
      f.fldM64(b);
      f.fldM64(a);
      let rounds = 0;
      do {
        f.op(0xd9, 0xf8);
        rounds++;
      } while (f.sw & SW.C2 && rounds < 1000);
      expect(f.stNumber(0), `${a} % ${b}`).toBe(a % b);
      f.op(0xdd, 0xd8);
      f.op(0xdd, 0xd8);
    }
    f.fldM64(2);
    f.fldM64(7);
    f.op(0xd9, 0xf8); // 7 = 3*2 + 1: Q = 011
    expect(f.stNumber(0)).toBe(1);
    expect(f.sw & (SW.C0 | SW.C3 | SW.C1 | SW.C2)).toBe(SW.C3 | SW.C1);
  });

  it('FPREM1 rounds the quotient to nearest-even; partial reduction for a huge exponent gap', () => {
    const f = new Fpu();
    const cases: [number, number, number, number][] = [
      [5, 3, -1, 2],
      [7, 2, -1, 4],
      [5, 2, 1, 2],
      [2.9, 3, -0.10000000000000009, 1],
      [1.6, 3, 1.6 - 3, 1],
      [1.4, 3, 1.4, 0],
    ];
    for (const [a, b, r, q] of cases) {
      f.fldM64(b);
      f.fldM64(a);
      f.op(0xd9, 0xf5);
      expect(f.stNumber(0), `${a} rem ${b}`).toBe(r);
      const bits = (f.sw & SW.C0 ? 4 : 0) | (f.sw & SW.C3 ? 2 : 0) | (f.sw & SW.C1 ? 1 : 0);
      expect(bits).toBe(q & 7);
      f.op(0xdd, 0xd8);
      f.op(0xdd, 0xd8);
    }
    f.fldM64(3);
    f.fldM64(2 ** 1000);
    f.op(0xd9, 0xf8);
    expect(f.sw & SW.C2).toBe(SW.C2);
    let rounds = 1;
    while (f.sw & SW.C2) {
      f.op(0xd9, 0xf8);
      rounds++;
    }
    expect(rounds).toBeGreaterThan(10);
    expect(f.stNumber(0)).toBe(1); // 2^1000 mod 3
  });

  it('transcendental functions agree with Math to float64 precision and raise PE', () => {
    const f = new Fpu();
    const close = (got: number, want: number) =>
      expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -50);
    f.fldM64(0.7);
    f.op(0xd9, 0xfe); // FSIN
    close(f.stNumber(0), Math.sin(0.7));
    expect(f.sw & (SW.PE | SW.C2)).toBe(SW.PE);
    f.fldM64(0.7);
    f.op(0xd9, 0xff); // FCOS
    close(f.stNumber(0), Math.cos(0.7));
    f.fldM64(0.7);
    f.op(0xd9, 0xf2); // FPTAN
    expect(f.stNumber(0)).toBe(1);
    close(f.stNumber(1), Math.tan(0.7));
    f.op(0xdb, 0xe3);
    f.fldM64(0.7);
    f.op(0xd9, 0xfb); // FSINCOS: ST(0) = cos, ST(1) = sin
    close(f.stNumber(0), Math.cos(0.7));
    close(f.stNumber(1), Math.sin(0.7));
    f.op(0xdb, 0xe3);
    f.fldM64(1);
    f.fldM64(-1);
    f.op(0xd9, 0xf3); // FPATAN: atan2(ST(1), ST(0))
    close(f.stNumber(0), Math.atan2(1, -1));
    f.op(0xdb, 0xe3);
    f.fldM64(0.5);
    f.op(0xd9, 0xf0); // F2XM1
    close(f.stNumber(0), Math.SQRT2 - 1);
    f.op(0xdb, 0xe3);
    f.fldM64(3);
    f.fldM64(10);
    f.op(0xd9, 0xf1); // FYL2X
    close(f.stNumber(0), 3 * Math.log2(10));
    f.op(0xdb, 0xe3);
    f.fldM64(2);
    f.fldM64(1e-5);
    f.op(0xd9, 0xf9); // FYL2XP1
    close(f.stNumber(0), (2 * Math.log1p(1e-5)) / Math.LN2);
  });

  it('FSIN, FCOS, FPTAN and FSINCOS set C2 and leave the stack for |x| >= 2^63', () => {
    for (const modrm of [0xfe, 0xff, 0xf2, 0xfb]) {
      const f = new Fpu();
      f.fldM64(-(2 ** 63));
      f.op(0xd9, modrm);
      expect(f.sw & SW.C2).toBe(SW.C2);
      expect(f.x.top).toBe(7);
      expect(f.stNumber(0)).toBe(-(2 ** 63));
    }
  });

  it('FSIN, FCOS, FPTAN raise IE for unnormals, SNaNs and infinities (the cases QEMU gets wrong)', () => {
    for (const modrm of [0xfe, 0xff, 0xf2, 0xfb]) {
      for (const [se, sig] of [
        [0x3fff, 0x1234n],
        [0x7fff, 0x8000000000000800n],
        [0xffff, 0x8000000000000000n],
      ] as const) {
        const f = new Fpu();
        f.fldM80(se, sig);
        f.op(0xd9, modrm);
        expect(f.sw & (SW.IE | SW.C2), `${modrm.toString(16)} ${se.toString(16)}`).toBe(SW.IE);
      }
    }
  });

  it('FSIN and FPTAN of a denormal give the operand, FCOS gives 1, all inexact and rounded per RC', () => {
    const f = new Fpu();
    f.fldM80(0x8000, 0x0000000012345678n);
    f.op(0xd9, 0xfe);
    expect(f.st(0)).toEqual([0x8000, 0x0000000012345678n]);
    expect(f.sw & (SW.UE | SW.PE | SW.DE)).toBe(SW.UE | SW.PE | SW.DE);
    const g = new Fpu();
    g.setMode(3, 3); // chop: sin x is a hair smaller than x
    g.fldM80(0x3fc0, 0xc000000000000000n);
    g.op(0xd9, 0xfe);
    expect(g.st(0)).toEqual([0x3fc0, 0xbfffffffffffffffn]);
    g.fldM80(0x3fc0, 0xc000000000000000n);
    g.op(0xd9, 0xff);
    expect(g.st(0)).toEqual([0x3ffe, 0xffffffffffffffffn]);
    g.setMode(3, 2); // up: tan x is a hair larger than x
    g.fldM80(0x3fc0, 0xc000000000000000n);
    g.op(0xd9, 0xf2);
    expect(g.st(1)).toEqual([0x3fc0, 0xc000000000000001n]);
  });

  it('FPATAN of a tiny ratio is the quotient (x > 0) or pi (x < 0), far below float64 range', () => {
    const f = new Fpu();
    f.fldM80(0x0000, 0x0000000000000003n); // y: denormal
    f.fldM80(0x3fff, 0xc000000000000000n); // x = 1.5
    f.op(0xd9, 0xf3);
    expect(f.st(0)).toEqual([0x0000, 0x0000000000000002n]);
    f.op(0xdb, 0xe3);
    f.fldM80(0x8001, 0x8000000000000000n);
    f.fldM80(0xbfff, 0x8000000000000000n);
    f.op(0xd9, 0xf3);
    expect(f.st(0)).toEqual([0xc000, 0xc90fdaa22168c235n]);
  });

  it('transcendental special operands follow the SDM tables', () => {
    const f = new Fpu();
    f.fldM64(-0);
    f.op(0xd9, 0xfe);
    expect(f.st(0)).toEqual([0x8000, 0n]);
    f.fldM64(Number.POSITIVE_INFINITY);
    f.op(0xd9, 0xff); // FCOS(inf): IE
    expect(f.st(0)).toEqual([0xffff, 0xc000000000000000n]);
    f.op(0xdb, 0xe3);
    f.fldM64(5);
    f.fldM64(0);
    f.op(0xd9, 0xf1); // 5 * log2(0): ZE, -inf
    expect(f.st(0)).toEqual([0xffff, 0x8000000000000000n]);
    expect(f.sw & SW.ZE).toBe(SW.ZE);
    f.op(0xdb, 0xe3);
    f.fldM64(5);
    f.fldM64(-1);
    f.op(0xd9, 0xf1); // log of a negative number: IE
    expect(f.sw & SW.IE).toBe(SW.IE);
    f.op(0xdb, 0xe3);
    f.fldM64(Number.NEGATIVE_INFINITY);
    f.op(0xd9, 0xf0); // F2XM1(-inf) = -1
    expect(f.stNumber(0)).toBe(-1);
  });
});
