import {
  type BlockBackend,
  type CmosService,
  createDeviceContext,
  createMachineParts,
  type DmaTransferHandler,
  type IsaDmaController,
  type MachineParts,
  Tokens,
} from '@plugboard/core';
import { type FloppyConfig, type FloppyDevice, floppyPlugin, mc146818Plugin } from '@plugboard/dev-isa';

/** A raw image in memory, with a count of reads and writes. */
export class MemoryDisk implements BlockBackend {
  readonly sectorSize = 512;
  readonly sectorCount: number;
  reads = 0;
  writes = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly readOnly = false,
  ) {
    this.sectorCount = bytes.length / 512;
  }
  read(sector: number, dest: Uint8Array): void {
    if (sector < 0 || sector + dest.length / 512 > this.sectorCount) throw new RangeError(`sector ${sector}`);
    this.reads++;
    dest.set(this.bytes.subarray(sector * 512, sector * 512 + dest.length));
  }
  write(sector: number, src: Uint8Array): void {
    if (this.readOnly) throw new Error('read-only');
    this.writes++;
    this.bytes.set(src, sector * 512);
  }
  flush(): void {}
  close(): void {
    this.closed = true;
  }
  closed = false;
  /** What `reopen` opens: the monitor's `change` finds images here by path. */
  static shelf = new Map<string, Uint8Array>();
  reopen(path: string): MemoryDisk {
    const bytes = MemoryDisk.shelf.get(path);
    if (!bytes) throw new Error(`${path}: no such image`);
    return new MemoryDisk(bytes);
  }
}

/** A 1.44 MB image whose every sector starts with its LBA (16-bit) and is filled with its low byte. */
export function numberedImage(sectors = 2880): Uint8Array {
  const img = new Uint8Array(sectors * 512);
  for (let lba = 0; lba < sectors; lba++) {
    img.fill(lba & 0xff, lba * 512, lba * 512 + 512);
    img[lba * 512] = lba & 0xff;
    img[lba * 512 + 1] = lba >> 8;
  }
  return img;
}

/**
 * Channel 2 of an 8237 as the FDC sees it: a base address, a count and a
 * direction; `run` serves DREQ the way the PIIX's IsaDma does (the handler
 * moves bytes and returns its new position), with the 16-bit address wrap.
 */
export class ChannelTwo implements IsaDmaController {
  handler: DmaTransferHandler | null = null;
  dreq = false;
  address = 0;
  page = 0;
  size = 0;
  position = 0;
  /** The largest number of bytes one handler call moved. */
  largestStep = 0;
  calls = 0;
  constructor(private readonly parts: MachineParts) {}
  connect(channel: number, handler: DmaTransferHandler): void {
    if (channel !== 2) throw new Error(`channel ${channel}`);
    this.handler = handler;
  }
  setDreq(_channel: number, level: boolean): void {
    this.dreq = level;
  }
  private at(position: number): number {
    return (this.page << 16) | ((this.address + position) & 0xffff);
  }
  readMemory(_c: number, position: number, dest: Uint8Array, offset: number, length: number): number {
    for (let i = 0; i < length; i++) dest[offset + i] = this.parts.dma.read8(this.at(position + i));
    return length;
  }
  writeMemory(_c: number, position: number, src: Uint8Array, offset: number, length: number): number {
    for (let i = 0; i < length; i++) this.parts.dma.write8(this.at(position + i), src[offset + i]);
    return length;
  }
  /** Programs a transfer: the 8237's count register holds bytes - 1. */
  program(address: number, count: number): void {
    this.page = address >>> 16;
    this.address = address & 0xffff;
    this.size = (count & 0xffff) + 1;
    this.position = 0;
  }
  /** Serves DREQ until it drops, the count runs out, or `rounds` calls. */
  run(rounds = 100_000): void {
    for (let i = 0; i < rounds && this.dreq && this.position < this.size && this.handler; i++) {
      const before = this.position;
      this.position = this.handler(this.position, this.size);
      this.calls++;
      this.largestStep = Math.max(this.largestStep, this.position - before);
      if (this.position === before) break;
    }
  }
}

/** The FDC on fresh parts with a fake DMA channel, an RTC for CMOS, and the given images as drives. */
export function fdcMachine(images: { a?: MemoryDisk; b?: MemoryDisk; config?: Partial<FloppyConfig> } = {}) {
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  const system = { requestReset: () => {}, requestShutdown: () => {} };
  const ctx = (id: string) => createDeviceContext(parts, system, { id });
  const dma = new ChannelTwo(parts);
  parts.container.bind(Tokens.IsaDma).toConstantValue(dma);
  if (images.a) parts.container.bind(Tokens.BlockBackend).toConstantValue(images.a).whenNamed('fda');
  if (images.b) parts.container.bind(Tokens.BlockBackend).toConstantValue(images.b).whenNamed('fdb');
  const rtc = mc146818Plugin.create(ctx('rtc'), {
    iobase: 0x70,
    irq: 8,
    base: '2020-01-01T00:00:00Z',
    cpus: 1,
    boot: 'a',
    fdBootCheck: true,
  }) as { cmos: CmosService };
  const fdc = floppyPlugin.create(ctx('fdc'), {
    iobase: 0x3f0,
    irq: 6,
    driveA: images.a ? { drive: 'fda' } : {},
    ...(images.b ? { driveB: { drive: 'fdb' } } : {}),
    ...images.config,
  }) as FloppyDevice;
  (fdc as unknown as { realize(): void }).realize();
  fdc.reset();
  const io = {
    out: (port: number, value: number) => parts.ports.out8(port, value),
    in: (port: number) => parts.ports.in8(port),
    msr: () => parts.ports.in8(0x3f4),
    fifo: (...bytes: number[]) => {
      for (const b of bytes) parts.ports.out8(0x3f5, b);
    },
    results: () => {
      const out: number[] = [];
      for (let i = 0; i < 16 && parts.ports.in8(0x3f4) & 0x40; i++) out.push(parts.ports.in8(0x3f5));
      return out;
    },
    irq: () => parts.isaIrqs.level(6),
    /** Out of reset with DMA and IRQ gated on, drive 0 selected and its motor on, 500 kb/s; the reset's senses taken. */
    start: () => {
      parts.ports.out8(0x3f2, 0x00);
      parts.ports.out8(0x3f2, 0x1c);
      parts.ports.out8(0x3f7, 0x00);
      for (let i = 0; i < 4; i++) {
        io.fifo(0x08);
        io.results();
      }
    },
  };
  return { parts, dma, fdc, cmos: rtc.cmos, ...io };
}
