import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CPUID_MODELS,
  cpuid,
  Feature,
  FeatureEcx,
  modelFeatures,
  REMOVED_ECX,
  REMOVED_EDX,
  REMOVED_EXT_EDX,
} from '../src/cpuid.js';

/** QEMU's answers: "leaf subleaf eax ebx ecx edx" lines recorded by scripts/record-cpu-fixtures.sh. */
function recorded(model: string): number[][] {
  const text = readFileSync(new URL(`./fixtures/cpuid-${model}.txt`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^[0-9a-f]{8} /.test(l))
    .map((l) =>
      l
        .trim()
        .split(/\s+/)
        .map((h) => Number.parseInt(h, 16)),
    );
}

describe('cpuid models against QEMU', () => {
  for (const model of CPUID_MODELS) {
    it(`${model}: every leaf QEMU reports, minus the features Plugboard does not implement`, () => {
      const rows = recorded(model);
      expect(rows.length).toBeGreaterThan(1);
      for (const [leaf, sub, eax, ebx, ecx, edx] of rows) {
        const want = [eax, ebx, ecx, edx];
        if (leaf === 1) {
          want[2] = (ecx & ~REMOVED_ECX) >>> 0;
          want[3] = (edx & ~REMOVED_EDX) >>> 0;
        }
        if (leaf === 0x80000001) want[3] = (edx & ~REMOVED_EXT_EDX) >>> 0;
        expect(cpuid(model, leaf, sub, 0), `leaf ${leaf.toString(16)}.${sub}`).toEqual(want);
      }
    });
  }

  it('answers leaves past the top as the highest basic leaf, as QEMU and Intel do', () => {
    expect(cpuid('pentium', 0x80000000, 0, 0)).toEqual(cpuid('pentium', 1, 0, 0));
    expect(cpuid('qemu32', 7, 0, 0)).toEqual(cpuid('qemu32', 4, 0, 0));
    expect(cpuid('qemu32', 0x80000008, 0, 0)).toEqual(cpuid('qemu32', 4, 0, 0));
  });

  it('puts the APIC ID in leaf 1 EBX', () => {
    expect(cpuid('qemu32', 1, 0, 3)[1] >>> 24).toBe(3);
  });

  it('never offers VME, MCA or PSE36', () => {
    for (const model of CPUID_MODELS) {
      const edx = cpuid(model, 1, 0, 0)[3];
      expect(edx & (Feature.VME | Feature.MCA | Feature.PSE36)).toBe(0);
      expect(modelFeatures(model)).toBe(edx);
    }
  });

  it('offers MMX, SSE, SSE2, SSE3 and SSSE3 as QEMU does', () => {
    const simd = (model: (typeof CPUID_MODELS)[number]) =>
      cpuid(model, 1, 0, 0)[3] & (Feature.MMX | Feature.SSE | Feature.SSE2);
    expect(simd('pentium')).toBe(Feature.MMX);
    expect(simd('pentium2')).toBe(Feature.MMX);
    expect(simd('pentium3')).toBe(Feature.MMX | Feature.SSE);
    expect(simd('qemu32')).toBe(Feature.MMX | Feature.SSE | Feature.SSE2);
    expect(simd('core2duo')).toBe(Feature.MMX | Feature.SSE | Feature.SSE2);
    expect(CPUID_MODELS.filter((model) => cpuid(model, 1, 0, 0)[2] & FeatureEcx.SSE3)).toEqual([
      'qemu32',
      'coreduo',
      'core2duo',
    ]);
    expect(CPUID_MODELS.filter((model) => cpuid(model, 1, 0, 0)[2] & FeatureEcx.SSSE3)).toEqual(['core2duo']);
  });

  it('offers FXSR (FXSAVE/FXRSTOR) where QEMU does: not on the Pentium', () => {
    expect(CPUID_MODELS.filter((model) => cpuid(model, 1, 0, 0)[3] & Feature.FXSR)).toEqual([
      'qemu32',
      'pentium2',
      'pentium3',
      'coreduo',
      'core2duo',
    ]);
  });
});
