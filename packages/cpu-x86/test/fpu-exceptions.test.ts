import { describe, expect, it } from 'vitest';
import { EA, Fpu, MockFault, SW } from './fpu-host.js';

const INDEFINITE: [number, bigint] = [0xffff, 0xc000000000000000n];
const ONE: [number, bigint] = [0x3fff, 0x8000000000000000n];

describe('x87 exceptions', () => {
  it('masked invalid operation (0/0) delivers the QNaN indefinite without ES', () => {
    const f = new Fpu();
    f.fldM64(0);
    f.fldM64(0);
    f.op(0xde, 0xf9); // FDIVP
    expect(f.st(0)).toEqual(INDEFINITE);
    expect(f.sw & (SW.IE | SW.ES | SW.B)).toBe(SW.IE);
  });

  it('unmasked invalid operation leaves the stack alone, sets ES and B, and is delivered at the next wait-type instruction', () => {
    const f = new Fpu();
    f.fldcw(0x037e); // IM clear
    f.fldM64(0);
    f.fldM64(0);
    f.op(0xde, 0xf9); // FDIVP
    expect(f.x.top).toBe(6);
    expect(f.st(0)).toEqual([0, 0n]);
    expect(f.sw & (SW.IE | SW.ES | SW.B)).toBe(SW.IE | SW.ES | SW.B);
    expect(f.host.errors).toBe(0);
    f.mem(0xdd, 7); // FNSTSW m16: no-wait
    f.op(0xdf, 0xe0); // FNSTSW AX
    expect(f.host.ax & 0x80ff).toBe(0x8081);
    expect(f.host.errors).toBe(0);
    f.x.checkPendingException(); // FWAIT
    expect(f.host.errors).toBe(1);
    f.op(0xd9, 0xe8); // FLD1: wait-type
    expect(f.host.errors).toBe(2);
    f.op(0xdb, 0xe2); // FNCLEX
    expect(f.sw & 0x80ff).toBe(0);
    f.x.checkPendingException();
    expect(f.host.errors).toBe(2);
  });

  it('zero divide: masked gives signed infinity, unmasked leaves the destination', () => {
    const f = new Fpu();
    f.fldM64(-3);
    f.fldM64(0);
    f.op(0xd8, 0xf9); // FDIVR ST0 = ST1 / ST0 = -3 / +0
    expect(f.st(0)).toEqual([0xffff, 0x8000000000000000n]);
    expect(f.sw & SW.ZE).toBe(SW.ZE);
    const g = new Fpu();
    g.fldcw(0x037b);
    g.fldM64(-3);
    g.fldM64(0);
    g.op(0xd8, 0xf9);
    expect(g.st(0)).toEqual([0, 0n]);
    expect(g.sw & (SW.ZE | SW.ES)).toBe(SW.ZE | SW.ES);
  });

  it('denormal operand: masked loads exactly with DE; unmasked does not load', () => {
    const f = new Fpu();
    f.fldM32Bits(0x00000001); // 2^-149
    expect(f.sw & SW.DE).toBe(SW.DE);
    expect(f.st(0)).toEqual([16383 - 149, 0x8000000000000000n]);
    const g = new Fpu();
    g.fldcw(0x037d);
    g.fldM32Bits(0x00000001);
    expect(g.x.top).toBe(0);
    expect(g.sw & (SW.DE | SW.ES)).toBe(SW.DE | SW.ES);
  });

  it('masked overflow rounds to infinity or the largest finite value per RC, with OE, PE and C1', () => {
    const big: [number, bigint] = [0x7ffe, 0xffffffffffffffffn];
    const expectations: [number, [number, bigint], boolean][] = [
      [0, [0x7fff, 0x8000000000000000n], true],
      [1, [0x7ffe, 0xffffffffffffffffn], false],
      [2, [0x7fff, 0x8000000000000000n], true],
      [3, [0x7ffe, 0xffffffffffffffffn], false],
    ];
    for (const [rc, result, c1] of expectations) {
      const f = new Fpu();
      f.setMode(3, rc);
      f.fldM80(...big);
      f.fldM80(...big);
      f.op(0xd8, 0xc9); // FMUL
      expect(f.st(0)).toEqual(result);
      expect(f.sw & (SW.OE | SW.PE)).toBe(SW.OE | SW.PE);
      expect((f.sw & SW.C1) !== 0).toBe(c1);
    }
    const f = new Fpu();
    f.setMode(0, 3); // PC=24, chop: largest finite has 24 significant bits
    f.fldM80(...big);
    f.fldM80(...big);
    f.op(0xd8, 0xc9);
    expect(f.st(0)).toEqual([0x7ffe, 0xffffff0000000000n]);
  });

  it('unmasked overflow and underflow deliver the result with the exponent wrapped by 24576', () => {
    const f = new Fpu();
    f.fldcw(0x0377); // OM clear
    f.fldM80(16383 + 16000, 0x8000000000000000n);
    f.fldM80(16383 + 16000, 0xc000000000000000n);
    f.op(0xd8, 0xc9);
    expect(f.st(0)).toEqual([16383 + 32000 - 24576, 0xc000000000000000n]);
    expect(f.sw & (SW.OE | SW.ES)).toBe(SW.OE | SW.ES);
    const g = new Fpu();
    g.fldcw(0x036f); // UM clear
    g.fldM80(16383 - 16000, 0x8000000000000000n);
    g.fldM80(16383 - 400, 0x8000000000000000n);
    g.op(0xd8, 0xc9);
    expect(g.st(0)).toEqual([16383 - 16400 + 24576, 0x8000000000000000n]);
    expect(g.sw & (SW.UE | SW.ES)).toBe(SW.UE | SW.ES);
  });

  it('masked underflow denormalizes; UE only when the tiny result is inexact', () => {
    const f = new Fpu();
    f.fldM80(16383 - 16000, 0x8000000000000000n);
    f.fldM80(16383 - 400, 0x8000000000000000n);
    f.op(0xd8, 0xc9); // 2^-16400: exact denormal
    expect(f.st(0)).toEqual([0, 1n << 45n]);
    expect(f.sw & (SW.UE | SW.PE)).toBe(0);
    f.fldM80(16383 - 16000, 0xc000000000000001n);
    f.fldM80(16383 - 400, 0x8000000000000000n);
    f.op(0xd8, 0xc9); // 1.5(+tiny) * 2^-16400: the low bits are lost
    expect(f.st(0)).toEqual([0, 3n << 44n]);
    expect(f.sw & (SW.UE | SW.PE)).toBe(SW.UE | SW.PE);
  });

  it('tininess is detected after rounding: a product that rounds up to the smallest normal raises no UE', () => {
    for (const masks of [0x3f, 0x2f]) {
      const f = new Fpu();
      f.setMode(0, 0, masks); // PC=24, nearest
      f.fldM80(16000, 0xffffff8000000000n); // (2 - 2^-24) * 2^-383
      f.fldM80(16383 - 16000, 0x8000000000000000n); // 2^-16000
      f.op(0xd8, 0xc9);
      expect(f.st(0)).toEqual([1, 0x8000000000000000n]);
      expect(f.sw & (SW.UE | SW.PE | SW.C1)).toBe(SW.PE | SW.C1);
    }
  });

  it('FST m32/m64 overflow and underflow: masked results, unmasked stores nothing', () => {
    const f = new Fpu();
    f.fldM80(16383 + 200, 0x8000000000000000n);
    expect(f.fstM32Bits()).toBe(0x7f800000);
    expect(f.sw & (SW.OE | SW.PE | SW.C1)).toBe(SW.OE | SW.PE | SW.C1);
    f.fldM80(16383 - 1074, 0xc000000000000000n); // 1.5 * 2^-1074: ties to even 2 * 2^-1074
    expect(f.fstM64Bits()).toBe(2n);
    expect(f.sw & SW.UE).toBe(SW.UE);
    f.fldM80(16383 - 1074, 0x8000000000000000n);
    f.x.status = 0;
    expect(f.fstM64Bits()).toBe(1n);
    expect(f.sw & (SW.UE | SW.PE)).toBe(0);
    const g = new Fpu();
    g.fldcw(0x0377);
    g.fldM80(16383 + 200, 0x8000000000000000n);
    g.setU32(EA, 0x12345678);
    g.host.writes = 0;
    g.fstM32Bits(true);
    expect(g.host.writes).toBe(0);
    expect(g.u32(EA)).toBe(0x12345678);
    expect(g.x.top).toBe(7);
    expect(g.sw & (SW.OE | SW.ES)).toBe(SW.OE | SW.ES);
  });

  it('stack overflow: IE, SF, C1=1, masked push of the indefinite; unmasked no change', () => {
    const f = new Fpu();
    for (let i = 0; i < 8; i++) f.op(0xd9, 0xe8);
    expect(f.sw & (SW.IE | SW.SF)).toBe(0);
    f.op(0xd9, 0xee); // FLDZ onto a full stack
    expect(f.sw & (SW.IE | SW.SF | SW.C1)).toBe(SW.IE | SW.SF | SW.C1);
    expect(f.st(0)).toEqual(INDEFINITE);
    const g = new Fpu();
    g.fldcw(0x037e);
    for (let i = 0; i < 8; i++) g.op(0xd9, 0xe8);
    g.op(0xd9, 0xee);
    expect(g.x.top).toBe(0);
    expect(g.st(0)).toEqual(ONE);
    expect(g.sw & (SW.IE | SW.SF | SW.C1 | SW.ES)).toBe(SW.IE | SW.SF | SW.C1 | SW.ES);
  });

  it('stack underflow: IE, SF, C1=0; masked arithmetic writes the indefinite and still pops', () => {
    const f = new Fpu();
    f.op(0xd9, 0xe8); // FLD1: ST(1) is empty
    f.x.status |= SW.C1;
    f.op(0xde, 0xc1); // FADDP ST(1), ST(0)
    expect(f.sw & (SW.IE | SW.SF | SW.C1)).toBe(SW.IE | SW.SF);
    expect(f.x.top).toBe(0);
    expect(f.st(0)).toEqual(INDEFINITE);
    f.setMode(3, 0, 0x3e);
    f.op(0xdb, 0xe2);
    f.op(0xdd, 0xc0); // FFREE ST(0)
    f.fstM32Bits(true); // FSTP m32 from an empty ST(0), unmasked: nothing stored, no pop
    expect(f.x.top).toBe(0);
  });

  it('NaN operands: SNaN quieted with IE, QNaN propagated silently, the larger significand wins', () => {
    const f = new Fpu();
    f.fldM80(0x3fff, 0x8000000000000000n);
    f.fldM80(0x7fff, 0x8000000000001234n); // SNaN
    f.op(0xd8, 0xc1);
    expect(f.st(0)).toEqual([0x7fff, 0xc000000000001234n]);
    expect(f.sw & SW.IE).toBe(SW.IE);
    f.op(0xdb, 0xe2);
    f.fldM80(0xffff, 0xc000000000000005n);
    f.op(0xd8, 0xc9); // QNaN * QNaN: larger significand
    expect(f.st(0)).toEqual([0x7fff, 0xc000000000001234n]);
    expect(f.sw & SW.IE).toBe(0);
    f.fldM80(0x3fff, 0x0000000000000001n); // unnormal
    f.op(0xd8, 0xc2);
    expect(f.st(0)).toEqual(INDEFINITE);
    expect(f.sw & SW.IE).toBe(SW.IE);
  });

  it('integer stores out of range give the integer indefinite with IE and no PE', () => {
    const f = new Fpu();
    f.fldM64(40000);
    f.mem(0xdf, 2); // FIST m16
    expect(f.u16(EA)).toBe(0x8000);
    expect(f.sw & (SW.IE | SW.PE)).toBe(SW.IE);
    f.op(0xdb, 0xe2);
    f.fldM64(-2147483648.4);
    f.mem(0xdb, 2); // FIST m32
    expect(f.u32(EA)).toBe(0x80000000);
    expect(f.sw & (SW.IE | SW.PE)).toBe(SW.PE);
    f.fldM64(2 ** 63);
    f.mem(0xdf, 7); // FISTP m64
    expect(f.u64(EA)).toBe(0x8000000000000000n);
    expect(f.sw & SW.IE).toBe(SW.IE);
  });

  it('a faulting memory access leaves the FPU exactly as before', () => {
    const f = new Fpu();
    f.fldM64(2.5);
    const before = String([f.x.top, f.sw, f.st(0), f.x.fip, f.x.fop]);
    f.host.instructionOffset = 0x9999;
    f.host.faultAt = EA + 6;
    expect(() => f.mem(0xdd, 3)).toThrow(MockFault); // FSTP m64
    expect(() => f.mem(0xdb, 5)).toThrow(MockFault); // FLD m80
    expect(() => f.mem(0xdc, 0)).toThrow(MockFault); // FADD m64
    f.host.faultAt = EA + 100;
    expect(() => f.mem(0xdd, 4)).toThrow(MockFault); // FRSTOR
    expect(String([f.x.top, f.sw, f.st(0), f.x.fip, f.x.fop])).toBe(before);
  });

  it('FLDCW that unmasks a raised flag makes it pending', () => {
    const f = new Fpu();
    f.fldM64(1);
    f.fldM64(3);
    f.op(0xde, 0xf9); // 1/3: PE
    expect(f.sw & (SW.PE | SW.ES)).toBe(SW.PE);
    f.fldcw(0x035f); // PM clear
    expect(f.sw & (SW.ES | SW.B)).toBe(SW.ES | SW.B);
    f.x.checkPendingException();
    expect(f.host.errors).toBe(1);
  });
});
