import { describe, expect, it } from 'vitest';
import { Fpu, Rng, SW } from './fpu-host.js';

/** An exact finite value: (-1)^neg * mag * 2^exp. */
interface Exact {
  neg: boolean;
  mag: bigint;
  exp: number;
}

const bitLength = (v: bigint): number => v.toString(2).length;

/** Reference rounding to `prec` bits per RC; returns a 64-bit significand and whether it rounded up. */
function round(
  v: Exact,
  prec: number,
  rc: number,
): { sig: bigint; exp: number; inexact: boolean; up: boolean } {
  const len = bitLength(v.mag);
  if (len <= prec)
    return { sig: v.mag << BigInt(64 - len), exp: v.exp - (64 - len), inexact: false, up: false };
  let shift = len - prec;
  let q = v.mag >> BigInt(shift);
  const r = v.mag - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  let up: boolean;
  if (rc === 0) up = r > half || (r === half && (q & 1n) === 1n);
  else if (rc === 1) up = v.neg && r !== 0n;
  else if (rc === 2) up = !v.neg && r !== 0n;
  else up = false;
  if (up) q += 1n;
  if (q === 1n << BigInt(prec)) {
    q >>= 1n;
    shift++;
  }
  return { sig: q << BigInt(64 - prec), exp: v.exp + shift - (64 - prec), inexact: r !== 0n, up };
}

function exactOf(se: number, sig: bigint): Exact {
  return { neg: (se & 0x8000) !== 0, mag: sig, exp: (se & 0x7fff) - 16383 - 63 };
}

function add(a: Exact, b: Exact, subtract: boolean): Exact | null {
  const m = Math.min(a.exp, b.exp);
  const av = (a.neg ? -a.mag : a.mag) << BigInt(a.exp - m);
  let bv = (b.neg ? -b.mag : b.mag) << BigInt(b.exp - m);
  if (subtract) bv = -bv;
  const s = av + bv;
  if (s === 0n) return null;
  return { neg: s < 0n, mag: s < 0n ? -s : s, exp: m };
}

function mul(a: Exact, b: Exact): Exact {
  return { neg: a.neg !== b.neg, mag: a.mag * b.mag, exp: a.exp + b.exp };
}

function div(a: Exact, b: Exact): Exact {
  const k = 140n;
  const q = (a.mag << k) / b.mag;
  const sticky = q * b.mag !== a.mag << k ? 1n : 0n;
  return { neg: a.neg !== b.neg, mag: (q << 1n) | sticky, exp: a.exp - b.exp - 141 };
}

