import {
  createDeviceContext,
  createMachineParts,
  type DeviceContext,
  type FirmwareConfigService,
  type MachineParts,
  Tokens,
} from '@plugboard/core';
import { seededRandom, stateText } from '@plugboard/core/testing';
import {
  FW_CFG_DMA_CTL_ERROR,
  FW_CFG_DMA_CTL_READ,
  FW_CFG_DMA_CTL_SELECT,
  FW_CFG_DMA_CTL_SKIP,
  FW_CFG_DMA_CTL_WRITE,
  type FwCfg,
  FwCfgKey,
  fwCfgPlugin,
} from '@plugboard/fw-cfg';
import { beforeEach, describe, expect, it } from 'vitest';

const RAM = 512 * 1024 * 1024;
const system = { requestReset: () => {}, requestShutdown: () => {} };

function defaults(over: Record<string, unknown> = {}) {
  return {
    iobase: 0x510,
    dma: true,
    cpus: 1,
    maxCpus: 1,
    uuid: null,
    sercon: false,
    serconPort: 0x3f8,
    bootMenu: false,
    bootMenuTimeout: null,
    bootFailWait: -1,
    ...over,
  };
}

let parts: MachineParts;
let ctx: DeviceContext;
let fw: FwCfg;

function build(over: Record<string, unknown> = {}): void {
  parts = createMachineParts({ memoryBytes: RAM });
  ctx = createDeviceContext(parts, system, { id: 'fwcfg' });
  fw = fwCfgPlugin.create(ctx, defaults(over)) as FwCfg;
  fw.reset();
}

function readItem(key: number, length: number): number[] {
  parts.ports.out16(0x510, key);
  return Array.from({ length }, () => parts.ports.in8(0x511));
}

