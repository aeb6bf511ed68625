import {
  type BlockBackend,
  BlockError,
  createDeviceContext,
  createMachineParts,
  type MachineParts,
  PluginRegistry,
  type SystemControl,
  Tokens,
} from '@plugboard/core';
import type { Piix3Ide, Piix3IdeConfig } from '../src/ide/piix3-ide.js';
import { piix3Ide } from '../src/ide/plugin.js';

/** A sparse in-memory disk: unwritten sectors read as zero, so it can be as large as a test likes. */
export class MemoryBackend implements BlockBackend {
  readonly sectors = new Map<number, Uint8Array>();
  flushes = 0;
  failRead = -1;

  constructor(
    readonly sectorSize: number,
    readonly sectorCount: number,
    readonly readOnly = false,
  ) {}

  read(sector: number, dest: Uint8Array): void {
    const n = dest.length / this.sectorSize;
    if (sector < 0 || sector + n > this.sectorCount)
      throw new BlockError(`sector ${sector}+${n} out of range`, 'range');
    for (let i = 0; i < n; i++) {
      if (sector + i === this.failRead) throw new BlockError(`bad sector ${sector + i}`, 'io');
      const data = this.sectors.get(sector + i);
      const at = i * this.sectorSize;
      if (data) dest.set(data, at);
      else dest.fill(0, at, at + this.sectorSize);
    }
  }

  write(sector: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockError('read-only', 'read-only');
    const n = src.length / this.sectorSize;
    if (sector < 0 || sector + n > this.sectorCount)
      throw new BlockError(`sector ${sector}+${n} out of range`, 'range');
    for (let i = 0; i < n; i++)
      this.sectors.set(sector + i, src.slice(i * this.sectorSize, (i + 1) * this.sectorSize));
  }

  flush(): void {
    this.flushes++;
  }

  close(): void {}

  /** Fills sector `n` with a pattern naming it, so a read shows where it came from. */
  stamp(n: number): void {
    this.sectors.set(n, sectorPattern(n, this.sectorSize));
  }
}

export const BMIBA = 0xc000;
export const PRIMARY = { base: 0x1f0, control: 0x3f6, irq: 14, bm: BMIBA } as const;
export const SECONDARY = { base: 0x170, control: 0x376, irq: 15, bm: BMIBA + 8 } as const;
export type Channel = typeof PRIMARY | typeof SECONDARY;
const DEVFN = (1 << 3) | 1;

const system: SystemControl = { requestReset: () => {}, requestShutdown: () => {} };

export interface Bench {
  parts: MachineParts;
  ide: Piix3Ide;
  /** Reads a PCI config register of 00:01.1. */
  config(offset: number, size: 1 | 2 | 4): number;
  setConfig(offset: number, size: 1 | 2 | 4, value: number): void;
  irq(channel: Channel): boolean;
}

/**
 * A bare machine with the IDE function at 00:01.1 and the given drives,
 * configured the way SeaBIOS leaves it: I/O and bus mastering on, BMIBA at
 * 0xC000, both channels decoding.
 */
export function bench(
  config: Piix3IdeConfig,
  drives: Record<string, BlockBackend> = {},
  memoryBytes = 4 << 20,
): Bench {
  const parts = createMachineParts({ memoryBytes });
  for (const [id, backend] of Object.entries(drives)) {
    parts.container.bind(Tokens.BlockBackend).toConstantValue(backend).whenNamed(id);
  }
  const registry = new PluginRegistry();
  registry.add(piix3Ide);
  const filled = registry.validateConfig('piix3-ide', config, '/devices/ide/config') as Piix3IdeConfig;
  const ctx = createDeviceContext(parts, system, { id: 'ide', pci: '01.1' });
  const ide = piix3Ide.create(ctx, filled) as Piix3Ide;
  ide.realize();
  ide.reset();
  const b: Bench = {
    parts,
    ide,
    config: (offset, size) => parts.pci.readConfig(0, DEVFN, offset, size),
    setConfig: (offset, size, value) => parts.pci.writeConfig(0, DEVFN, offset, size, value),
    irq: (channel) => parts.isaIrqs.level(channel.irq),
  };
  b.setConfig(0x20, 4, BMIBA);
  b.setConfig(0x04, 2, 0x0005);
  b.setConfig(0x40, 2, 0x8000);
  b.setConfig(0x42, 2, 0x8000);
  return b;
}

/** Driver-side helpers over the port bus, in the order SeaBIOS and libata touch the registers. */
export class Driver {
  constructor(
    readonly b: Bench,
    readonly ch: Channel = PRIMARY,
  ) {}

  get ports() {
    return this.b.parts.ports;
  }

  in(reg: number): number {
    return this.ports.in8(this.ch.base + reg);
  }

  out(reg: number, value: number): void {
    this.ports.out8(this.ch.base + reg, value);
  }

  status(): number {
    return this.in(7);
  }

  altStatus(): number {
    return this.ports.in8(this.ch.control);
  }

  control(value: number): void {
    this.ports.out8(this.ch.control, value);
  }

