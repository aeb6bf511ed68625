import { createDeviceContext, createMachineParts, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { plugins, type X86Cpu, x86Plugin } from '../src/index.js';
import { assemble } from './harness.js';

function build(config: Record<string, unknown>) {
  const registry = new PluginRegistry();
  registry.addPackage({ plugins }, '@plugboard/cpu-x86');
  const full = registry.validateConfig('x86', config, '/cpu/config');
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  const resets: string[] = [];
  const ctx = createDeviceContext(
    parts,
    { requestReset: (r) => resets.push(r), requestShutdown: () => {} },
    { id: 'cpu' },
  );
  const cpu = x86Plugin.create(ctx, full as never) as X86Cpu;
  return { cpu, parts, resets, config: full };
}

/** Maps a real-mode program at the reset vector (F000:0000 via a far jump). */
function load(parts: ReturnType<typeof createMachineParts>, source: string): void {
  const rom = new Uint8Array(0x10000);
  rom.set(assemble(`bits 16\norg 0\n${source}\n`));
  rom.set([0xea, 0, 0, 0, 0xf0], 0xfff0);
  parts.memory.mapBuffer(0xffff0000, rom, 0, 0x10000, false);
  parts.memory.mapBuffer(0xf0000, rom, 0, 0x10000, false);
}

describe('x86 plugin', () => {
  it('fills in the schema defaults', () => {
    const { config, cpu } = build({});
    expect(config).toEqual({
      model: 'qemu32',
      count: 1,
      apicVersion: 0x14,
      apic: true,
      jit: true,
      jitBackground: true,
    });
    expect(cpu.apic).not.toBeNull();
    expect(x86Plugin.kind).toBe('cpu');
    expect(x86Plugin.meta.id).toBe('x86');
  });

  it('rejects unknown models and properties', () => {
    const registry = new PluginRegistry();
    registry.addPackage({ plugins }, '@plugboard/cpu-x86');
    expect(() => registry.validateConfig('x86', { model: 'k6' }, '/cpu/config')).toThrow();
    expect(() => registry.validateConfig('x86', { cores: 2 }, '/cpu/config')).toThrow();
  });

  it('runs, halts, counts and resets; reports the model signature in EDX at reset', () => {
    const { cpu, parts } = build({ model: 'pentium3' });
    load(parts, 'mov ecx, 0x1b\nrdmsr\nmov esi, eax\nmov eax, 1\ncpuid\nmov edi, eax\nhlt');
    expect(cpu.core.regs[2]).toBe(0x673);
    const ran = cpu.run(100);
    expect(ran).toBe(8);
    expect(cpu.halted).toBe(true);
    expect(cpu.run(100)).toBe(0);
    expect(cpu.instructionCount).toBe(8);
    expect(cpu.core.regs[6] >>> 0).toBe(0xfee00900);
    expect(cpu.core.regs[7]).toBe(0x673);
    const regs = cpu.registers();
    expect(regs.ESI).toBe(0xfee00900);
    expect(regs.EDI).toBe(0x673);
    expect(regs.HLT).toBe(1);
    expect(regs.CS).toBe(0xf000);
    expect(regs['CS.base']).toBe(0xf0000);
    expect(cpu.info()).toMatch(
      /^EAX=00000673 .*\nESI=fee00900 EDI=00000673 .*\nEIP=[0-9a-f]{8} EFL=[0-9a-f]{8} \[[-DOSZAPC]{7}\] CPL=0 HLT=1\n/,
    );
    expect(cpu.info()).toContain('\nCS =f000 000f0000 0000ffff ');
    cpu.reset();
    expect(cpu.halted).toBe(false);
    expect(cpu.core.eip).toBe(0xfff0);
  });

  it('without a local APIC, IA32_APIC_BASE raises #GP and INTR comes straight from the pins', () => {
    const { cpu, parts } = build({ apic: false });
    expect(cpu.apic).toBeNull();
    load(
      parts,
      `xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x7000
      mov word [13 * 4], gp
      mov word [13 * 4 + 2], cs
      mov word [0x30 * 4], irq
      mov word [0x30 * 4 + 2], cs
      mov ecx, 0x1b
      rdmsr
      sti
    idle: hlt
      jmp idle
    gp:
      mov bx, 0x600d
      add word [esp], 2
      iret
    irq:
      mov dx, 0x1111
      cli
      hlt`,
    );
    parts.cpuPins.intController = { acknowledge: () => 0x30 };
    cpu.run(1000);
    expect(cpu.core.regs[3] & 0xffff).toBe(0x600d);
    expect(cpu.halted).toBe(true);
    parts.cpuPins.setIntr(true);
    cpu.run(1000);
    expect(cpu.core.regs[2] & 0xffff).toBe(0x1111);
  });

  it('resets the machine on a triple fault', () => {
    const { cpu, parts, resets } = build({});
    // An IDT limit of zero makes every exception a #GP, then #DF, then a shutdown.
    load(parts, 'lidt [cs:idt]\nud2\nidt: dw 0\ndd 0');
    cpu.run(100);
    expect(resets).toEqual(['triple fault']);
  });
  it('starts in flat protected mode where firmware hands over to a kernel', () => {
    const { cpu, parts } = build({});
    const gdt = new Uint8Array(32);
    new DataView(gdt.buffer).setBigUint64(0x10, 0x00cf9b000000ffffn, true);
    new DataView(gdt.buffer).setBigUint64(0x18, 0x00cf93000000ffffn, true);
    parts.memory.ram.set(gdt, 0x500);
    // Reads through DS at a 32-bit address above 1 MiB, and pushes onto the given stack.
    parts.memory.ram.set(
      assemble('bits 32\norg 0x200000\nmov eax, [0x300000]\npush eax\nmov bx, cs\nmov cx, ds\nhlt'),
      0x200000,
    );
    parts.memory.ram.set([0x78, 0x56, 0x34, 0x12], 0x300000);
    cpu.startProtectedMode({
      eip: 0x200000,
      gdtBase: 0x500,
      gdtLimit: 31,
      codeSelector: 0x10,
      dataSelector: 0x18,
      registers: { esi: 0x10000, esp: 0x9000 },
    });
    expect(cpu.run(100)).toBe(5);
    const r = cpu.core.regs;
    expect(r[0]).toBe(0x12345678);
    expect(r[6]).toBe(0x10000);
    expect(r[4]).toBe(0x9000 - 4);
    expect([r[3] & 0xffff, r[1] & 0xffff]).toEqual([0x10, 0x18]);
    expect(cpu.core.cr0 & 0x80000001).toBe(1); // PE on, PG off
    expect(cpu.core.getFlags() & 0x200).toBe(0); // IF clear
  });
});