function be32(bytes: number[], at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Writes an FWCfgDmaAccess at `at` and starts it as SeaBIOS does (one outl of the low half). */
function dma(at: number, control: number, length: number, address: number, addressHigh = 0): number {
  const { ram } = parts.memory;
  const v = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  v.setUint32(at, control);
  v.setUint32(at + 4, length);
  v.setUint32(at + 8, addressHigh);
  v.setUint32(at + 12, address);
  parts.ports.out32(0x518, bswap(at));
  return v.getUint32(at);
}

/** The guest writes the register big-endian; out32 is little-endian. */
function bswap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

describe('fw_cfg I/O interface', () => {
  beforeEach(() => build());

  it('answers the QEMU signature and an ID with the DMA bit', () => {
    expect(String.fromCharCode(...readItem(FwCfgKey.SIGNATURE, 4))).toBe('QEMU');
    expect(readItem(FwCfgKey.ID, 4)).toEqual([3, 0, 0, 0]);
  });

  it('reports RAM size, CPUs and reads zeros past an item', () => {
    const ram = readItem(FwCfgKey.RAM_SIZE, 10);
    expect(ram.slice(0, 8)).toEqual([0, 0, 0, 0x20, 0, 0, 0, 0]);
    expect(ram.slice(8)).toEqual([0, 0]);
    expect(readItem(FwCfgKey.NB_CPUS, 2)).toEqual([1, 0]);
    expect(readItem(FwCfgKey.IRQ0_OVERRIDE, 4)).toEqual([1, 0, 0, 0]);
  });

  it('lists files big-endian, sorted by name, with selectors in that order', () => {
    fw.addFile('bootorder', new TextEncoder().encode('/pci@i0cf8/ide@1,1/drive@0/disk@0\n'));
    const head = readItem(FwCfgKey.FILE_DIR, 4);
    const count = be32(head, 0);
    const dir = readItem(FwCfgKey.FILE_DIR, 4 + count * 64);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = 4 + i * 64;
      const name = String.fromCharCode(...dir.slice(at + 8, at + 64)).replace(/\0+$/, '');
      names.push(name);
      expect((dir[at + 4] << 8) | dir[at + 5]).toBe(FwCfgKey.FILE_FIRST + i);
      expect(be32(dir, at)).toBe(fw.file(name)!.length);
    }
    expect(names).toEqual([...names].sort());
    expect(names).toContain('bootorder');
    expect(names).toContain('etc/e820');
    expect(names).not.toContain('etc/sercon-port');
  });

  it('describes RAM in etc/e820 as little-endian entries', () => {
    const e820 = readItem(fw.fileKey('etc/e820')!, 20);
    const v = new DataView(Uint8Array.from(e820).buffer);
    expect(v.getBigUint64(0, true)).toBe(0n);
    expect(v.getBigUint64(8, true)).toBe(BigInt(RAM));
    expect(v.getUint32(16, true)).toBe(1);
  });

  it('adds etc/sercon-port and FW_CFG_NOGRAPHIC for a -nographic run', () => {
    build({ sercon: true });
    expect(readItem(fw.fileKey('etc/sercon-port')!, 2)).toEqual([0xf8, 0x03]);
    expect(readItem(FwCfgKey.NOGRAPHIC, 2)).toEqual([1, 0]);
  });

  it('stores -uuid in FW_CFG_UUID in text order', () => {
    build({ uuid: '12345678-9abc-def0-1122-334455667788' });
    expect(readItem(FwCfgKey.UUID, 16)).toEqual([
      0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    ]);
  });

  it('binds its service under both tokens', () => {
    const a = parts.container.get<FirmwareConfigService>(Tokens.FirmwareConfig);
    expect(parts.container.get(Tokens.FirmwareConfig)).toBe(a);
    a.addItem(FwCfgKey.KERNEL_SIZE, Uint8Array.of(1, 2, 3, 4));
    expect(readItem(FwCfgKey.KERNEL_SIZE, 4)).toEqual([1, 2, 3, 4]);
    expect(() => a.addItem(FwCfgKey.FILE_FIRST + 3, new Uint8Array(1))).toThrow(/addFile/);
    expect(() => a.addFile('x'.repeat(56), new Uint8Array(1))).toThrow(/1 to 55 bytes/);
  });

  it('drops writes through the write channel', () => {
    parts.ports.out16(0x510, FwCfgKey.WRITE_CHANNEL | FwCfgKey.RAM_SIZE);
    parts.ports.out8(0x511, 0x55);
    expect(parts.ports.in8(0x511)).toBe(0);
    expect(readItem(FwCfgKey.RAM_SIZE, 4)).toEqual([0, 0, 0, 0x20]);
  });
});

