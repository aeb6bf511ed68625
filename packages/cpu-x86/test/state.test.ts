import { createDeviceContext, createMachineParts, PluginRegistry } from '@plugboard/core';
import { seededRandom, stateText } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import { plugins, type X86Cpu, x86Plugin } from '../src/index.js';
import { assemble } from './harness.js';

/** A program that leaves something in every kind of register: GPRs, segments, x87, MMX, an MSR, the flags. */
const PROGRAM = `
  mov ax, 0x1234
  mov ds, ax
  mov bx, 0x5678
  mov es, bx
  mov ecx, 0xdeadbeef
  mov edx, 0x00000174
  mov eax, 0x10
  xor edx, edx
  mov ecx, 0x174
  wrmsr
  fninit
  fld1
  fldpi
  faddp st1, st0
  fldl2e
  mov esi, 0x11223344
  mov edi, 0x55667788
  stc
  std
  hlt
`;

function build() {
  const registry = new PluginRegistry();
  registry.addPackage({ plugins }, '@plugboard/cpu-x86');
  const config = registry.validateConfig('x86', {}, '/cpu/config');
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  const ctx = createDeviceContext(
    parts,
    { requestReset: () => {}, requestShutdown: () => {} },
    { id: 'cpu' },
  );
  const cpu = x86Plugin.create(ctx, config as never) as X86Cpu;
  const rom = new Uint8Array(0x10000);
  rom.set(assemble(`bits 16\norg 0\n${PROGRAM}\n`));
  rom.set([0xea, 0, 0, 0, 0xf0], 0xfff0);
  parts.memory.mapBuffer(0xffff0000, rom, 0, 0x10000, false);
  parts.memory.mapBuffer(0xf0000, rom, 0, 0x10000, false);
  cpu.reset();
  return { cpu, parts };
}

describe('x86 state as data', () => {
  it('registers of every kind, saved and loaded into a fresh CPU, give the same state', () => {
    const a = build();
    a.cpu.run(1000);
    expect(a.cpu.halted).toBe(true);
    // SIMD registers and MXCSR with random contents.
    const next = seededRandom(0x686);
    for (let i = 0; i < a.cpu.core.simd.u32.length; i++) a.cpu.core.simd.u32[i] = next();
    a.cpu.core.simd.mxcsr = 0x1f80 ^ (next() & 0x3f);
    const b = build();
    expect(stateText(b.cpu)).not.toBe(stateText(a.cpu));
    b.cpu.vmstate!.load(a.cpu.vmstate!.save());
    expect(stateText(b.cpu)).toBe(stateText(a.cpu));
    expect(b.cpu.registers()).toEqual(a.cpu.registers());
  });

  it('reset after a program equals a freshly built CPU, but for what counts time since power-on', () => {
    const a = build();
    a.cpu.run(1000);
    a.cpu.reset();
    const fresh = build();
    // RESET# restarts the TSC at 0 (the offset from virtual time differs by the time run) and does
    // not undo the count of retired instructions; the APIC timer's load time is of a zero count;
    // the lazy flags' last operation is dead once the flags are fixed.
    const core = fresh.cpu.core as unknown as Record<string, unknown>;
    const ran = a.cpu.core as unknown as Record<string, unknown>;
    for (const key of ['instructionCount', 'tscOffset', 'lazyOp']) core[key] = ran[key];
    (fresh.cpu.apic as unknown as Record<string, unknown>).countLoadTime = (
      a.cpu.apic as unknown as Record<string, unknown>
    ).countLoadTime;
    expect(stateText(a.cpu)).toBe(stateText(fresh.cpu));
  });
});
