import { describe, expect, it } from 'vitest';
import type { ModelServices } from '../src/core/x86.js';
import { Feature, FeatureEcx } from '../src/cpuid.js';
import { assemble, type Bare, bare, probe, testModel } from './harness.js';

/**
 * MMX/SSE/SSE2 against the SDM where the differential ROMs cannot speak:
 * faults (#UD, #NM, #GP, #XM), CPUID gating, and the cases where QEMU 7.2
 * departs from the SDM (the NaN of two NaN operands, DAZ with MIN/MAX, DE,
 * the exponent bits an MMX write sets). Programs run in flat ring 0
 * (`asm/pm.inc`); results go to RAM at 0x4000.
 */
const ASM_DIR = new URL('./asm/', import.meta.url).pathname;
const OUT = 0x4000;

function model(features: number, featuresEcx = 0): ModelServices {
  return { ...testModel, features, featuresEcx, reset: testModel.reset };
}

const SSE2 = model(Feature.FPU | Feature.FXSR | Feature.MMX | Feature.SSE | Feature.SSE2);
const SSE3 = model(SSE2.features, FeatureEcx.SSE3);

/** Runs `body` with CR4.OSFXSR and OSXMMEXCPT set (unless `cr4` says otherwise). */
function run(body: string, m: ModelServices = SSE2, cr4 = 0x600): Bare {
  const b = bare(
    assemble(`%include "${ASM_DIR}pm.inc"
test_main:
    mov eax, cr4
    or eax, ${cr4}
    mov cr4, eax
${body}
    hlt
`),
    undefined,
    m,
  );
  b.run();
  return b;
}

const words = (b: Bare, n: number) => Array.from({ length: n }, (_, k) => b.mem32(OUT + 4 * k));

describe('SSE floating point where QEMU departs from the SDM', () => {
  it('takes the first source NaN, quieted, when both operands are NaNs (SDM vol. 1, table 4-7)', () => {
    const b = run(`
    mov dword [0x5000], 0x7f8425a7     ; SNaN
    mov dword [0x5010], 0x7fc00001     ; QNaN, larger significand
    movss xmm0, [0x5000]
    addss xmm0, [0x5010]
    movss [${OUT}], xmm0
    movss xmm0, [0x5010]
    addss xmm0, [0x5000]
    movss [${OUT + 4}], xmm0
    stmxcsr [${OUT + 8}]`);
    expect(words(b, 3)).toEqual([0x7fc425a7, 0x7fc00001, 0x1f81]);
  });

  it('sets DE for a denormal operand unless DAZ is on, and then flushes it before MIN/MAX', () => {
    const b = run(`
    mov dword [0x5000], 0x00000001     ; the smallest denormal
    mov dword [0x5004], 0x80000000     ; -0
    movss xmm0, [0x5000]
    addss xmm0, [0x5004]
    movss [${OUT}], xmm0
    stmxcsr [${OUT + 4}]
    mov dword [0x5008], 0x1fc0         ; DAZ
    ldmxcsr [0x5008]
    movss xmm0, [0x5000]
    maxss xmm0, [0x5004]
    movss [${OUT + 8}], xmm0
    stmxcsr [${OUT + 12}]`);
    expect(words(b, 4)).toEqual([0x00000001, 0x1f80 | 2, 0x80000000, 0x1fc0]);
  });

  it('sets bits 64-79 of the x87 register to ones on an MMX write, and EMMS empties the tags', () => {
    const b = run(`
    fninit
    mov dword [0x5000], 0x89abcdef
    mov dword [0x5004], 0x01234567
    movq mm3, [0x5000]
    fnsave [0x5100]
    mov eax, [0x5100 + 28 + 3 * 10 + 8]
    mov [${OUT}], eax
    mov eax, [0x5100 + 8]
    mov [${OUT + 4}], eax
    movq mm3, [0x5000]
    emms
    fnstenv [0x5200]
    mov eax, [0x5200 + 8]
    mov [${OUT + 8}], eax`);
    // R3 (MM3) has ones in bits 64-79, so FNSAVE tags it special; the others hold +0.0 (zero).
    expect(b.mem32(OUT) & 0xffff).toBe(0xffff);
    expect(b.mem32(OUT + 4) & 0xffff).toBe(0x5595);
    expect(b.mem32(OUT + 8) & 0xffff).toBe(0xffff);
  });
});

