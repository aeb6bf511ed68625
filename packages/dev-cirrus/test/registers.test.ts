import { seededRandom } from '@plugboard/core/testing';
import { CIRRUS_CR, CIRRUS_GR, CIRRUS_SR, CirrusVga } from '@plugboard/dev-cirrus';
import { describe, expect, it } from 'vitest';
import { card } from './card.js';

describe('CL-GD5446 register tables', () => {
  it('name every register SR, GR or CR and its index in hex, as the manual numbers them', () => {
    for (const [prefix, table] of [
      ['SR', CIRRUS_SR],
      ['GR', CIRRUS_GR],
      ['CR', CIRRUS_CR],
    ] as const) {
      for (const e of table.elements) expect(e.name).toBe(prefix + e.offset.toString(16).toUpperCase());
    }
    expect(CIRRUS_GR.nameAt(0x31)).toBe('GR31');
    expect(CIRRUS_GR.nameAt(0x0b)).toBe('GRB');
  });

  it('are the reset state: power-on and a reset after random writes load their reset values', () => {
    const vga = new CirrusVga();
    vga.writePort(0x3c2, 0x67); // the colour ports, so CR writes land
    const check = () => {
      expect([...vga.state.sr]).toEqual([...CIRRUS_SR.resetImage]);
      expect([...vga.state.gr]).toEqual([...CIRRUS_GR.resetImage]);
      expect([...vga.state.cr]).toEqual([...CIRRUS_CR.resetImage]);
    };
    check();
    const next = seededRandom(46);
    for (let i = 0; i < 3000; i++) vga.writePort(0x3c4 + (next() % 0x12), next() & 0xff);
    vga.reset();
    check();
  });

  it('give the guest QEMU reset values for the 5446 with 4 MiB on PCI', () => {
    const c = card();
    expect([0x06, 0x0f, 0x15, 0x17, 0x1f].map((i) => c.sr(i))).toEqual([0x0f, 0x98, 0x04, 0x20, 0x2d]);
    expect(c.gr(0x18)).toBe(0x0f);
    expect(c.cr(0x27)).toBe(0xb8);
  });

  it('keep the writable bits of each register, and nothing at indices no register owns', () => {
    const c = card();
    expect(c.sr(0x17, 0xff)).toBe(0xe7);
    expect(c.sr(0x17, 0x00)).toBe(0x20);
    expect(c.sr(0x05, 0x5a)).toBe(0x5a);
    expect(c.sr(0x20, 0x5a)).toBe(0xff);
    expect(c.gr(0x05, 0xff)).toBe(0x7f);
    expect([0x21, 0x23, 0x25, 0x27].map((i) => c.gr(i, 0xff))).toEqual([0x1f, 0x1f, 0x1f, 0x1f]);
    expect([0x2a, 0x2e].map((i) => c.gr(i, 0xff))).toEqual([0x3f, 0x3f]);
    expect(c.gr(0x39, 0x5a)).toBe(0x5a);
    expect(c.gr(0x3a, 0x5a)).toBe(0xff);
    expect(c.cr(0x1d, 0x5a)).toBe(0x5a);
    expect(c.cr(0x27, 0x00)).toBe(0xb8);
    expect(c.cr(0x25, 0x5a)).toBe(0x00);
    expect(c.cr(0x1e, 0x5a)).toBe(0xff);
  });

  it('put the memory-mapped BLT registers where QEMU does, the rest of the window reading 0xFF', () => {
    // QEMU's cirrus_mmio_blt_read: colours, then GR20-GR2F, mode, ROP, mode extensions, key, key mask, start/status.
    const layout: Record<number, number> = {
      0: 0x00,
      1: 0x10,
      2: 0x12,
      3: 0x14,
      4: 0x01,
      5: 0x11,
      6: 0x13,
      7: 0x15,
      24: 0x30,
      26: 0x32,
      27: 0x33,
      28: 0x34,
      29: 0x35,
      32: 0x38,
      33: 0x39,
      64: 0x31,
    };
    for (let gr = 0x20; gr <= 0x2f; gr++) if (gr !== 0x2b) layout[gr - 0x18] = gr;
    const c = card();
    for (let offset = 0; offset < 0x100; offset++) {
      const gr = layout[offset];
      if (gr === undefined) {
        expect(c.vga.mmioWindow.read8(0x100 + offset), `offset ${offset}`).toBe(0xff);
        continue;
      }
      // GR31's START and RESET bits act; this value sets neither.
      const value = gr === 0x31 ? 0x80 : 0x15;
      c.vga.mmioWindow.write8(0x100 + offset, value);
      expect(c.gr(gr), `offset ${offset}`).toBe(value);
    }
  });
});
