import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, type LogEvent, type MachineParts } from '@plugboard/core';
import {
  type DebugconDevice,
  debugconPlugin,
  floppyPlugin,
  type Port80Device,
  port80Plugin,
} from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

const system = { requestReset: () => {}, requestShutdown: () => {} };
let parts: MachineParts;
let logs: LogEvent[];

beforeEach(() => {
  parts = createMachineParts({ memoryBytes: 1024 * 1024 });
  logs = [];
  parts.hooks.log.tap('test', (e) => {
    logs.push(e);
  });
});

const ctx = (id: string) => createDeviceContext(parts, system, { id, baseDir: tmpdir() });

describe('port80', () => {
  it('keeps the last POST code and logs only when asked', () => {
    const quiet = port80Plugin.create(ctx('post'), { iobase: 0x80, log: false }) as Port80Device;
    parts.ports.out8(0x80, 0x12);
    expect(quiet.lastCode).toBe(0x12);
    expect(parts.ports.in8(0x80)).toBe(0xff);
    expect(logs).toEqual([]);
    const loud = port80Plugin.create(ctx('post2'), { iobase: 0x84, log: true }) as Port80Device;
    parts.ports.out8(0x84, 0xab);
    expect(loud.lastCode).toBe(0xab);
    expect(logs.map((l) => l.message)).toEqual(['POST 0xab']);
  });
});

describe('debugcon', () => {
  it('reads back 0xE9 and collects output in memory', async () => {
    const dev = (await debugconPlugin.create(ctx('dbg'), {
      iobase: 0x402,
      output: 'memory',
      readback: 0xe9,
    })) as DebugconDevice;
    expect(parts.ports.in8(0x402)).toBe(0xe9);
    for (const ch of 'SeaBIOS (version 1.16.2)\n') parts.ports.out8(0x402, ch.charCodeAt(0));
    expect(dev.text()).toBe('SeaBIOS (version 1.16.2)\n');
  });

  it('sends whole lines to the device log', async () => {
    await debugconPlugin.create(ctx('dbg'), { iobase: 0xe9, output: 'log', readback: 0xe9 });
    for (const ch of 'one\r\ntwo\n') parts.ports.out8(0xe9, ch.charCodeAt(0));
    expect(logs.map((l) => [l.source, l.message])).toEqual([
      ['dbg', 'one'],
      ['dbg', 'two'],
    ]);
  });

  it('writes to a file, flushed on destroy', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'plugboard-dbg-')), 'out.log');
    const dev = (await debugconPlugin.create(ctx('dbg'), {
      iobase: 0xe9,
      output: file,
      readback: 0xe9,
    })) as DebugconDevice;
    for (const ch of 'hello') parts.ports.out8(0xe9, ch.charCodeAt(0));
    await dev.destroy();
    expect(readFileSync(file, 'utf8')).toBe('hello');
  });

  it('takes a serial backend object as QEMU -debugcon chardevs translate', async () => {
    const dev = (await debugconPlugin.create(ctx('dbg'), {
      iobase: 0x402,
      output: { type: 'memory' },
      readback: 0xe9,
    })) as DebugconDevice;
    for (const ch of 'ok') parts.ports.out8(0x402, ch.charCodeAt(0));
    expect(dev.text()).toBe('ok');
  });
});

describe('floppy controller without drives', () => {
  beforeEach(() => {
    const dev = floppyPlugin.create(ctx('fdc'), { irq: 6 }) as { reset(): void };
    dev.reset();
  });
  const msr = () => parts.ports.in8(0x3f4);
  const fifo = (...bytes: number[]) => {
    for (const b of bytes) parts.ports.out8(0x3f5, b);
  };
  const results = () => {
    const out: number[] = [];
    for (let i = 0; i < 16 && msr() & 0x40; i++) out.push(parts.ports.in8(0x3f5));
    return out;
  };

  it('interrupts after a reset and owes one sense answer per drive', () => {
    parts.ports.out8(0x3f2, 0x00);
    parts.ports.out8(0x3f2, 0x0c);
    expect(parts.isaIrqs.level(6)).toBe(true);
    const senses = [0, 1, 2, 3].map(() => {
      fifo(0x08);
      return results();
    });
    expect(senses).toEqual([
      [0xc0, 0],
      [0xc1, 0],
      [0xc2, 0],
      [0xc3, 0],
    ]);
    fifo(0x08);
    expect(results()).toEqual([0x80]);
  });

  it('identifies as an 82077 and fails a recalibrate of the missing drive', () => {
    parts.ports.out8(0x3f2, 0x0c);
    fifo(0x10);
    expect(results()).toEqual([0x90]);
    fifo(0x07, 0x00);
    expect(msr() & 0x40).toBe(0);
    fifo(0x08);
    expect(results()).toEqual([0x70, 0]);
  });

  it('answers a read with not-ready and rejects unknown opcodes', () => {
    parts.ports.out8(0x3f2, 0x0c);
    fifo(0xe6, 0, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(results()).toEqual([0x48, 0, 0, 0, 0, 1, 2]);
    fifo(0x1f);
    expect(results()).toEqual([0x80]);
    expect(msr()).toBe(0x80);
  });
});