function isqrt(n: bigint): bigint {
  // Newton's iteration from above converges to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

function sqrt(a: Exact): Exact {
  let mag = a.mag;
  let exp = a.exp;
  if (exp & 1) {
    mag <<= 1n;
    exp--;
  }
  const n = mag << 140n;
  const s = isqrt(n);
  const sticky = s * s !== n ? 1n : 0n;
  return { neg: false, mag: (s << 1n) | sticky, exp: exp / 2 - 71 };
}

function randomOperand(rng: Rng): [number, bigint] {
  const sign = rng.int(2) << 15;
  const exp = 16383 - 60 + rng.int(120);
  let sig = rng.next64() | 0x8000000000000000n;
  // Short significands make exact results and ties likely.
  if (rng.int(3) === 0) sig &= ~((1n << BigInt(rng.int(64))) - 1n) | 0x8000000000000000n;
  return [sign | exp, sig];
}

const PCS = [
  [0, 24],
  [2, 53],
  [3, 64],
] as const;

describe('x87 arithmetic is exact per PC and RC', () => {
  const cases: [string, number, number][] = [
    ['FADD', 0xd8, 0xc1],
    ['FSUB', 0xd8, 0xe1],
    ['FSUBR', 0xd8, 0xe9],
    ['FMUL', 0xd8, 0xc9],
    ['FDIV', 0xd8, 0xf1],
    ['FDIVR', 0xd8, 0xf9],
    ['FSQRT', 0xd9, 0xfa],
  ];
  for (const [name, opcode, modrm] of cases) {
    it(`${name} matches a BigInt reference for 3000 operand pairs in every PC and RC`, () => {
      const f = new Fpu();
      const rng = new Rng();
      for (let n = 0; n < 3000; n++) {
        const [pc, prec] = PCS[n % 3]!;
        const rc = (n >> 2) & 3;
        f.setMode(pc, rc);
        const b = randomOperand(rng);
        let a = randomOperand(rng);
        if (name === 'FSQRT') a = [a[0] & 0x7fff, a[1]];
        f.fldM80(b[0], b[1]);
        f.fldM80(a[0], a[1]); // ST(0) = a, ST(1) = b
        f.x.status &= ~0x3f;
        f.op(opcode, modrm);
        const ea = exactOf(a[0], a[1]);
        const eb = exactOf(b[0], b[1]);
        let exact: Exact | null;
        switch (name) {
          case 'FADD':
            exact = add(ea, eb, false);
            break;
          case 'FSUB':
            exact = add(ea, eb, true);
            break;
          case 'FSUBR':
            exact = add(eb, ea, true);
            break;
          case 'FMUL':
            exact = mul(ea, eb);
            break;
          case 'FDIV':
            exact = div(ea, eb);
            break;
          case 'FDIVR':
            exact = div(eb, ea);
            break;
          default:
            exact = sqrt(ea);
        }
        const [se, sig] = f.st(0);
        if (exact === null) {
          expect(sig).toBe(0n);
          expect(se).toBe(rc === 1 ? 0x8000 : 0);
        } else {
          const r = round(exact, prec, rc);
          const got = { sig, exp: (se & 0x7fff) - 16383 - 63, neg: (se & 0x8000) !== 0 };
          expect(got, `${name} ${a} ${b} pc=${pc} rc=${rc}`).toEqual({
            sig: r.sig,
            exp: r.exp,
            neg: exact.neg,
          });
          expect((f.sw & SW.PE) !== 0).toBe(r.inexact);
          expect((f.sw & SW.C1) !== 0).toBe(r.up);
        }
        f.op(0xdd, 0xd8); // FSTP ST(0)
        f.op(0xdd, 0xd8);
      }
    });
  }

  it('double-precision results agree with JavaScript arithmetic (PC=53, RC=nearest)', () => {
    const f = new Fpu();
    f.setMode(2, 0);
    const rng = new Rng();
    const buf = new DataView(new ArrayBuffer(8));
    const randomDouble = (): number => {
      buf.setBigUint64(
        0,
        (rng.next64() & 0x3fffffffffffffffn) | ((rng.next64() & 1n) << 63n) | 0x3000000000000000n,
      );
      return buf.getFloat64(0);
    };
    for (let n = 0; n < 2000; n++) {
      const a = randomDouble();
      const b = randomDouble();
      const ops: [number, number][] = [
        [0, a + b],
        [1, a * b],
        [4, a - b],
        [5, b - a],
        [6, a / b],
        [7, b / a],
      ];
      for (const [reg, expected] of ops) {
        f.fldM64(a);
        buf.setFloat64(0, b, true);
        f.host.mem.set(new Uint8Array(buf.buffer), 0x200);
        f.mem(0xdc, reg, 0x200);
        expect(f.fstpM64()).toBe(expected);
      }
      f.fldM64(Math.abs(a));
      f.op(0xd9, 0xfa);
      expect(f.fstpM64()).toBe(Math.sqrt(Math.abs(a)));
    }
  });

  it('single-precision results agree with Math.fround (PC=24)', () => {
    const f = new Fpu();
    f.setMode(0, 0);
    const rng = new Rng();
    for (let n = 0; n < 2000; n++) {
      const a = Math.fround((rng.int(2000000) - 1000000) / (rng.int(999) + 1));
      const b = Math.fround((rng.int(2000000) - 1000000) / (rng.int(999) + 1)) || 1;
      f.fldM32(a);
      f.fldM32(b);
      f.op(0xde, 0xf9); // FDIVP: ST(1) = ST(1) / ST(0)
      expect(f.fstM32Bits(true)).toBe(new Uint32Array(new Float32Array([Math.fround(a / b)]).buffer)[0]);
    }
  });

  it('exact zero sums are +0, or -0 when rounding down', () => {
    const f = new Fpu();
    for (const rc of [0, 1, 2, 3]) {
      f.setMode(3, rc);
      f.fldM64(1.5);
      f.fldM64(-1.5);
      f.op(0xde, 0xc1); // FADDP
      expect(f.st(0)[0]).toBe(rc === 1 ? 0x8000 : 0);
      f.op(0xdd, 0xd8);
    }
  });
});