describe('RCP and RSQRT', () => {
  it("return QEMU's reciprocal (within the SDM bound of 1.5 * 2^-12), a denormal counting as zero, and no flag", () => {
    const b = run(`
    mov dword [0x5000], 0x40400000     ; 3.0
    mov dword [0x5004], 0x40800000     ; 4.0
    mov dword [0x5008], 0x00000001     ; denormal
    mov dword [0x500c], 0xbf800000     ; -1.0
    movups xmm1, [0x5000]
    rcpps xmm0, xmm1
    movups [${OUT}], xmm0
    rsqrtps xmm0, xmm1
    movups [${OUT + 16}], xmm0
    stmxcsr [${OUT + 32}]`);
    // 1/3 rounded to single, 1/4, +inf, -1; then 1/sqrt(3), 1/2, +inf, the default NaN.
    expect(words(b, 9)).toEqual([
      0x3eaaaaab, 0x3e800000, 0x7f800000, 0xbf800000, 0x3f13cd3a, 0x3f000000, 0x7f800000, 0xffc00000, 0x1f80,
    ]);
  });

  it('round under MXCSR.RC as QEMU does, and flush a tiny result with FTZ clear as the SDM says (QEMU 7.2 gives the denormal)', () => {
    const b = run(`
    mov dword [0x5000], 0x40400000     ; 3.0
    mov dword [0x5004], 0x7f000000     ; 2^127: its reciprocal is tiny
    mov dword [0x5008], 0x3fc00000     ; 1.5
    mov dword [0x500c], 0xff000000     ; -2^127
    mov dword [0x5010], 0x1f80 | 0x2000 ; round down, FTZ and DAZ clear
    ldmxcsr [0x5010]
    movups xmm1, [0x5000]
    rcpps xmm0, xmm1
    movups [${OUT}], xmm0
    rsqrtss xmm0, xmm1
    movups [${OUT + 16}], xmm0
    stmxcsr [${OUT + 32}]`);
    // 1/3 and 1/1.5 rounded down, +0 and -0 for 2^-127; in lane 0 only 1/sqrt(3), whose root rounded down
    // first makes it 3F13CD3A, not the exact value rounded down (39); no flag.
    expect(words(b, 9)).toEqual([
      0x3eaaaaaa, 0x00000000, 0x3f2aaaaa, 0x80000000, 0x3f13cd3a, 0x00000000, 0x3f2aaaaa, 0x80000000, 0x3f80,
    ]);
  });
});

