import { createDeviceContext, createMachineParts, type Device, Tokens } from '@plugboard/core';
import { seededRandom, stateText } from '@plugboard/core/testing';
import {
  floppyPlugin,
  i8042Plugin,
  mc146818Plugin,
  port80Plugin,
  uart16550aPlugin,
} from '@plugboard/dev-isa';
import { describe, expect, it } from 'vitest';
import { ChannelTwo } from './fdc-harness.js';

/** The ISA devices of the pc machine on fresh parts, realized and reset as the builder does it. */
async function isa() {
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  const system = { requestReset: () => {}, requestShutdown: () => {} };
  const ctx = (id: string) => createDeviceContext(parts, system, { id });
  // The floppy controller's DMA channel is the chipset's: a stand-in here.
  parts.container.bind(Tokens.IsaDma).toConstantValue(new ChannelTwo(parts));
  const devices: Device[] = [
    // A fixed start time: the RTC's power-on clock is the host's otherwise.
    mc146818Plugin.create(ctx('rtc'), {
      iobase: 0x70,
      irq: 8,
      base: '2020-01-01T00:00:00',
      cpus: 1,
      boot: 'cdn',
      fdBootCheck: true,
    } as never),
    i8042Plugin.create(ctx('kbc'), { intelliMouse: true } as never),
    await uart16550aPlugin.create(ctx('com1'), { iobase: 0x3f8, irq: 4, backend: { type: 'null' } } as never),
    floppyPlugin.create(ctx('fdc'), { irq: 6 }),
    port80Plugin.create(ctx('post'), { iobase: 0x80, log: false }),
  ].map((d) => d as Device);
  for (const d of devices) d.realize?.();
  for (const d of devices) d.reset?.();
  return { parts, devices };
}

/** The RTC's index and data ports, the i8042, COM1, the floppy controller and the POST port. */
const PORTS = [
  0x70,
  0x71,
  0x60,
  0x64,
  ...Array.from({ length: 8 }, (_, i) => 0x3f8 + i),
  0x3f2,
  0x3f4,
  0x3f5,
  0x80,
];

function scribble(m: Awaited<ReturnType<typeof isa>>, seed: number, writes = 3000): void {
  const next = seededRandom(seed);
  for (let i = 0; i < writes; i++) {
    const port = PORTS[next() % PORTS.length];
    // 0xFE to the i8042's command port pulses reset, 0xD1 drives the A20 gate: both left to the board.
    const value = next() & 0xff;
    if (port === 0x64 && (value & 0xf0) === 0xf0) continue;
    m.parts.ports.out8(port, value);
    if (i % 50 === 0) {
      m.parts.clock.advance(next() % 2_000_000);
      m.parts.clock.runDue();
    }
  }
}

const whole = (m: Awaited<ReturnType<typeof isa>>) => m.devices.map((d) => stateText(d)).join('\n');

describe('ISA devices as data', () => {
  it('random writes, saved and loaded into fresh devices, give the same state and timers', async () => {
    const a = await isa();
    scribble(a, 0x3f8);
    const b = await isa();
    expect(whole(b)).not.toBe(whole(a));
    b.parts.clock.loadState(a.parts.clock.saveState());
    a.devices.forEach((d, i) => {
      b.devices[i].vmstate!.load(d.vmstate!.save());
    });
    expect(whole(b)).toBe(whole(a));
    expect(b.parts.clock.saveState()).toEqual(a.parts.clock.saveState());
  });
});
