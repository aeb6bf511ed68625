import { describe, expect, it } from 'vitest';
import { Fpu, SW } from './fpu-host.js';

/** Sets up a recognizable state: two values, a masked PE, and known pointers. */
function prepared(): Fpu {
  const f = new Fpu();
  f.host.instructionSelector = 0x1234;
  f.host.instructionOffset = 0x00056789;
  f.host.operandSelector = 0x2345;
  f.fldM64(0); // tag zero
  f.host.instructionOffset = 0x0005678a;
  f.fldM64(1 / 3); // tag valid, PE? no: exact load
  f.host.instructionOffset = 0x0005678b;
  f.host.operandOffset = 0x300;
  f.fldM64(3);
  f.host.instructionOffset = 0x0005678c;
  f.op(0xde, 0xf9); // FDIVP: (1/3)/3, PE; FOP = 6F9, FDP unchanged (0x100)
  return f;
}

describe('x87 environment and state images', () => {
  it('RESET gives FCW 0040h, FTW 5555h (registers +0.0), FNINIT gives 037Fh and FFFFh', () => {
    const f = new Fpu();
    f.x.reset();
    expect(f.cw).toBe(0x0040);
    expect(f.sw).toBe(0);
    expect(f.x.tagWord).toBe(0x5555);
    f.op(0xdb, 0xe3);
    expect(f.cw).toBe(0x037f);
    expect(f.x.tagWord).toBe(0xffff);
    expect([f.x.fip, f.x.fcs, f.x.fop, f.x.fdp, f.x.fds]).toEqual([0, 0, 0, 0, 0]);
  });

  it('records FCS:FIP, FOP and FDS:FDP for non-control instructions only', () => {
    const f = prepared();
    expect([f.x.fcs, f.x.fip, f.x.fop, f.x.fds, f.x.fdp]).toEqual([0x1234, 0x5678c, 0x6f9, 0x2345, 0x100]);
    f.host.instructionOffset = 0x99;
    f.op(0xdb, 0xe2); // FNCLEX
    f.fldcw(0x037f);
    f.mem(0xd9, 7); // FNSTCW
    f.mem(0xdd, 7); // FNSTSW
    expect([f.x.fip, f.x.fop]).toEqual([0x5678c, 0x6f9]);
  });

  it('FSTENV 32-bit protected layout, with FFFFh in the reserved halves; then all exceptions masked', () => {
    const f = prepared();
    f.fldcw(0x0b7e); // RC=down... and IM clear (no flag pending)
    f.mem(0xd9, 6, 0x400);
    const tw = f.x.tagWord;
    expect(tw).toBe(0x4fff); // phys 7 zero (01), phys 6 valid (00), the rest empty
    expect(f.u32(0x400)).toBe(0xffff0b7e);
    expect(f.u32(0x404)).toBe((0xffff0000 | f.sw) >>> 0);
    expect(f.u32(0x408)).toBe((0xffff0000 | tw) >>> 0);
    expect(f.u32(0x40c)).toBe(0x5678c);
    expect(f.u32(0x410)).toBe((0x6f9 << 16) | 0x1234);
    expect(f.u32(0x414)).toBe(0x100);
    expect(f.u32(0x418)).toBe(0xffff2345);
    expect(f.cw).toBe(0x0b7f);
  });

  it('FSTENV 16-bit protected, 32-bit real and 16-bit real layouts', () => {
    const f = prepared();
    const sw = f.sw;
    const tw = f.x.tagWord;
    f.host.operandSize32 = false;
    f.mem(0xd9, 6, 0x400);
    expect([0, 2, 4, 6, 8, 10, 12].map((o) => f.u16(0x400 + o))).toEqual([
      0x037f,
      sw,
      tw,
      0x678c,
      0x1234,
      0x100,
      0x2345,
    ]);
    const ip = 0x1234 * 16 + 0x5678c;
    const dp = 0x2345 * 16 + 0x100;
    f.host.protectedMode = false;
    f.mem(0xd9, 6, 0x400);
    expect([0, 2, 4, 6, 8, 10, 12].map((o) => f.u16(0x400 + o))).toEqual([
      0x037f,
      sw,
      tw,
      ip & 0xffff,
      (((ip >>> 16) & 0xf) << 12) | 0x6f9,
      dp & 0xffff,
      ((dp >>> 16) & 0xf) << 12,
    ]);
    f.host.operandSize32 = true;
    f.mem(0xd9, 6, 0x400);
    expect([0, 4, 8, 12, 16, 20, 24].map((o) => f.u32(0x400 + o))).toEqual([
      0xffff037f,
      (0xffff0000 | sw) >>> 0,
      (0xffff0000 | tw) >>> 0,
      (0xffff0000 | (ip & 0xffff)) >>> 0,
      ((ip >>> 16) << 12) | 0x6f9,
      (0xffff0000 | (dp & 0xffff)) >>> 0,
      (dp >>> 16) << 12,
    ]);
  });

  for (const [o32, pm] of [
    [true, true],
    [false, true],
    [true, false],
    [false, false],
  ] as const) {
    it(`FSAVE/FRSTOR round trip (${o32 ? 32 : 16}-bit, ${pm ? 'protected' : 'real'} mode)`, () => {
      const f = prepared();
      f.host.operandSize32 = o32;
      f.host.protectedMode = pm;
      f.fldM80(0x7fff, 0x8000000000000001n); // SNaN, loaded raw
      f.x.status |= SW.C3;
      const cw = f.cw;
      const sw = f.sw;
      const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => String(f.st(i)));
      const empties = Array.from(f.x.empty);
      const ip = pm ? f.x.fip : f.x.fcs * 16 + f.x.fip;
      const op = f.x.fop;
      f.mem(0xdd, 6, 0x500); // FNSAVE
      expect(f.cw).toBe(0x037f);
      expect(f.x.tagWord).toBe(0xffff);
      const size = o32 ? 28 : 14;
      // ST(0) is stored first.
      expect(f.u16(0x500 + size + 8)).toBe(0x7fff);
      f.mem(0xdd, 4, 0x500); // FRSTOR
      expect(f.cw).toBe(cw);
      expect(f.sw).toBe(sw);
      expect(Array.from(f.x.empty)).toEqual(empties);
      expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => String(f.st(i)))).toEqual(regs);
      expect(f.x.fip).toBe(o32 || !pm ? ip & (o32 ? 0xffffffff : 0xfffff) : ip & 0xffff);
      if (!pm || o32) expect(f.x.fop).toBe(op);
    });
  }

  it('FLDENV: tags other than 11b mark registers non-empty; ES follows the loaded flags and masks', () => {
    const f = new Fpu();
    f.setU32(0x600, 0xffff037e); // IM clear
    f.setU32(0x604, 0xffff3801); // TOP=7, IE set
    f.setU32(0x608, 0xffff3fff); // phys 7 valid-tagged... and the rest empty
    f.mem(0xd9, 4, 0x600);
    expect(f.x.top).toBe(7);
    expect(f.x.isEmpty(0)).toBe(false);
    expect(f.x.isEmpty(1)).toBe(true);
    expect(f.sw & (SW.ES | SW.B)).toBe(SW.ES | SW.B);
    f.x.checkPendingException();
    expect(f.host.errors).toBe(1);
  });

  it('FNSTSW AX and FNSTCW store the words; the status word carries TOP', () => {
    const f = new Fpu();
    f.op(0xd9, 0xe8);
    f.op(0xd9, 0xe8);
    f.op(0xdf, 0xe0);
    expect(f.host.ax).toBe(6 << 11);
    f.mem(0xd9, 7, 0x700);
    expect(f.u16(0x700)).toBe(0x037f);
    f.op(0xd9, 0xf7); // FINCSTP
    f.op(0xd9, 0xf7);
    f.op(0xd9, 0xf6); // FDECSTP
    expect(f.x.top).toBe(7);
    f.op(0xdf, 0xc0); // FFREEP ST(0)
    expect(f.x.top).toBe(0);
    expect(f.x.empty[7]).toBe(1);
  });
});