  select(unit: 0 | 1, lbaBits = 0xe0): void {
    this.out(6, lbaBits | (unit << 4));
  }

  /** SRST pulse as SeaBIOS's ata_reset does it (nIEN set throughout). */
  softReset(): void {
    this.control(0x0a | 0x04);
    this.control(0x0a);
  }

  /** A 28-bit LBA command. */
  lba28(command: number, lba: number, count: number, unit: 0 | 1 = 0, features = 0): void {
    this.out(1, features);
    this.out(2, count & 0xff);
    this.out(3, lba & 0xff);
    this.out(4, (lba >>> 8) & 0xff);
    this.out(5, (lba >>> 16) & 0xff);
    this.out(6, 0xe0 | (unit << 4) | ((lba >>> 24) & 0x0f));
    this.out(7, command);
  }

  /** A 48-bit LBA command: HOB bytes first, as libata's tf_load does. */
  lba48(command: number, lba: number, count: number, unit: 0 | 1 = 0): void {
    const high = Math.floor(lba / 0x1000000);
    this.out(2, (count >>> 8) & 0xff);
    this.out(3, high & 0xff);
    this.out(4, (high >>> 8) & 0xff);
    this.out(5, (high >>> 16) & 0xff);
    this.out(2, count & 0xff);
    this.out(3, lba & 0xff);
    this.out(4, (lba >>> 8) & 0xff);
    this.out(5, (lba >>> 16) & 0xff);
    this.out(6, 0x40 | (unit << 4));
    this.out(7, command);
  }

  /** Reads `bytes` from the data port, 16 bits at a time. */
  readData(bytes: number): Uint8Array {
    const out = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i += 2) {
      const w = this.ports.in16(this.ch.base);
      out[i] = w & 0xff;
      if (i + 1 < bytes) out[i + 1] = w >>> 8;
    }
    return out;
  }

  writeData(data: Uint8Array): void {
    for (let i = 0; i < data.length; i += 2)
      this.ports.out16(this.ch.base, data[i] | ((data[i + 1] ?? 0) << 8));
  }

  /** IDENTIFY (DEVICE or PACKET DEVICE) as 256 words. */
  identify(unit: 0 | 1, command = 0xec): Uint16Array {
    this.select(unit, 0xa0);
    this.out(7, command);
    const bytes = this.readData(512);
    return new Uint16Array(bytes.buffer);
  }

  /** Sends an ATAPI packet (PIO unless `dma`), with `limit` in the byte count registers. */
  packet(cdb: number[], limit = 0xfffe, dma = false, unit: 0 | 1 = 0): void {
    this.select(unit, 0xa0);
    this.out(1, dma ? 1 : 0);
    this.out(4, limit & 0xff);
    this.out(5, limit >>> 8);
    this.out(7, 0xa0);
    const bytes = new Uint8Array(12);
    bytes.set(cdb);
    this.writeData(bytes);
  }

  /** Reads the whole data-in phase of a PIO packet command, DRQ block by DRQ block, as libata's atapi_pio_bytes does. */
  packetData(): { data: Uint8Array; blocks: number[] } {
    const chunks: Uint8Array[] = [];
    const blocks: number[] = [];
    for (let guard = 0; guard < 100000 && this.altStatus() & 0x08; guard++) {
      const n = this.in(4) | (this.in(5) << 8);
      blocks.push(n);
      chunks.push(this.readData(n));
    }
    const total = chunks.reduce((s, c) => s + c.length, 0);
    const data = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    return { data, blocks };
  }

  /** Sense key, ASC and ASCQ from REQUEST SENSE. */
  requestSense(unit: 0 | 1 = 0): [number, number, number] {
    this.packet([0x03, 0, 0, 0, 18, 0], 0xfffe, false, unit);
    const { data } = this.packetData();
    return [data[2] & 0x0f, data[12], data[13]];
  }

  // ---- Bus master ----

  bmCommand(value: number): void {
    this.ports.out8(this.ch.bm, value);
  }

  bmStatus(): number {
    return this.ports.in8(this.ch.bm + 2);
  }

  setBmStatus(value: number): void {
    this.ports.out8(this.ch.bm + 2, value);
  }

  setPrdTable(address: number): void {
    this.ports.out32(this.ch.bm + 4, address);
  }
}

/** Writes PRD entries at `table`: [address, byteCount (0 = 64 KiB), eot]. */
export function writePrd(b: Bench, table: number, entries: [number, number, boolean][]): void {
  const mem = b.parts.memory;
  entries.forEach(([address, count, eot], i) => {
    mem.write32(table + i * 8, address);
    mem.write32(table + i * 8 + 4, ((count & 0xffff) | (eot ? 0x80000000 : 0)) >>> 0);
  });
}

export function ram(b: Bench, address: number, length: number): Uint8Array {
  return b.parts.memory.ram.subarray(address, address + length);
}

export function sectorPattern(n: number, size = 512): Uint8Array {
  const data = new Uint8Array(size);
  const view = new DataView(data.buffer);
  for (let i = 0; i < size; i += 8) {
    view.setUint32(i, n >>> 0, true);
    view.setUint32(i + 4, i, true);
  }
  return data;
}
