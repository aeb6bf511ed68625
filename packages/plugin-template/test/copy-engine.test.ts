import { PluginRegistry } from '@plugboard/core';
import { plugPciDevice } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import {
  CTRL_IRQ_EN,
  CTRL_START,
  copyEnginePlugin,
  MAX_LENGTH,
  plugins,
  Reg,
  STATUS_DONE,
  STATUS_ERROR,
} from '../src/index.js';

const BASE = 0xc000;
const RAM = 4 << 20;

/** The device plugged alone into a 4 MiB machine, BAR0 at 0xC000, as firmware would leave it. */
async function engine(xor = 0) {
  const plugged = await plugPciDevice(
    copyEnginePlugin,
    { xor },
    { slot: 5, bars: [BASE | 1], memoryBytes: RAM },
  );
  const { ports, memory } = plugged.parts;
  const out = (reg: number, value: number) => ports.out32(BASE + reg, value);
  const inl = (reg: number) => ports.in32(BASE + reg);
  return { ...plugged, out, inl, ram: memory.ram };
}

describe('template copy engine', () => {
  it('copies by DMA what a driver asks, and interrupts when done if asked to', async () => {
    const { out, inl, ram, irq } = await engine(0x5a);
    ram.set([1, 2, 3, 4, 5], 0x1000);
    out(Reg.SRC, 0x1000);
    out(Reg.DST, 0x2000);
    out(Reg.LEN, 5);
    out(Reg.CTRL, CTRL_START | CTRL_IRQ_EN);
    expect([...ram.subarray(0x2000, 0x2005)]).toEqual([1, 2, 3, 4, 5].map((b) => b ^ 0x5a));
    expect(inl(Reg.STATUS)).toBe(STATUS_DONE);
    expect(irq()).toBe(true);
    out(Reg.STATUS, STATUS_DONE);
    expect(inl(Reg.STATUS)).toBe(0);
    expect(irq()).toBe(false);
  });

  it('keeps its interrupt low unless the driver enabled it', async () => {
    const { out, irq, inl } = await engine();
    out(Reg.LEN, 1);
    out(Reg.CTRL, CTRL_START);
    expect(inl(Reg.STATUS)).toBe(STATUS_DONE);
    expect(irq()).toBe(false);
  });

  it('refuses a length beyond MAX_LENGTH and clips at the end of RAM (hostile guest values)', async () => {
    const { out, inl, ram } = await engine();
    ram.fill(0x11, 0, 0x100);
    out(Reg.SRC, 0);
    out(Reg.DST, 0x1000);
    out(Reg.LEN, MAX_LENGTH + 1);
    out(Reg.CTRL, CTRL_START);
    expect(inl(Reg.STATUS)).toBe(STATUS_DONE | STATUS_ERROR);
    expect(ram[0x1000]).toBe(0);
    out(Reg.STATUS, 0xffffffff);
    // A copy that ends past RAM: the bytes inside land, the rest vanish, and the status says so.
    out(Reg.DST, RAM - 2);
    out(Reg.LEN, 16);
    out(Reg.CTRL, CTRL_START);
    expect(inl(Reg.STATUS)).toBe(STATUS_DONE | STATUS_ERROR);
    expect([...ram.subarray(RAM - 2)]).toEqual([0x11, 0x11]);
  });

  it('does no DMA while bus mastering is off', async () => {
    const { out, inl, ram, fn } = await engine();
    fn.writeConfig(0x04, 2, 1); // I/O decoding only
    ram[0] = 7;
    out(Reg.LEN, 1);
    out(Reg.DST, 0x10);
    out(Reg.CTRL, CTRL_START);
    expect(ram[0x10]).toBe(0);
    expect(inl(Reg.STATUS)).toBe(STATUS_DONE | STATUS_ERROR);
  });

  it('puts every register back on reset', async () => {
    const { out, inl, device, fn, irq } = await engine();
    out(Reg.SRC, 0x1234);
    out(Reg.CTRL, CTRL_START | CTRL_IRQ_EN);
    expect(irq()).toBe(true);
    device.reset?.();
    expect(irq()).toBe(false);
    // Reset turns decoding off and clears the BAR, as on real hardware: program them again.
    expect(inl(Reg.SRC)).toBe(0xffffffff);
    fn.writeConfig(0x10, 4, BASE | 1);
    fn.writeConfig(0x04, 2, 1);
    expect([Reg.SRC, Reg.DST, Reg.LEN, Reg.CTRL, Reg.STATUS].map(inl)).toEqual([0, 0, 0, 0, 0]);
  });

  it('has its config checked against its schema, defaults filled in', () => {
    const registry = new PluginRegistry();
    registry.addPackage({ plugins }, '@plugboard/plugin-template');
    expect(registry.validateConfig('template-copy-engine', {}, '/devices/dma/config')).toEqual({ xor: 0 });
    expect(() =>
      registry.validateConfig('template-copy-engine', { xor: 256 }, '/devices/dma/config'),
    ).toThrow('/devices/dma/config/xor: must be <= 255');
  });
});
