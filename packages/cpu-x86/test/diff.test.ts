import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIMD_OPCODES } from '../src/ops/opcodes-simd.js';
import { runBare, withCaseCount } from './harness/bare-machine.js';
import { firstMismatch } from './harness/compare.js';

/**
 * Differential tests against QEMU: each group's ROM (test/harness/asm, built
 * and recorded by scripts/record-cpu-fixtures.sh) runs on Plugboard's CPU and
 * its dump must match QEMU's recorded one exactly. The programs read their
 * case count from the ROM, so a run of N cases is the fixture's first N.
 * PLUGBOARD_DIFF_CASES bounds N (default: 1000, every case of most fixtures).
 */
const GROUPS = [
  'alu',
  'shift',
  'muldiv',
  'bcd',
  'bitops',
  'string',
  'misc',
  'paging',
  'user',
  'apic',
  'descriptors',
  'x87',
  'x87b',
  'sse',
  'simd-int',
  'sse3',
  'ssse3',
] as const;
/** Groups recorded on another QEMU model than qemu32 (scripts/record-cpu-fixtures.sh). */
const MODEL: Partial<Record<(typeof GROUPS)[number], string>> = { ssse3: 'core2duo' };
const LIMIT = Number(process.env.PLUGBOARD_DIFF_CASES ?? 1000);
/** Generous: the largest group (string) runs about 20 000 instructions a case. */
const INSTRUCTIONS_PER_CASE = 200_000;

function fixture(name: string): Buffer {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
}

function fixtureLines(group: string): string[] {
  return fixture(`${group}.txt`).toString('latin1').split('\n');
}

describe('differential tests against QEMU', () => {
  for (const group of GROUPS) {
    it(group, { timeout: 600_000 }, async () => {
      const expected = fixtureLines(group);
      const recorded = expected.indexOf('# end') - 1;
      expect(recorded, `${group}.txt has no "# end" line`).toBeGreaterThan(0);
      const cases = Math.min(LIMIT, recorded);
      const rom = withCaseCount(new Uint8Array(fixture(`${group}.bin`)), cases);
      const run = await runBare(rom, {
        maxInstructions: 1_000_000 + cases * INSTRUCTIONS_PER_CASE,
        cpuConfig: MODEL[group] ? { model: MODEL[group] } : undefined,
      });
      const want = [...expected.slice(0, 1 + cases), '# end'];
      const mismatch = firstMismatch(want, run.output.split('\n'));
      expect(
        mismatch,
        `${group}: ${mismatch}\n(stopped: ${run.reason} after ${run.instructions} instructions)`,
      ).toBeNull();
      expect(run.exitCode, `${group}: ${run.reason}`).toBe(1);
    });
  }
});

describe('differential test fixtures', () => {
  it('each ROM prints the header its fixture starts with, and holds a 64 KiB image with a reset vector', () => {
    for (const group of [...GROUPS, 'cpuid']) {
      const rom = fixture(`${group}.bin`);
      expect(rom.length).toBe(0x10000);
      // JMP FAR F000:xxxx at 0xFFFF0.
      expect(rom[0xfff0]).toBe(0xea);
      expect(rom.readUInt16LE(0xfff3)).toBe(0xf000);
      const header = group === 'cpuid' ? fixture('cpuid-qemu32.txt') : fixture(`${group}.txt`);
      const first = header.toString('latin1').split('\n')[0];
      expect(rom.includes(Buffer.from(first, 'latin1')), group).toBe(true);
    }
  });

  it('the SIMD ROMs run every MMX/SSE/SSE2/SSE3/SSSE3 mnemonic of the opcode table', () => {
    const source = ['sse', 'simd-int', 'sse3', 'ssse3']
      .map((g) => readFileSync(new URL(`./harness/asm/${g}.asm`, import.meta.url), 'latin1'))
      .join('\n')
      .toLowerCase();
    const words = new Set(source.split(/[^a-z0-9]+/));
    const mnemonics = new Set(SIMD_OPCODES.map((e) => e.name.split(/[\s/]/)[0]!));
    // CLFLUSH leaves nothing to compare; test/simd.test.ts checks its faults and gate.
    const missing = [...mnemonics].filter((m) => !words.has(m) && m !== 'clflush');
    expect(mnemonics.size).toBeGreaterThan(190);
    expect(missing).toEqual([]);
  });

  it('withCaseCount patches the count the programs read at ROM + 0xFFE8', () => {
    const original = new Uint8Array(fixture('alu.bin'));
    expect(new DataView(original.buffer).getUint32(0xffe8, true)).toBe(1000);
    const rom = withCaseCount(original, 0x1234);
    expect(new DataView(rom.buffer).getUint32(0xffe8, true)).toBe(0x1234);
    expect(new DataView(original.buffer).getUint32(0xffe8, true)).toBe(1000);
  });

  it('firstMismatch names the case, its inputs and the section that differs', () => {
    const header = '# g: a b | add sub | mul';
    const want = [header, '01 02 | 03 004 ff 095 | 02 000', '# end'];
    expect(firstMismatch(want, want)).toBeNull();
    const got = [header, '01 02 | 03 004 ff 095 | 02 801', '# end'];
    const report = firstMismatch(want, got)!;
    expect(report).toContain('case 1');
    expect(report).toContain('inputs:   01 02');
    expect(report).toContain('section 2 "mul"');
    expect(firstMismatch(want, [header])).toContain('output ended after 1 lines');
  });
});
