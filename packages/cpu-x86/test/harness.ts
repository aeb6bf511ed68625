import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachineParts, type MachineParts } from '@plugboard/core';
import { type ModelServices, X86 } from '../src/core/x86.js';
import { Feature } from '../src/cpuid.js';
import { X87 } from '../src/fpu/x87.js';

/**
 * The tests run the translator with entries translated at their second
 * execution, so short programs run in units; PLUGBOARD_JIT=0 runs them on
 * the interpreter alone (vitest.config.ts runs the package both ways).
 */
export const JIT = process.env.PLUGBOARD_JIT !== '0';

const dir = mkdtempSync(join(tmpdir(), 'cpu-x86-test-'));
let serial = 0;

/** Assembles `source` with `nasm -f bin`. */
export function assemble(source: string): Uint8Array {
  const n = serial++;
  const src = join(dir, `t${n}.asm`);
  const out = join(dir, `t${n}.bin`);
  writeFileSync(src, source);
  execFileSync('nasm', ['-f', 'bin', '-o', out, src]);
  return new Uint8Array(readFileSync(out));
}

/**
 * A model without CPUID leaves beyond 0 or MSRs beyond SYSENTER, for core
 * tests: the i686 integer and x87 features (CMOV, CMPXCHG8B, RDTSC, the
 * MSR and SYSENTER instructions, FXSAVE), no MMX or SSE.
 */
const sysenter = { cs: 0, esp: 0, eip: 0 };
export const testModel: ModelServices = {
  resetEdx: 0x633,
  features: Feature.FPU | Feature.TSC | Feature.MSR | Feature.CX8 | Feature.SEP | Feature.CMOV | Feature.FXSR,
  featuresEcx: 0,
  get sysenterCs() {
    return sysenter.cs;
  },
  get sysenterEsp() {
    return sysenter.esp;
  },
  get sysenterEip() {
    return sysenter.eip;
  },
  reset() {
    sysenter.cs = 0;
    sysenter.esp = 0;
    sysenter.eip = 0;
  },
  cpuid(c) {
    c.regs[0] = 1;
    c.regs[3] = 0x756e6547;
    c.regs[2] = 0x49656e69;
    c.regs[1] = 0x6c65746e;
  },
  readMsr(c, index) {
    if (index === 0x174) c.regs[0] = sysenter.cs;
    else if (index === 0x175) c.regs[0] = sysenter.esp;
    else if (index === 0x176) c.regs[0] = sysenter.eip;
    else if (index === 0x10) {
      const t = c.tsc();
      c.regs[0] = t % 2 ** 32;
      c.regs[2] = Math.floor(t / 2 ** 32);
      return true;
    } else return false;
    c.regs[2] = 0;
    return true;
  },
  writeMsr(c, index, low, high) {
    if (index === 0x174) sysenter.cs = low & 0xffff;
    else if (index === 0x175) sysenter.esp = low;
    else if (index === 0x176) sysenter.eip = low;
    else if (index === 0x10) c.setTsc(high * 2 ** 32 + low);
    else return false;
    return true;
  },
};

export interface Bare {
  cpu: X86;
  parts: MachineParts;
  resets: string[];
  /** Runs until HLT (or the budget); returns instructions executed. */
  run(budget?: number): number;
  /** Reads a dword of RAM. */
  mem32(addr: number): number;
}

/**
 * A machine with 4 MiB of RAM and `code` as a 64 KiB ROM mapped at
 * 0xFFFF0000 and at 0xF0000. The reset vector jumps to F000:0000, where the
 * code (assembled with `org 0`) begins.
 */
export function bare(
  code: Uint8Array,
  ramBytes = 4 << 20,
  model: ModelServices = testModel,
  jit: { jit?: boolean; jitHot?: number; codeInRam?: boolean; jitBackground?: boolean } = {},
): Bare {
  const parts = createMachineParts({ memoryBytes: ramBytes });
  const rom = new Uint8Array(0x10000);
  rom.set(code.subarray(0, 0xfff0));
  rom.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  parts.memory.mapBuffer(0xffff0000, rom, 0, 0x10000, false);
  // In RAM the program runs in WebAssembly units (they are dispatched from RAM pages only).
  if (jit.codeInRam) parts.memory.ram.set(rom, 0xf0000);
  else parts.memory.mapBuffer(0xf0000, rom, 0, 0x10000, false);
  const resets: string[] = [];
  const cpu = new X86({
    memory: parts.memory,
    ports: parts.ports,
    pins: parts.cpuPins,
    clock: parts.clock,
    apic: null,
    model,
    ferr: parts.isaIrqs.line(13),
    onTripleFault: () => resets.push('triple fault'),
    fpu: (host) => new X87(host),
    jit: jit.jit ?? JIT,
    jitHot: jit.jitHot ?? 2,
    jitBackground: jit.jitBackground,
  });
  return {
    cpu,
    parts,
    resets,
    run(budget = 1_000_000) {
      let total = 0;
      while (total < budget && !cpu.halted) {
        const n = cpu.run(Math.min(10000, budget - total));
        total += n;
        if (n === 0) break;
      }
      return total;
    },
    mem32: (addr) => parts.memory.read32(addr),
  };
}

const ASM_DIR = new URL('./asm/', import.meta.url).pathname;

/**
 * Assembles a protected-mode test (`asm/pm.inc` frame: `test_main` runs in
 * flat ring 0) and runs it to HLT.
 */
export function runPm(body: string, budget?: number): Bare {
  const m = bare(assemble(`%include "${ASM_DIR}pm.inc"\ntest_main:\n${body}\n    hlt\n`));
  m.run(budget);
  return m;
}

/** Result slot `n` of a PROBE: the vector raised (-1 for none), its error code, CR2 and EIP. */
export function probe(m: Bare, n: number): { vector: number; error: number; cr2: number; eip: number } {
  const at = 0x800 + n * 16;
  return {
    vector: m.mem32(at) | 0,
    error: m.mem32(at + 4) | 0,
    cr2: m.mem32(at + 8),
    eip: m.mem32(at + 12),
  };
}

/** Assembles a real-mode program (`bits 16`, `org 0`) and runs it to HLT. */
export function runReal(source: string, budget?: number, model?: ModelServices): Bare {
  const m = bare(assemble(`bits 16\norg 0\n${source}\n`), undefined, model);
  m.run(budget);
  return m;
}
