import { fileURLToPath } from 'node:url';
import {
  buildMachine,
  type Clock,
  type Cpu,
  createMachineParts,
  type Device,
  definePlugin,
  loadProfile,
  Machine,
  PciFunction,
  PluginRegistry,
  plugNetwork,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';

/** Follows the slice protocol one "instruction" at a time; `at(n)` is instruction n's device access. */
class SteppingCpu implements Cpu {
  halted = false;
  interruptible = true;
  instructionCount = 0;
  constructor(
    private readonly clock: Clock,
    private readonly at: (n: number) => void,
  ) {}
  run(budget: number): number {
    const clock = this.clock;
    clock.beginSlice(budget);
    let n = 0;
    while (n < clock.sliceLimit) {
      clock.retired = n;
      // Counted first: an exception leaves the instructions before it counted, as x86 does not.
      this.instructionCount++;
      this.at(this.instructionCount - 1);
      n++;
    }
    return n;
  }
  registers() {
    return {};
  }
  startProtectedMode(): void {}
  info(): string {
    return 'stepping';
  }
}

/** A device whose handler throws a host exception (a bug) on the accesses `fails` picks. */
class Brittle implements Device {
  resets = 0;
  writes = 0;
  reset(): void {
    this.resets++;
  }
}

function machine(at: (m: Machine, n: number) => void) {
  const parts = createMachineParts({ name: 't', memoryBytes: 1 << 20 });
  const m = new Machine(parts);
  m.cpu = new SteppingCpu(parts.clock, (n) => at(m, n));
  const logs: string[] = [];
  m.hooks.log.tap('test', (e) => logs.push(`${e.source}: ${e.message}`));
  const add = (id: string, device: Device) =>
    m.devices.push({
      id,
      plugin: {
        meta: { id: 'brittle', name: 'brittle' },
        kind: 'isa',
        configSchema: {},
        create: () => device,
      },
      config: {},
      device,
    });
  return { m, logs, add };
}

describe('the run loop exception boundary', () => {
  it('a port, MMIO or PCI config handler that throws resets its device, logs once, and the run goes on', async () => {
    const port = new Brittle();
    const mmio = new Brittle();
    const pci = new Brittle();
    const boom = (d: Brittle) => {
      d.writes++;
      throw new TypeError(`boom ${d.writes}`);
    };
    const { m, logs, add } = machine((m, n) => {
      if (n % 100_000 === 50) m.ports.out8(0x510, n);
      if (n % 100_000 === 70) m.memory.write32(0xfeb00000, n);
      if (n % 100_000 === 90) {
        m.ports.out32(0xcf8, 0x80001800);
        m.ports.in16(0xcfc);
      }
    });
    add('bad0', port);
    add('mmio0', mmio);
    add('pcidev', pci);
    m.ports.register('bad0 widget', 0x510, 4, { read8: () => 0, write8: () => boom(port) });
    m.memory.mapMmio('mmio0 BAR0', 0xfeb00000, 0x1000, {
      read8: () => 0,
      write8: () => {},
      write32: () => boom(mmio),
    });
    const fn = new PciFunction('pcidev', { vendorId: 0x1234, deviceId: 0x5678, classCode: 0xff0000 });
    fn.readConfig = () => {
      boom(pci);
      return 0;
    };
    m.pci.add({ bus: 0, device: 3, function: 0 }, fn);
    // The config mechanism a chipset would plug in.
    const { ConfigMechanism1 } = await import('@plugboard/core');
    const cm = new ConfigMechanism1(m.pci);
    m.ports.register('host bridge CONFIG_ADDRESS', 0xcf8, 4, cm.addressPorts);
    m.ports.register('host bridge CONFIG_DATA', 0xcfc, 4, cm.dataPorts);

    const event = await m.run({ maxInstructions: 1_000_000 });
    expect(event.reason).toBe('instruction limit reached');
    // Each of the ten slices reached its failing access: the run never stopped.
    expect([port.writes, mmio.writes, pci.writes]).toEqual([10, 10, 10]);
    expect([port.resets, mmio.resets, pci.resets]).toEqual([10, 10, 10]);
    expect(m.faults.count).toBe(30);
    expect(logs).toEqual([
      'bad0: internal error in bad0 widget: boom 1; device reset (reported once)',
      'mmio0: internal error in mmio0 BAR0: boom 1; device reset (reported once)',
      'pcidev: internal error in pcidev: boom 1; device reset (reported once)',
    ]);
    // Nothing stays marked in flight after the boundary.
    expect([m.ports.active, m.memory.activeRegion, m.pci.activeFunction]).toEqual([-1, null, null]);
  });

  it('a timer callback that throws resets its device and the other timers still fire', async () => {
    const ticker = new Brittle();
    const { m, logs, add } = machine(() => {});
    add('tick0', ticker);
    const fired: number[] = [];
    for (const t of [1000, 2000, 3000]) m.clock.createTimer('other', (now) => fired.push(now)).arm(t);
    m.clock
      .createTimer('tick0 period', () => {
        ticker.writes++;
        throw new RangeError('bad index');
      })
      .arm(1000);
    await m.run({ maxInstructions: 10_000 });
    expect(fired).toEqual([1000, 2000, 3000]);
    expect([ticker.writes, ticker.resets]).toEqual([1, 1]);
    expect(logs).toEqual(['tick0: internal error in tick0 period: bad index; device reset (reported once)']);
  });

  it('a failing timer named without its device id is blamed on the device that made it, in create or realize', async () => {
    const made: string[] = [];
    const ticker = definePlugin<Record<string, never>, Device & { resets: number }>({
      meta: { id: 'test-ticker', name: 'a chip whose timers carry the chip name, not the device id' },
      kind: 'isa',
      configSchema: { type: 'object', additionalProperties: false },
      create(ctx) {
        const fail = (name: string) => () => {
          made.push(name);
          throw new TypeError(`${name} broke`);
        };
        ctx.clock.createTimer('mc146818 update', fail('update')).arm(100);
        const device = {
          resets: 0,
          reset() {
            device.resets++;
          },
          realize() {
            ctx.clock.createTimer('uart receive', fail('receive')).arm(200);
          },
        };
        return device;
      },
    });
    const registry = new PluginRegistry();
    registry.add(ticker);
    const dir = fileURLToPath(new URL('./profiles/', import.meta.url));
    const m = await buildMachine(
      loadProfile(
        'base.json',
        [{ devices: { rtc0: { type: 'test-ticker' }, com9: { type: 'test-ticker' } } }],
        dir,
      ),
      registry,
    );
    const logs: string[] = [];
    m.hooks.log.tap('test', (e) => logs.push(`${e.source}: ${e.message}`));
    m.clock.advance(1000);
    // What the run loop does between slices.
    for (;;) {
      try {
        m.clock.runDue();
        break;
      } catch (error) {
        expect(m.faults.timerFailed(error)).toBe(true);
      }
    }
    expect(made).toEqual(['update', 'update', 'receive', 'receive']);
    expect(m.clock.owner).toBe(null);
    expect(m.device<Device & { resets: number }>('rtc0')?.resets).toBe(1 + 2);
    expect(logs).toEqual([
      'rtc0: internal error in rtc0 mc146818 update: update broke; device reset (reported once)',
      'com9: internal error in com9 mc146818 update: update broke; device reset (reported once)',
    ]);
  });

  it('an exception with no device access in flight is a bug of the emulator itself: the run ends with it', async () => {
    const { m } = machine((_, n) => {
      if (n === 10) throw new Error('cpu bug');
    });
    await expect(m.run({ maxInstructions: 1000 })).rejects.toThrow('cpu bug');
  });
});

describe('the network boundary', () => {
  it('a frame the backend refuses or the NIC cannot take is dropped and logged once each way', () => {
    const logs: string[] = [];
    let deliver: ((f: Uint8Array) => void) | null = null;
    const backend = {
      id: 'net0',
      connect(client: { receive(f: Uint8Array): void }) {
        deliver = (f) => client.receive(f);
        return {
          send(f: Uint8Array) {
            if (f[0] === 0xee) throw new RangeError('Port should be > 0');
          },
          receiveReady() {},
          disconnect() {},
        };
      },
      close() {},
    };
    let taken = 0;
    const nic = {
      receive(f: Uint8Array) {
        if (f.length < 2) throw new TypeError('short');
        taken++;
      },
      canReceive: () => true,
    };
    const port = plugNetwork(backend, nic, (m) => logs.push(m));
    expect(() => port.send(new Uint8Array([0xee]))).not.toThrow();
    expect(() => port.send(new Uint8Array([0xee]))).not.toThrow();
    expect(() => deliver!(new Uint8Array(1))).not.toThrow();
    deliver!(new Uint8Array(60));
    expect(taken).toBe(1);
    expect(logs).toEqual([
      'send to net0 failed, frame dropped (reported once): Port should be > 0',
      'receive from net0 failed, frame dropped (reported once): short',
    ]);
  });
});
