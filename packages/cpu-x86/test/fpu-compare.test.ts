import { describe, expect, it } from 'vitest';
import { Fpu, SW } from './fpu-host.js';

const CC = SW.C0 | SW.C1 | SW.C2 | SW.C3;

function cc(f: Fpu): number {
  return f.sw & CC;
}

describe('x87 comparisons and classification', () => {
  it('FCOM sets C3 C2 C0 for greater, less, equal; C1 cleared', () => {
    const f = new Fpu();
    const cases: [number, number, number][] = [
      [2, 1, 0],
      [1, 2, SW.C0],
      [1, 1, SW.C3],
      [-0, 0, SW.C3],
      [-1, -2, 0],
      [Number.NEGATIVE_INFINITY, -1e300, SW.C0],
    ];
    for (const [a, b, expected] of cases) {
      f.fldM64(b);
      f.fldM64(a);
      f.x.status |= SW.C1;
      f.op(0xd8, 0xd1); // FCOM ST(1)
      expect(cc(f), `${a} vs ${b}`).toBe(expected);
      f.op(0xde, 0xd9); // FCOMPP
      expect(f.x.top).toBe(0);
    }
  });

  it('FCOM m64 and FICOM m16 compare with memory operands and FCOMP pops', () => {
    const f = new Fpu();
    f.fldM64(5);
    f.setU64(0x200, 0x4018000000000000n); // 6.0
    f.mem(0xdc, 2, 0x200);
    expect(cc(f)).toBe(SW.C0);
    f.setU16(0x200, 5);
    f.mem(0xde, 3, 0x200); // FICOMP m16
    expect(cc(f)).toBe(SW.C3);
    expect(f.x.top).toBe(0);
  });

  it('FUCOM accepts QNaNs silently but FCOM raises IE; both report unordered', () => {
    const f = new Fpu();
    f.fldM64(1);
    f.fldM80(0x7fff, 0xc000000000000000n);
    f.op(0xdd, 0xe1); // FUCOM ST(1)
    expect(cc(f)).toBe(SW.C3 | SW.C2 | SW.C0);
    expect(f.sw & SW.IE).toBe(0);
    f.op(0xd8, 0xd1); // FCOM
    expect(f.sw & SW.IE).toBe(SW.IE);
    f.op(0xdb, 0xe2);
    f.fldM80(0x7fff, 0xa000000000000000n); // SNaN
    f.op(0xdd, 0xe1);
    expect(f.sw & SW.IE).toBe(SW.IE);
  });

  it('unmasked IE on FCOMP leaves the condition codes and does not pop', () => {
    const f = new Fpu();
    f.fldcw(0x037e);
    f.fldM64(1);
    f.fldM80(0x7fff, 0xc000000000000000n);
    f.x.status |= SW.C3;
    f.op(0xd8, 0xd9); // FCOMP
    expect(f.x.top).toBe(6);
    expect(cc(f)).toBe(SW.C3);
  });

  it('FCOMI/FUCOMI/FCOMIP set ZF, PF, CF', () => {
    const f = new Fpu();
    f.fldM64(2);
    f.fldM64(1);
    f.op(0xdb, 0xf1); // FCOMI ST(0), ST(1): 1 < 2
    expect([f.host.zf, f.host.pf, f.host.cf]).toEqual([false, false, true]);
    f.op(0xdb, 0xf0); // equal to itself
    expect([f.host.zf, f.host.pf, f.host.cf]).toEqual([true, false, false]);
    f.fldM80(0x7fff, 0xc000000000000000n);
    f.op(0xdb, 0xe9); // FUCOMI with a QNaN
    expect([f.host.zf, f.host.pf, f.host.cf]).toEqual([true, true, true]);
    expect(f.sw & SW.IE).toBe(0);
    f.op(0xdf, 0xf1); // FCOMIP: IE, pops
    expect(f.sw & SW.IE).toBe(SW.IE);
    expect(f.x.top).toBe(6);
    f.op(0xdf, 0xe9); // FUCOMIP 1 vs 2
    expect([f.host.zf, f.host.pf, f.host.cf]).toEqual([false, false, true]);
    expect(f.x.top).toBe(7);
  });

  it('FTST compares with zero', () => {
    const f = new Fpu();
    for (const [v, expected] of [
      [3, 0],
      [-3, SW.C0],
      [-0, SW.C3],
    ] as const) {
      f.fldM64(v);
      f.op(0xd9, 0xe4);
      expect(cc(f)).toBe(expected);
      f.op(0xdd, 0xd8);
    }
  });

  it('FXAM classifies every register class, with C1 the sign', () => {
    const f = new Fpu();
    const classes: [number, bigint, number][] = [
      [0x3fff, 0x0000000000000001n, 0], // unnormal: unsupported
      [0x7fff, 0x4000000000000000n, 0], // pseudo-NaN: unsupported
      [0x7fff, 0xc000000000000001n, SW.C0], // NaN
      [0xbfff, 0x8000000000000000n, SW.C2 | SW.C1], // -normal
      [0x7fff, 0x8000000000000000n, SW.C2 | SW.C0], // infinity
      [0x8000, 0n, SW.C3 | SW.C1], // -zero
      [0x0000, 0x0000000000000010n, SW.C3 | SW.C2], // denormal
      [0x0000, 0x8000000000000000n, SW.C3 | SW.C2], // pseudo-denormal
    ];
    for (const [se, sig, expected] of classes) {
      f.fldM80(se, sig);
      f.op(0xd9, 0xe5);
      expect(cc(f), `${se.toString(16)} ${sig.toString(16)}`).toBe(expected);
      f.op(0xdd, 0xd8);
    }
    f.op(0xdd, 0xc0); // FFREE ST(0): empty
    f.op(0xd9, 0xe5);
    expect(cc(f) & ~SW.C1).toBe(SW.C3 | SW.C0);
  });

  it('FXCH swaps; with an empty register IE+SF and the indefinite takes its place', () => {
    const f = new Fpu();
    f.fldM64(1);
    f.fldM64(2);
    f.op(0xd9, 0xc9);
    expect([f.stNumber(0), f.stNumber(1)]).toEqual([1, 2]);
    f.op(0xd9, 0xcb); // FXCH ST(3): empty
    expect(f.sw & (SW.IE | SW.SF | SW.C1)).toBe(SW.IE | SW.SF);
    expect(f.st(0)).toEqual([0xffff, 0xc000000000000000n]);
    expect(f.stNumber(3)).toBe(1);
  });

  it('FST ST(i), FSTP ST(i) and the FSTP1/FSTP8/FSTP9 aliases copy exactly', () => {
    const f = new Fpu();
    f.fldM80(0x7fff, 0x8000000000000001n); // SNaN: copied without IE
    f.fldM64(5);
    f.op(0xdd, 0xd1); // FST ST(1)
    expect(f.stNumber(1)).toBe(5);
    for (const [op, modrm] of [
      [0xd9, 0xd9],
      [0xdf, 0xd1],
      [0xdf, 0xd9],
    ] as const) {
      f.fldM64(7);
      f.op(op, modrm);
      expect(f.stNumber(0)).toBe(7);
    }
    expect(f.sw & SW.IE).toBe(0);
  });

  it('integer arithmetic forms: FIADD m32, FISUB m16, FISUBR m32, FIMUL m16, FIDIV m32, FIDIVR m16', () => {
    const f = new Fpu();
    const cases: [number, number, number, number][] = [
      [0xda, 0, -7, 3],
      [0xde, 4, 10, -7],
      [0xda, 5, 10, 17],
      [0xde, 1, -3, -51],
      [0xda, 6, 4, -12.75],
      [0xde, 7, 3, 3 / -12.75],
    ];
    f.fldM64(10);
    for (const [op, reg, v, expected] of cases) {
      if (op === 0xda) f.setU32(0x200, v >>> 0);
      else f.setU16(0x200, v & 0xffff);
      f.mem(op, reg, 0x200);
      expect(f.stNumber(0), `${op.toString(16)} /${reg}`).toBeCloseTo(expected, 15);
    }
  });

  it('FCMOVcc copies ST(i) to ST(0) on the flag condition', () => {
    const conditions: [number, number, Partial<Record<'cf' | 'zf' | 'pf', boolean>>, boolean][] = [
      [0xda, 0xc1, { cf: true }, true], // FCMOVB
      [0xda, 0xc1, {}, false],
      [0xda, 0xc9, { zf: true }, true], // FCMOVE
      [0xda, 0xd1, { zf: true }, true], // FCMOVBE
      [0xda, 0xd9, { pf: true }, true], // FCMOVU
      [0xdb, 0xc1, { cf: true }, false], // FCMOVNB
      [0xdb, 0xc9, {}, true], // FCMOVNE
      [0xdb, 0xd1, { cf: true }, false], // FCMOVNBE
      [0xdb, 0xd9, {}, true], // FCMOVNU
    ];
    for (const [op, modrm, flags, moved] of conditions) {
      const f = new Fpu();
      f.fldM64(7);
      f.fldM64(1);
      f.host.cf = flags.cf ?? false;
      f.host.zf = flags.zf ?? false;
      f.host.pf = flags.pf ?? false;
      f.op(op, modrm);
      expect(f.stNumber(0), `${op.toString(16)} ${modrm.toString(16)}`).toBe(moved ? 7 : 1);
    }
  });
});
