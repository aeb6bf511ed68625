import { createDeviceContext, createMachineParts, Machine, PluginRegistry } from '@plugboard/core';
import { plugins, type X86Cpu, x86Plugin } from '@plugboard/cpu-x86';
import { describe, expect, it } from 'vitest';

/**
 * The run loop's exception boundary with the real CPU: a guest loops on a
 * port write whose handler throws (a device bug). Every throw is caught at
 * the slice, the device is reset, and the guest keeps running.
 */
describe('a device handler that throws under the x86 CPU', () => {
  it('is reset and logged once; the guest goes on executing after each failed OUT', async () => {
    const registry = new PluginRegistry();
    registry.addPackage({ plugins }, '@plugboard/cpu-x86');
    const parts = createMachineParts({ name: 'faults', memoryBytes: 1 << 20 });
    const machine = new Machine(parts);
    const ctx = createDeviceContext(parts, machine, { id: 'cpu' });
    const cpu = x86Plugin.create(ctx, registry.validateConfig('x86', {}, '/cpu/config') as never) as X86Cpu;
    machine.cpu = cpu;
    // mov dx, 0x510; mov al, 1; l: out dx, al; inc cx; jmp l
    const rom = new Uint8Array(0x10000);
    rom.set([0xba, 0x10, 0x05, 0xb0, 0x01, 0xee, 0x41, 0xeb, 0xfc]);
    rom.set([0xea, 0, 0, 0, 0xf0], 0xfff0);
    parts.memory.mapBuffer(0xffff0000, rom, 0, 0x10000, false);
    parts.memory.mapBuffer(0xf0000, rom, 0, 0x10000, false);
    let writes = 0;
    let resets = 0;
    const widget = { reset: () => resets++ };
    machine.devices.push({ id: 'widget0', plugin: x86Plugin as never, config: {}, device: widget });
    parts.ports.register('widget0 control', 0x510, 1, {
      read8: () => 0,
      write8: () => {
        writes++;
        if (writes === 1000) machine.requestShutdown('enough', 0);
        throw new TypeError('widget bug');
      },
    });
    const logs: string[] = [];
    parts.hooks.log.tap('test', (e) => logs.push(`${e.source}: ${e.message}`));
    cpu.reset();
    const event = await machine.run();
    expect(event.reason).toBe('enough');
    expect([writes, resets]).toEqual([1000, 1000]);
    // INC CX after each OUT ran: the failed access completed as a dropped write, as on a bus.
    expect(cpu.registers().ECX! & 0xffff).toBe(999);
    // The CPU counts what the clock accounted (1 ns an instruction): the slices that threw lose nothing.
    expect(cpu.instructionCount).toBe(parts.clock.now);
    expect(cpu.instructionCount).toBe(3 + 2 * 999);
    expect(logs).toEqual([
      'widget0: internal error in widget0 control: widget bug; device reset (reported once)',
    ]);
  });
});