describe('SIMD faults', () => {
  it('raises #XM for an unmasked exception with CR4.OSXMMEXCPT, #UD without, and leaves the destination', () => {
    const body = `
    mov dword [0x5000], 0x3f800000
    mov dword [0x5004], 0
    mov dword [0x5008], 0x1f80 & ~0x200   ; ZE unmasked
    ldmxcsr [0x5008]
    movss xmm0, [0x5000]
    PROBE 0, divss xmm0, [0x5004]
    movss [${OUT}], xmm0
    stmxcsr [${OUT + 4}]`;
    const xm = run(body);
    expect(probe(xm, 0).vector).toBe(19);
    expect(words(xm, 2)).toEqual([0x3f800000, 0x1d80 | 4]);
    const ud = run(body, SSE2, 0x200);
    expect(probe(ud, 0).vector).toBe(6);
  });

  it('raises #GP(0) for a misaligned MOVAPS/MOVDQA/ADDPS operand but not for MOVUPS or scalar forms', () => {
    const b = run(`
    PROBE 0, movaps xmm0, [0x5004]
    PROBE 1, movdqa [0x5008], xmm0
    PROBE 2, addps xmm0, [0x5001]
    PROBE 3, movups xmm0, [0x5004]
    PROBE 4, addss xmm0, [0x5001]
    PROBE 5, movaps xmm0, [0x5010]`);
    expect([0, 1, 2, 3, 4, 5].map((n) => probe(b, n).vector)).toEqual([13, 13, 13, -1, -1, -1]);
    expect(probe(b, 0).error).toBe(0);
  });

  it('gates on CR4.OSFXSR, CR0.EM, CR0.TS and LDMXCSR reserved bits', () => {
    const noOsfxsr = run(
      `
    PROBE 0, addps xmm0, xmm1
    PROBE 1, paddb mm0, mm1`,
      SSE2,
      0,
    );
    // MMX needs no OSFXSR.
    expect([probe(noOsfxsr, 0).vector, probe(noOsfxsr, 1).vector]).toEqual([6, -1]);
    const b = run(`
    mov dword [0x5000], 0x10000
    PROBE 0, ldmxcsr [0x5000]
    mov eax, cr0
    or eax, 8                          ; TS
    mov cr0, eax
    PROBE 1, addps xmm0, xmm1
    PROBE 2, paddb mm0, mm1
    mov eax, cr0
    xor eax, 4 | 8                     ; EM on, TS off
    mov cr0, eax
    PROBE 3, addps xmm0, xmm1
    PROBE 4, paddb mm0, mm1`);
    expect([0, 1, 2, 3, 4].map((n) => probe(b, n).vector)).toEqual([13, 7, 7, 6, 6]);
  });

  it('raises #UD for an instruction of a set the model lacks', () => {
    const p3 = model(Feature.FPU | Feature.FXSR | Feature.MMX | Feature.SSE);
    const b = run(
      `
    PROBE 0, addps xmm0, xmm1
    PROBE 1, addpd xmm0, xmm1
    PROBE 2, paddq mm0, mm1
    PROBE 3, pavgb mm0, mm1
    PROBE 4, paddd xmm0, xmm1
    PROBE 5, lfence
    PROBE 6, sfence`,
      p3,
    );
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => probe(b, n).vector)).toEqual([-1, 6, 6, -1, 6, 6, -1]);
    const mmxOnly = run(
      `
    PROBE 0, paddb mm0, mm1
    PROBE 1, pavgb mm0, mm1
    PROBE 2, addps xmm0, xmm1`,
      model(Feature.FPU | Feature.MMX),
      0,
    );
    expect([0, 1, 2].map((n) => probe(mmxOnly, n).vector)).toEqual([-1, 6, 6]);
    // SSE3 (leaf 1 ECX), FISTTP included.
    const sse3 = `
    fninit
    fldz
    PROBE 0, haddps xmm0, xmm1
    PROBE 1, movddup xmm0, xmm1
    PROBE 2, fisttp dword [0x5000]
    PROBE 3, lddqu xmm0, [0x5001]`;
    for (const [m, want] of [
      [SSE2, [6, 6, 6, 6]],
      [SSE3, [-1, -1, -1, -1]],
    ] as const) {
      const b = run(sse3, m);
      expect([0, 1, 2, 3].map((n) => probe(b, n).vector)).toEqual(want);
    }
    // SSSE3 (leaf 1 ECX bit 9) and CLFLUSH (leaf 1 EDX bit 19), as core2duo has them.
    const core2 = model(SSE2.features | Feature.CLFSH, FeatureEcx.SSE3 | FeatureEcx.SSSE3);
    const ssse3 = `
    PROBE 0, pshufb xmm0, xmm1
    PROBE 1, palignr mm0, mm1, 3
    PROBE 2, clflush [0x5000]`;
    for (const [m, want] of [
      [SSE3, [6, 6, 6]],
      [core2, [-1, -1, -1]],
    ] as const) {
      const b = run(ssse3, m);
      expect([0, 1, 2].map((n) => probe(b, n).vector)).toEqual(want);
    }
  });
});

describe('MMX and SSE2 stores', () => {
  it('MASKMOVDQU writes the selected bytes at DS:EDI; MOVNTI, MOVNTDQ and MOVQ store', () => {
    const b = run(`
    mov edi, ${OUT}
    mov dword [edi], 0x11111111
    mov dword [edi + 4], 0x22222222
    mov dword [0x5000], 0xaabbccdd
    mov dword [0x5004], 0x55667788
    mov dword [0x5010], 0x80008000
    mov dword [0x5014], 0x00800080
    movq xmm0, [0x5000]
    movq xmm1, [0x5010]
    maskmovdqu xmm0, xmm1
    mov eax, 0x12345678
    movnti [${OUT + 8}], eax
    movq [${OUT + 12}], xmm0
    movdqa [0x5020], xmm1
    movntdq [0x5030], xmm1`);
    expect(words(b, 4)).toEqual([0xaa11cc11, 0x22662288, 0x12345678, 0xaabbccdd]);
    expect(b.mem32(0x5030)).toBe(0x80008000);
  });
});
