import { describe, expect, it } from 'vitest';
import { Fpu, Rng, SW } from './fpu-host.js';

const SPECIALS: [number, bigint][] = [
  [0x0000, 0n], // +0
  [0x8000, 0n], // -0
  [0x0000, 0x0000000000000001n], // smallest denormal
  [0x8000, 0x7fffffffffffffffn], // largest denormal
  [0x0000, 0x8000000000000000n], // pseudo-denormal
  [0x8000, 0xffffffffffffffffn], // pseudo-denormal
  [0x3fff, 0x0000000000000001n], // unnormal
  [0x7ffe, 0x7fffffffffffffffn], // unnormal
  [0x7fff, 0x8000000000000000n], // +inf
  [0xffff, 0x8000000000000000n], // -inf
  [0x7fff, 0x0000000000000000n], // pseudo-infinity
  [0x7fff, 0x4000000000000000n], // pseudo-NaN
  [0x7fff, 0x0000000000000001n], // pseudo-NaN
  [0x7fff, 0xc000000000000000n], // QNaN
  [0xffff, 0xc000000000000000n], // indefinite
  [0x7fff, 0x8000000000000001n], // SNaN with payload
  [0x7fff, 0xdeadbeefcafef00dn], // QNaN with payload
  [0x0001, 0x8000000000000000n], // smallest normal
  [0x7ffe, 0xffffffffffffffffn], // largest normal
];

describe('x87 80-bit round trips', () => {
  it('FLD m80 then FSTP m80 returns the same bytes for every special class without any exception', () => {
    const f = new Fpu();
    for (const [se, sig] of SPECIALS) {
      f.fldM80(se, sig);
      expect(f.fstpM80()).toEqual([se, sig]);
    }
    expect(f.sw & 0x7f).toBe(0);
  });

  it('round-trips 20000 pseudo-random bit patterns, also through FLD ST(i), FXCH and FSAVE/FRSTOR', () => {
    const f = new Fpu();
    const rng = new Rng();
    for (let n = 0; n < 20000; n++) {
      const se = rng.int(0x10000);
      const sig = rng.next64();
      f.fldM80(se, sig);
      if (n % 3 === 1) {
        f.op(0xd9, 0xc0); // FLD ST(0)
        f.op(0xd9, 0xc9); // FXCH ST(1)
        f.op(0xdd, 0xd9); // FSTP ST(1)
      }
      if (n % 5 === 2) {
        f.mem(0xdd, 6, 0x400); // FNSAVE
        f.mem(0xdd, 4, 0x400); // FRSTOR
      }
      expect(f.fstpM80()).toEqual([se, sig]);
    }
    expect(f.sw & 0x7f).toBe(0);
  });

  it('FCHS and FABS change only the sign, even of NaNs and unsupported values', () => {
    const f = new Fpu();
    for (const [se, sig] of SPECIALS) {
      f.fldM80(se, sig);
      f.op(0xd9, 0xe0); // FCHS
      expect(f.st(0)).toEqual([se ^ 0x8000, sig]);
      f.op(0xd9, 0xe1); // FABS
      expect(f.fstpM80()).toEqual([se & 0x7fff, sig]);
    }
    expect(f.sw & SW.IE).toBe(0);
  });
});
