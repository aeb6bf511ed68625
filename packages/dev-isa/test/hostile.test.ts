import { createDeviceContext, createMachineParts, type MachineParts } from '@plugboard/core';
import { floppyPlugin, type I8042Device, i8042Plugin, uart16550aPlugin } from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

/** Guest behaviour from QEMU's CVE history for these devices: endless writes, no reads, odd orders. */
let parts: MachineParts;
const system = { requestReset: () => {}, requestShutdown: () => {} };
const ctx = (id: string) => createDeviceContext(parts, system, { id });

beforeEach(() => {
  parts = createMachineParts({ memoryBytes: 1024 * 1024 });
});

describe('hostile guests', () => {
  it('floppy: an endless command stream never overflows the command or result buffers (VENOM)', () => {
    (floppyPlugin.create(ctx('fdc'), { irq: 6 }) as { reset(): void }).reset();
    parts.ports.out8(0x3f2, 0x0c);
    for (let i = 0; i < 100_000; i++) parts.ports.out8(0x3f5, (i * 37) & 0xff);
    for (let i = 0; i < 100; i++) parts.ports.in8(0x3f5);
    expect(parts.ports.in8(0x3f4) & 0x80).toBe(0x80);
  });

  it('i8042: a guest that never reads keeps the keyboard and mouse queues and replies bounded', () => {
    const kbc = i8042Plugin.create(ctx('kbc'), { intelliMouse: true }) as I8042Device;
    kbc.reset();
    for (let i = 0; i < 10_000; i++) {
      parts.ports.out8(0x60, 0xf2);
      parts.ports.out8(0x64, 0x20);
      parts.ports.out8(0x64, 0xd4);
      parts.ports.out8(0x60, 0xe9);
      kbc.mouse(1000, -1000, 5, 1);
      kbc.key('KeyA', i % 2 === 0);
    }
    const c = kbc.controller;
    expect(c.keyboard.queue.length).toBeLessThanOrEqual(c.keyboard.queue.capacity);
    expect(c.mouse.queue.length).toBeLessThanOrEqual(c.mouse.queue.capacity);
    let reads = 0;
    while (parts.ports.in8(0x64) & 1 && reads < 10_000) {
      parts.ports.in8(0x60);
      reads++;
    }
    expect(reads).toBeLessThan(400);
  });

  it('uart: loopback writes into a full receiver only set OE; no FIFO overrun of the buffer', async () => {
    const dev = await uart16550aPlugin.create(ctx('com1'), {
      iobase: 0x3f8,
      irq: 4,
      backend: { type: 'null' },
    });
    dev.reset();
    parts.ports.out8(0x3fa, 0x07);
    parts.ports.out8(0x3fc, 0x10);
    for (let i = 0; i < 100_000; i++) parts.ports.out8(0x3f8, i & 0xff);
    expect(parts.ports.in8(0x3fd) & 0x03).toBe(0x03);
    const got: number[] = [];
    while (parts.ports.in8(0x3fd) & 1 && got.length < 100) got.push(parts.ports.in8(0x3f8));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('uart: a zero divisor does not stall the receive pacing', async () => {
    const dev = await uart16550aPlugin.create(ctx('com1'), {
      iobase: 0x3f8,
      irq: 4,
      backend: { type: 'memory' },
    });
    dev.reset();
    (dev.backend as unknown as { inject(s: string): void }).inject('x');
    parts.clock.advanceTo(1e6);
    parts.clock.runDue();
    expect(parts.ports.in8(0x3f8)).toBe(0x78);
  });
});
