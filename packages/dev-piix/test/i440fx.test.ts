import { describe, expect, it } from 'vitest';
import { I440FX, I440fx, i440fxConfig } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

const cfgAddr = (reg: number) => (0x80000000 | (reg & 0xfc)) >>> 0;

function setup() {
  const m = bareMachine(8 << 20);
  const { memory, ports } = m.parts;
  // The PCI side of the window, as firmware and VGA plugins map it in create().
  const bios = new Uint8Array(0x20000).fill(0xb1);
  memory.mapBuffer(0xe0000, bios, 0, 0x20000, false);
  const optionRom = new Uint8Array(0x4000).fill(0xc0);
  memory.mapBuffer(0xc0000, optionRom, 0, 0x4000, false);
  const vga = new Uint8Array(0x20000);
  memory.mapMmio('vga', 0xa0000, 0x20000, { read8: (o) => vga[o], write8: (o, v) => (vga[o] = v) });
  const hb = new I440fx(m.ctx('i440fx', '00:00.0'));
  hb.realize();
  hb.reset();
  const readCfg8 = (reg: number) => {
    ports.out32(0xcf8, cfgAddr(reg));
    return ports.in8(0xcfc + (reg & 3));
  };
  const writeCfg8 = (reg: number, value: number) => {
    ports.out32(0xcf8, cfgAddr(reg));
    ports.out8(0xcfc + (reg & 3), value);
  };
  return { m, memory, ports, hb, readCfg8, writeCfg8, vga };
}

