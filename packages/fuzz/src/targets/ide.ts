import {
  type BlockBackend,
  BlockError,
  createDeviceContext,
  createMachineParts,
  type Device,
  type DevicePlugin,
  type MachineParts,
  PluginRegistry,
  Tokens,
} from '@plugboard/core';
import { plugins } from '@plugboard/dev-piix';
import { MAX_OPS, Program, ProgramWriter } from '../ops.js';
import type { FuzzTarget } from '../target.js';

/** A zero-filled disk of any size that keeps nothing: the target needs its bounds checks, not its data. */
class NullDisk implements BlockBackend {
  constructor(
    readonly sectorSize: number,
    readonly sectorCount: number,
  ) {}
  readonly readOnly = false;
  read(sector: number, dest: Uint8Array): void {
    if (sector < 0 || sector + dest.length / this.sectorSize > this.sectorCount)
      throw new BlockError(`sector ${sector} out of range`, 'range');
    dest.fill(sector & 0xff);
  }
  write(sector: number, src: Uint8Array): void {
    if (sector < 0 || sector + src.length / this.sectorSize > this.sectorCount)
      throw new BlockError(`sector ${sector} out of range`, 'range');
  }
  flush(): void {}
  close(): void {}
}

const BMIBA = 0xc000;
const DEVFN = (1 << 3) | 1;
/** The ports a program reaches: both channels' command blocks and controls, and the bus master. */
const PORTS = [
  0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6, 0x170, 0x171, 0x172, 0x173, 0x174, 0x175,
  0x176, 0x177, 0x376,
];
for (let i = 0; i < 16; i++) PORTS.push(BMIBA + i);

/** Opcodes: byte write, byte read, data-port word write and read, RAM dword (PRD tables, buffers), time passing. */
enum Op {
  Out = 0,
  In = 1,
  DataOut = 2,
  DataIn = 3,
  Ram = 4,
  Tick = 5,
}

let bench: { parts: MachineParts; ide: Device } | null = null;

function build() {
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  parts.container
    .bind(Tokens.BlockBackend)
    .toConstantValue(new NullDisk(512, 1 << 20))
    .whenNamed('hd0');
  parts.container.bind(Tokens.BlockBackend).toConstantValue(new NullDisk(2048, 1000)).whenNamed('cd0');
  const plugin = plugins.find((p) => p.meta.id === 'piix3-ide') as unknown as DevicePlugin;
  const registry = new PluginRegistry();
  registry.add(plugin);
  const config = registry.validateConfig(
    'piix3-ide',
    { primary: { master: { drive: 'hd0' } }, secondary: { master: { media: 'cdrom', drive: 'cd0' } } },
    '/devices/ide/config',
  );
  const ctx = createDeviceContext(
    parts,
    { requestReset() {}, requestShutdown() {} },
    { id: 'ide', pci: '01.1' },
  );
  const ide = plugin.create(ctx, config) as Device;
  (ide.realize as (() => void) | undefined)?.();
  return { parts, ide };
}

const out = (p: ProgramWriter, port: number, value: number) => p.u8(Op.Out, PORTS.indexOf(port)).u32(value);

export const target: FuzzTarget = {
  name: 'ide',
  seeds() {
    // ATA READ DMA of 8 sectors through a two-entry PRD table.
    const dma = new ProgramWriter()
      .u8(Op.Ram, 0)
      .u16(0x1000 >> 2)
      .u32(0x8000)
      .u8(Op.Ram, 0)
      .u16(0x1004 >> 2)
      .u32(0x80000000 | 4096);
    out(dma, BMIBA + 4, 0x1000);
    for (const [port, v] of [
      [0x1f6, 0xe0],
      [0x1f2, 8],
      [0x1f3, 0],
      [0x1f4, 0],
      [0x1f5, 0],
      [0x1f7, 0xc8],
      [BMIBA, 0x09],
    ] as const)
      out(dma, port, v);
    dma.u8(Op.Tick, 0).u16(1000);
    // ATAPI READ(12) by PIO and a packet with a huge count.
    const atapi = new ProgramWriter();
    for (const [port, v] of [
      [0x176, 0xa0],
      [0x171, 0],
      [0x174, 0xfe],
      [0x175, 0xff],
      [0x177, 0xa0],
    ] as const)
      out(atapi, port, v);
    for (const w of [0x00a8, 0x0000, 0x0100, 0x0000, 0x0001, 0x0000]) atapi.u8(Op.DataOut, 1).u16(w);
    for (let i = 0; i < 16; i++) atapi.u8(Op.DataIn, 1);
    for (const [port, v] of [[0x177, 0xa0]] as const) out(atapi, port, v);
    for (const w of [0x00a8, 0x0000, 0x0000, 0xffff, 0xffff, 0x0000]) atapi.u8(Op.DataOut, 1).u16(w);
    return [dma.build(), atapi.build()];
  },
  run(input) {
    bench ??= build();
    const { parts, ide } = bench;
    ide.reset?.();
    parts.pci.writeConfig(0, DEVFN, 0x20, 4, BMIBA);
    parts.pci.writeConfig(0, DEVFN, 0x04, 2, 0x0005);
    parts.pci.writeConfig(0, DEVFN, 0x40, 2, 0x8000);
    parts.pci.writeConfig(0, DEVFN, 0x42, 2, 0x8000);
    parts.memory.ram.fill(0, 0, 0x10000);
    const p = new Program(input);
    for (let n = 0; n < MAX_OPS && !p.done; n++) {
      const op = p.u8() % 6;
      const port = PORTS[p.u8() % PORTS.length]!;
      const channelData = port < 0x1f8 && port >= 0x1f0 ? 0x1f0 : 0x170;
      if (op === Op.Out) parts.ports.out8(port, p.u32());
      else if (op === Op.In) parts.ports.in8(port);
      else if (op === Op.DataOut) parts.ports.out16(channelData, p.u16());
      else if (op === Op.DataIn) parts.ports.in16(channelData);
      else if (op === Op.Ram) parts.memory.write32((p.u16() * 4) % 0x10000, p.u32());
      else {
        parts.clock.advanceTo(parts.clock.now + p.u16() * 1000);
        parts.clock.runDue();
      }
    }
  },
};
