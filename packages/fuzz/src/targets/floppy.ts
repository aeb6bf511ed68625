import {
  type BlockBackend,
  BlockError,
  createDeviceContext,
  createMachineParts,
  type Device,
  type MachineParts,
  Tokens,
} from '@plugboard/core';
import { floppyPlugin, mc146818Plugin } from '@plugboard/dev-isa';
import { installIsaDma } from '@plugboard/dev-piix';
import { MAX_OPS, Program, ProgramWriter } from '../ops.js';
import type { FuzzTarget } from '../target.js';

/** A 1.44 MB diskette that keeps nothing: the target needs the controller's bounds checks, not data. */
class NullFloppy implements BlockBackend {
  readonly sectorSize = 512;
  readonly sectorCount = 2880;
  readonly readOnly = false;
  read(sector: number, dest: Uint8Array): void {
    if (sector < 0 || sector + dest.length / 512 > this.sectorCount)
      throw new BlockError(`sector ${sector} out of range`, 'range');
    dest.fill(sector & 0xff);
  }
  write(sector: number, src: Uint8Array): void {
    if (sector < 0 || sector + src.length / 512 > this.sectorCount)
      throw new BlockError(`sector ${sector} out of range`, 'range');
  }
  flush(): void {}
  close(): void {}
}

/** The FDC's ports and DMA1's channel 2 registers, mask, mode, flip-flop and page. */
const PORTS = [
  0x3f0, 0x3f1, 0x3f2, 0x3f3, 0x3f4, 0x3f5, 0x3f7, 0x04, 0x05, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x81,
];

/** Opcodes: byte write, byte read, time passing (the DMA's service rounds). */
enum Op {
  Out = 0,
  In = 1,
  Tick = 2,
}

let bench: { parts: MachineParts; devices: Device[] } | null = null;

function build() {
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  parts.container.bind(Tokens.BlockBackend).toConstantValue(new NullFloppy()).whenNamed('fda');
  const ctx = (id: string) => createDeviceContext(parts, { requestReset() {}, requestShutdown() {} }, { id });
  const dma = installIsaDma(ctx('dma'));
  const rtc = mc146818Plugin.create(ctx('rtc'), {
    iobase: 0x70,
    irq: 8,
    base: '2026-01-01T00:00:00Z',
    cpus: 1,
    boot: 'a',
    fdBootCheck: true,
  }) as Device;
  const fdc = floppyPlugin.create(ctx('fdc'), {
    iobase: 0x3f0,
    irq: 6,
    driveA: { drive: 'fda' },
    driveB: {},
  }) as Device;
  (fdc.realize as () => void)();
  return { parts, devices: [dma as unknown as Device, rtc, fdc] };
}

const out = (p: ProgramWriter, port: number, value: number) => p.u8(Op.Out, PORTS.indexOf(port)).u8(value);

/** DMA channel 2 at 64 KiB, `count + 1` bytes, `mode` (0x46 device to memory, 0x4a memory to device). */
function dmaSetup(p: ProgramWriter, mode: number, count: number): void {
  out(p, 0x0a, 0x06);
  out(p, 0x0c, 0);
  out(p, 0x0b, mode);
  out(p, 0x04, 0x00);
  out(p, 0x04, 0x00);
  out(p, 0x81, 0x01);
  out(p, 0x05, count & 0xff);
  out(p, 0x05, count >> 8);
  out(p, 0x0a, 0x02);
}

export const target: FuzzTarget = {
  name: 'floppy',
  seeds() {
    const start = (p: ProgramWriter) => {
      out(p, 0x3f2, 0x00);
      out(p, 0x3f2, 0x1c);
      out(p, 0x3f7, 0x00);
      for (let i = 0; i < 4; i++) out(p, 0x3f5, 0x08).u8(Op.In, PORTS.indexOf(0x3f5));
      return p;
    };
    const fifo = (p: ProgramWriter, ...bytes: number[]) => {
      for (const b of bytes) out(p, 0x3f5, b);
      return p;
    };
    /** DMA service rounds: one per tick, a round moving a sector. */
    const ticks = (p: ProgramWriter, n: number) => {
      for (let i = 0; i < n; i++) p.u8(Op.Tick, 0).u16(10);
      for (let i = 0; i < 7; i++) p.u8(Op.In, PORTS.indexOf(0x3f5));
      return p;
    };
    // A two-sided track read, a write, and a format, each through DMA channel 2.
    const read = start(new ProgramWriter());
    dmaSetup(read, 0x46, 36 * 512 - 1);
    ticks(fifo(read, 0xe6, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff), 40);
    const write = start(new ProgramWriter());
    dmaSetup(write, 0x4a, 511);
    ticks(fifo(write, 0xc5, 0x04, 5, 1, 3, 2, 18, 0x1b, 0xff), 2);
    const format = start(new ProgramWriter());
    dmaSetup(format, 0x4a, 18 * 4 - 1);
    fifo(format, 0x0f, 0x00, 2, 0x08);
    const fifoIn = PORTS.indexOf(0x3f5);
    ticks(fifo(format.u8(Op.In, fifoIn, Op.In, fifoIn), 0x4d, 0x00, 2, 18, 0x54, 0xf6), 20);
    return [read.build(), write.build(), format.build()];
  },
  run(input) {
    bench ??= build();
    const { parts, devices } = bench;
    for (const d of devices) d.reset?.();
    parts.memory.ram.fill(0, 0x10000, 0x20000);
    const p = new Program(input);
    for (let n = 0; n < MAX_OPS && !p.done; n++) {
      const op = p.u8() % 3;
      const port = PORTS[p.u8() % PORTS.length]!;
      if (op === Op.Out) parts.ports.out8(port, p.u8());
      else if (op === Op.In) parts.ports.in8(port);
      else {
        parts.clock.advanceTo(parts.clock.now + p.u16() * 1000);
        parts.clock.runDue();
      }
    }
  },
};