describe('i440FX host bridge', () => {
  it('answers configuration mechanism #1 with its identity and QEMU reset state', () => {
    const { ports, readCfg8 } = setup();
    ports.out32(0xcf8, 0x80000000);
    expect(ports.in32(0xcf8)).toBe(0x80000000);
    expect(ports.in32(0xcfc)).toBe(0x12378086);
    ports.out32(0xcf8, 0x80000008);
    expect(ports.in32(0xcfc)).toBe(0x06000002);
    expect(readCfg8(0x72)).toBe(0x02);
    expect(readCfg8(0x57)).toBe(1); // 8 MiB in 8 MiB units, where QEMU keeps it for coreboot
    for (let r = 0x59; r < 0x60; r++) expect(readCfg8(r)).toBe(0);
    // Absent devices read all ones; bit 31 clear is no configuration cycle at all.
    ports.out32(0xcf8, 0x80001800);
    expect(ports.in32(0xcfc)).toBe(0xffffffff);
    ports.out32(0xcf8, 0x00000000);
    expect(ports.in32(0xcfc)).toBe(0xffffffff);
  });

  it("config writes reach the table's writable bits only, and reset loads its reset values and masks", () => {
    const { hb, readCfg8, writeCfg8 } = setup();
    const t = i440fxConfig(8 << 20);
    expect(t.resetImage[I440FX.DRAMC]).toBe(1);
    for (let at = 0; at < t.size; at++) {
      // SMRAM's D_LCK freezes it: the SMRAM test below.
      if (t.owner[at] < 0 || at === I440FX.SMRAM) continue;
      writeCfg8(at, 0xff);
      expect([at, readCfg8(at)]).toEqual([at, t.resetImage[at] | t.writable[at]]);
    }
    writeCfg8(I440FX.SMRAM, 0x1a);
    hb.reset();
    for (let at = 0; at < t.size; at++) {
      if (t.owner[at] < 0) continue;
      expect([at, readCfg8(at)]).toEqual([at, t.resetImage[at]]);
      expect([at, hb.fn.wmask[at]]).toEqual([at, t.writable[at]]);
    }
  });

  it('shadows the BIOS: ROM read, RAM write, RAM read once enabled, ROM writes ignored', () => {
    const { memory, readCfg8, writeCfg8 } = setup();
    expect(memory.read8(0xf1234)).toBe(0xb1);
    memory.write8(0xf1234, 0x55);
    expect(memory.read8(0xf1234)).toBe(0xb1);
    expect(memory.ram[0xf1234]).toBe(0);
    writeCfg8(0x59, 0x20); // PAM0 high: WE only
    memory.write8(0xf1234, 0x55);
    expect(memory.read8(0xf1234)).toBe(0xb1);
    expect(memory.ram[0xf1234]).toBe(0x55);
    writeCfg8(0x59, 0x10); // RE only: read-only shadow
    expect(memory.read8(0xf1234)).toBe(0x55);
    memory.write8(0xf1234, 0x66);
    expect(memory.read8(0xf1234)).toBe(0x55);
    writeCfg8(0x59, 0xff); // reserved bits stay clear
    expect(readCfg8(0x59)).toBe(0x30);
    memory.write32(0xffffc, 0xdeadbeef);
    expect(memory.read32(0xffffc)).toBe(0xdeadbeef);
    writeCfg8(0x59, 0x00);
    expect(memory.read8(0xf1234)).toBe(0xb1);
  });

  it('controls each 16 KiB expansion segment on its own nibble', () => {
    const { memory, writeCfg8, readCfg8 } = setup();
    expect(memory.read8(0xc0000)).toBe(0xc0);
    expect(memory.read8(0xc4000)).toBe(0xff); // nothing decodes there on the PCI side
    writeCfg8(0x5a, 0x30); // PAM1 high: 0xC4000-0xC7FFF read/write
    memory.write8(0xc4000, 0x44);
    memory.write8(0xc0000, 0x44);
    expect(memory.read8(0xc4000)).toBe(0x44);
    expect(memory.read8(0xc0000)).toBe(0xc0);
    expect(memory.read8(0xc8000)).toBe(0xff);
    writeCfg8(0x5f, 0x03); // PAM6 low: 0xE8000-0xEBFFF
    memory.write8(0xe8000, 0x77);
    expect(memory.read8(0xe8000)).toBe(0x77);
    expect(memory.read8(0xec000)).toBe(0xb1);
    expect(readCfg8(0x5f)).toBe(0x03);
  });

  it('opens SMRAM with D_OPEN, and D_LCK closes it until reset', () => {
    const { hb, memory, writeCfg8, readCfg8, vga } = setup();
    vga[0x10] = 0x5a;
    expect(memory.read8(0xa0010)).toBe(0x5a);
    writeCfg8(0x72, 0x4a);
    expect(readCfg8(0x72)).toBe(0x4a);
    memory.write8(0xa0010, 0x33);
    expect(memory.ram[0xa0010]).toBe(0x33);
    expect(vga[0x10]).toBe(0x5a);
    writeCfg8(0x72, 0x1a); // D_LCK
    expect(readCfg8(0x72)).toBe(0x1a);
    expect(memory.read8(0xa0010)).toBe(0x5a);
    writeCfg8(0x72, 0x4a); // locked: D_OPEN stays clear
    expect(readCfg8(0x72)).toBe(0x1a);
    writeCfg8(0x72, 0x3a); // D_CLS alone remains writable
    expect(readCfg8(0x72)).toBe(0x3a);
    hb.reset();
    expect(readCfg8(0x72)).toBe(0x02);
    writeCfg8(0x72, 0x42);
    expect(memory.read8(0xa0010)).toBe(0x33);
  });

  it('puts PAM back to the PCI side on reset', () => {
    const { hb, memory, writeCfg8 } = setup();
    writeCfg8(0x59, 0x30);
    memory.write8(0xf0000, 1);
    expect(memory.read8(0xf0000)).toBe(1);
    hb.reset();
    expect(memory.read8(0xf0000)).toBe(0xb1);
  });

  it('leaves alone a window another device maps or remaps later, while it is on the PCI side', () => {
    const { hb, memory, writeCfg8 } = setup();
    const late = new Uint8Array(0x8000).fill(0x99);
    memory.mapBuffer(0xb8000, late, 0, 0x8000, true);
    writeCfg8(0x59, 0x30);
    writeCfg8(0x5a, 0x33);
    hb.reset();
    expect(memory.read8(0xb8000)).toBe(0x99);
    writeCfg8(0x72, 0x42);
    expect(memory.read8(0xb8000)).toBe(0);
    writeCfg8(0x72, 0x02);
    memory.write8(0xb8001, 0x11);
    expect(late[1]).toBe(0x11);
  });

  it('refuses a second host bridge on the same ports', () => {
    const { m } = setup();
    expect(() => new I440fx(m.ctx('second', '00:05.0'))).toThrow(/host bridge/);
  });
});
