import {
  type Clock,
  type Cpu,
  createMachineParts,
  Machine,
  PciFunction,
  PhysicalMemory,
  PortBus,
  type PortIoEvent,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';

/** A CPU that executes `perStep` "instructions" per call, halting when told to. */
class FakeCpu implements Cpu {
  halted = false;
  interruptible = true;
  instructionCount = 0;
  resets = 0;
  run(budget: number): number {
    if (this.halted) return 0;
    this.instructionCount += budget;
    return budget;
  }
  reset(): void {
    this.resets++;
  }
  registers() {
    return { PC: this.instructionCount };
  }
  startProtectedMode(): void {}
  info(): string {
    return 'fake';
  }
}

/**
 * A CPU that follows the slice protocol one "instruction" at a time and runs
 * `at(n)` as instruction n (counted from power-on) executes: a device access.
 */
class SteppingCpu extends FakeCpu {
  constructor(
    private readonly clock: Clock,
    private readonly at: (n: number) => void,
  ) {
    super();
  }
  override run(budget: number): number {
    const clock = this.clock;
    clock.beginSlice(budget);
    let n = 0;
    while (n < clock.sliceLimit) {
      clock.retired = n;
      this.at(this.instructionCount + n);
      n++;
    }
    this.instructionCount += n;
    return n;
  }
}

function machineWith(cpu: FakeCpu) {
  const m = new Machine(createMachineParts({ name: 't', memoryBytes: 1 << 20 }));
  m.cpu = cpu;
  m.devices.push({
    id: 'cpu',
    plugin: { meta: { id: 'fake', name: 'fake' }, kind: 'cpu', configSchema: {}, create: () => cpu },
    config: {},
    device: cpu,
  });
  return m;
}

describe('Machine run loop', () => {
  it('advances virtual time by executed instructions and stops at the limit', async () => {
    const cpu = new FakeCpu();
    const m = machineWith(cpu);
    const fired: number[] = [];
    m.clock.createTimer('t', (now) => fired.push(now)).arm(250_000);
    const event = await m.run({ maxInstructions: 1_000_000 });
    expect(event).toEqual({ reason: 'instruction limit reached', exitCode: 0 });
    expect(cpu.instructionCount).toBe(1_000_000);
    expect(m.clock.now).toBe(1_000_000);
    // The slice ends exactly at the timer's deadline.
    expect(fired).toEqual([250_000]);
  });

  it('shows devices the exact time mid-slice, not the time the slice started', async () => {
    const parts = createMachineParts({ name: 't', memoryBytes: 1 << 20, clock: { nsPerInstruction: 2.5 } });
    const seen: number[] = [];
    const m = new Machine(parts);
    m.cpu = new SteppingCpu(parts.clock, (n) => {
      if (n === 1234 || n === 250_007) seen.push(parts.clock.now);
    });
    await m.run({ maxInstructions: 300_000 });
    expect(seen).toEqual([1234 * 2.5, 250_007 * 2.5]);
  });

  it('ends the slice when a timer armed mid-slice falls due, not at the slice end', async () => {
    const parts = createMachineParts({ name: 't', memoryBytes: 1 << 20 });
    const clock = parts.clock;
    const fired: number[] = [];
    const timer = clock.createTimer('armed by a device', (now) => fired.push(now));
    const m = new Machine(parts);
    // Instruction 100 programs a timer 50 ns ahead, as an OUT to the PIT would.
    m.cpu = new SteppingCpu(clock, (n) => {
      if (n === 100) timer.armIn(50);
    });
    await m.run({ maxInstructions: 1000 });
    expect(fired).toEqual([150]);
  });

  it('skips a halted CPU straight to the next timer in deterministic mode', async () => {
    const cpu = new FakeCpu();
    const m = machineWith(cpu);
    cpu.halted = true;
    m.clock
      .createTimer('wake', () => {
        cpu.halted = false;
      })
      .arm(5e9);
    const start = performance.now();
    await m.run({ maxInstructions: 10 });
    expect(m.clock.now).toBe(5e9 + 10);
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it('lets time follow the host while the CPU is halted with interrupts off (cli; hlt)', async () => {
    const cpu = new FakeCpu();
    const m = machineWith(cpu);
    cpu.halted = true;
    cpu.interruptible = false;
    let ticks = 0;
    const tick = m.clock.createTimer('periodic', () => {
      ticks++;
      tick.armIn(1e6);
    });
    tick.arm(1e6);
    m.clock
      .createTimer('nmi', () => {
        cpu.halted = false;
      })
      .arm(200e6);
    const start = performance.now();
    await m.run({ maxInstructions: 10 });
    // 200 ms of virtual time took at least that long on the host: the periodic timer was not raced through.
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect(ticks).toBeGreaterThanOrEqual(199);
    expect(m.clock.now).toBe(200e6 + 10);
  });

  it('ends with the exit code a device asks for, and resets devices on a reset request', async () => {
    const cpu = new FakeCpu();
    const m = machineWith(cpu);
    let shutdowns = 0;
    m.hooks.shutdown.tap('test', () => shutdowns++);
    m.clock.createTimer('reset', () => m.requestReset('test')).arm(100);
    m.clock.createTimer('off', () => m.requestShutdown('ACPI S5', 0)).arm(1000);
    const event = await m.run();
    expect(event).toEqual({ reason: 'ACPI S5', exitCode: 0 });
    expect(cpu.resets).toBe(1);
    expect(shutdowns).toBe(1);
  });

  it('turns a guest reset into the end of the run with -no-reboot', async () => {
    const cpu = new FakeCpu();
    const m = machineWith(cpu);
    m.noReboot = true;
    m.clock.createTimer('reset', () => m.requestReset('triple fault')).arm(10);
    expect(await m.run()).toEqual({ reason: 'triple fault (-no-reboot)', exitCode: 0 });
    expect(cpu.resets).toBe(0);
  });
});

describe('trace hooks', () => {
  it('leave the buses on their plain methods until something taps them', () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    expect(parts.ports.in8).toBe(PortBus.prototype.in8);
    expect(parts.memory.read32).toBe(PhysicalMemory.prototype.read32);
    const events: PortIoEvent[] = [];
    parts.hooks.portIo.tap('test', (e) => events.push(e));
    expect(parts.hooks.portIo.active).toBe(true);
    expect(parts.ports.in8).not.toBe(PortBus.prototype.in8);
    parts.ports.register('dev', 0x60, 1, { read8: () => 0x1c, write8: () => {} });
    parts.ports.out16(0x60, 0xabcd);
    parts.ports.in8(0x60);
    expect(events).toEqual([
      { write: true, port: 0x60, size: 2, value: 0xabcd },
      { write: false, port: 0x60, size: 1, value: 0x1c },
    ]);
  });

  it('report MMIO accesses but not RAM, PCI config cycles, IRQ edges and DMA', () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const seen: string[] = [];
    parts.hooks.mmio.tap('t', (e) =>
      seen.push(`mmio ${e.region} ${e.write ? 'W' : 'R'} ${e.address.toString(16)}`),
    );
    parts.hooks.pciConfig.tap('t', (e) => seen.push(`cfg ${e.devfn} ${e.offset} ${e.write ? 'W' : 'R'}`));
    parts.hooks.irq.tap('t', (e) => seen.push(`irq ${e.line} ${e.level}`));
    parts.hooks.dma.tap('t', (e) => seen.push(`dma ${e.write ? 'W' : 'R'} ${e.address} ${e.length}`));
    parts.memory.mapMmio('apic', 0xfee00000, 0x1000, { read8: () => 0, write8: () => {} });
    parts.memory.write32(0x1000, 1);
    parts.memory.read8(0xfee00020);
    parts.pci.add(
      { bus: 0, device: 1, function: 0 },
      new PciFunction('f', { vendorId: 1, deviceId: 2, classCode: 0, revision: 0 }),
    );
    parts.pci.readConfig(0, 8, 0, 4);
    parts.isaIrqs.line(4).pulse();
    parts.dma.write(0x2000, new Uint8Array(16));
    expect(seen).toEqual(['mmio apic R fee00020', 'cfg 8 0 R', 'irq 4 true', 'irq 4 false', 'dma W 8192 16']);
  });
});