describe('fw_cfg DMA interface', () => {
  beforeEach(() => build());

  it('reads "QEMU CFG" from the DMA address register', () => {
    const sig = Array.from({ length: 8 }, (_, i) => parts.ports.in8(0x514 + i));
    expect(String.fromCharCode(...sig)).toBe('QEMU CFG');
  });

  it('selects and reads an item, then skips and reads on from there', () => {
    const status = dma(
      0x1000,
      (FwCfgKey.SIGNATURE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
      4,
      0x2000,
    );
    expect(status).toBe(0);
    expect(String.fromCharCode(...parts.memory.ram.subarray(0x2000, 0x2004))).toBe('QEMU');
    dma(0x1000, (FwCfgKey.RAM_SIZE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP, 3, 0);
    expect(dma(0x1000, FW_CFG_DMA_CTL_READ, 1, 0x3000)).toBe(0);
    expect(parts.memory.ram[0x3000]).toBe(0x20);
  });

  it('fills zeros past the end of an item', () => {
    parts.memory.ram.fill(0xaa, 0x2000, 0x2010);
    expect(
      dma(0x1000, (FwCfgKey.NB_CPUS << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 16, 0x2000),
    ).toBe(0);
    expect(Array.from(parts.memory.ram.subarray(0x2000, 0x2004))).toEqual([1, 0, 0, 0]);
    expect(parts.memory.ram[0x200f]).toBe(0);
  });

  it('refuses writes with the error bit', () => {
    const before = readItem(FwCfgKey.RAM_SIZE, 8);
    expect(
      dma(0x1000, (FwCfgKey.RAM_SIZE << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE, 8, 0x2000),
    ).toBe(FW_CFG_DMA_CTL_ERROR);
    expect(readItem(FwCfgKey.RAM_SIZE, 8)).toEqual(before);
  });

  it('sets the error bit for a destination outside RAM or above 4 GiB', () => {
    const sel = (FwCfgKey.FILE_DIR << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ;
    expect(dma(0x1000, sel, 64, 0xfffffff0)).toBe(FW_CFG_DMA_CTL_ERROR);
    expect(dma(0x1000, sel, 64, 0x2000, 1)).toBe(FW_CFG_DMA_CTL_ERROR);
    expect(dma(0x1000, sel, 64, RAM - 8)).toBe(FW_CFG_DMA_CTL_ERROR);
  });

  it('survives a 4 GiB length: zero-fills what RAM holds and reports the error', () => {
    parts.memory.ram.fill(0xaa, RAM - 16, RAM);
    expect(
      dma(0x1000, (FwCfgKey.ID << 16) | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ, 0xffffffff, RAM - 16),
    ).toBe(FW_CFG_DMA_CTL_ERROR);
    expect(parts.memory.ram[RAM - 1]).toBe(0);
  });

  it('ignores a descriptor outside RAM without touching memory', () => {
    const before = parts.memory.ram.slice(0, 64);
    parts.ports.out32(0x514, bswap(1));
    parts.ports.out32(0x518, 0);
    parts.ports.out32(0x518, bswap(0xfffffff8));
    expect(parts.memory.ram.subarray(0, 64)).toEqual(before);
  });

  it('leaves DMA out when disabled', () => {
    build({ dma: false });
    expect(readItem(FwCfgKey.ID, 1)).toEqual([1]);
    parts.memory.ram[0x1000] = 0x77;
    dma(0x1000, FW_CFG_DMA_CTL_READ, 4, 0x2000);
    expect(parts.ports.in8(0x514)).toBe(0xff);
    expect(parts.memory.ram[0x2000]).toBe(0);
  });
});

describe('fw_cfg state', () => {
  /** A guest's random selects, data reads and DMA transfers (descriptors at 0x8000, data to 0x9000). */
  function activity(seed: number): void {
    const next = seededRandom(seed);
    for (let k = 0; k < 200; k++) {
      const r = next();
      if (r % 4 === 0)
        parts.ports.out16(0x510, [FwCfgKey.SIGNATURE, FwCfgKey.FILE_DIR, FwCfgKey.RAM_SIZE][r % 3]);
      else if (r % 4 === 1) parts.ports.in8(0x511);
      else if (r % 4 === 2) dma(0x8000, FW_CFG_DMA_CTL_READ, (r >>> 8) % 64, 0x9000);
      else parts.ports.out32(0x514, bswap(r >>> 24));
    }
  }

  beforeEach(() => build());

  it('saves and loads into a freshly built device: the same state, the same next bytes', () => {
    activity(7);
    const saved = fw.vmstate.save();
    const text = stateText(fw);
    const [before, beforePorts] = [fw, parts.ports];
    build();
    fw.vmstate.load(saved);
    expect(stateText(fw)).toBe(text);
    const next = (ports: typeof parts.ports) => Array.from({ length: 16 }, () => ports.in8(0x511));
    expect(next(parts.ports)).toEqual(next(beforePorts));
    expect(stateText(fw)).toBe(stateText(before));
  });

  it('resets to the state it was built with', () => {
    const fresh = stateText(fw);
    activity(11);
    expect(stateText(fw)).not.toBe(fresh);
    fw.reset();
    expect(stateText(fw)).toBe(fresh);
  });
});
