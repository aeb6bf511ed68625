import {
  createVgaRegisters,
  DirtyPages,
  VGA_AR,
  VGA_CR,
  VGA_GR,
  VGA_SR,
  VgaCard,
  VgaRenderer,
} from '@plugboard/vga';
import { describe, expect, it } from 'vitest';

describe('DirtyPages', () => {
  it('takes video memory of a power of two of at least 4 KiB only', () => {
    expect(() => new DirtyPages(3 << 20)).toThrow(RangeError);
    expect(() => new DirtyPages(2048)).toThrow(RangeError);
    expect(new DirtyPages(1 << 20).pages.length).toBe(256);
  });

  it('wraps a span past the end of video memory to its start', () => {
    const d = new DirtyPages(1 << 16);
    d.clear();
    d.markSpan(0xf000 + 0xff0, 0x20);
    expect([...d.pages.keys()].filter((i) => d.pages[i])).toEqual([0, 15]);
    expect(d.touched(0x10000 + 5, 1)).toBe(true);
    expect(d.touched(0x1000, 0x1000)).toBe(false);
  });
});

describe('VgaCard', () => {
  const card = () => {
    const vga = new VgaCard(createVgaRegisters(1 << 18));
    vga.writePort(0x3c2, 0x01); // colour port set
    return vga;
  };

  it('keeps 6 bits of each DAC value and stores the entry on the third write', () => {
    const vga = card();
    vga.writePort(0x3c8, 2);
    vga.writePort(0x3c9, 0xff);
    vga.writePort(0x3c9, 0x40);
    expect(vga.state.palette[6]).toBe(0);
    vga.writePort(0x3c9, 0x21);
    expect([...vga.state.palette.subarray(6, 9)]).toEqual([0x3f, 0x00, 0x21]);
    vga.writePort(0x3c7, 2);
    expect([vga.readPort(0x3c9), vga.readPort(0x3c9), vga.readPort(0x3c9)]).toEqual([0x3f, 0x00, 0x21]);
  });

  it('protects CR00-CR07 while CR11 bit 7 is set, except CR07 bit 4', () => {
    const vga = card();
    const cr = (i: number, v: number) => {
      vga.writePort(0x3d4, i);
      vga.writePort(0x3d5, v);
      return vga.readPort(0x3d5);
    };
    expect(cr(0x01, 0x4f)).toBe(0x4f);
    cr(0x11, 0x80);
    expect(cr(0x01, 0x27)).toBe(0x4f);
    expect(cr(0x07, 0xff)).toBe(0x10);
    // The monochrome ports are not decoded while MISC selects colour.
    expect(vga.readPort(0x3b5)).toBe(0xff);
  });

  it('renders a blank frame until the attribute controller shows the palette', () => {
    const vga = card();
    const renderer = new VgaRenderer(vga.state, vga.dirty);
    vga.writePort(0x3d4, 0x01);
    vga.writePort(0x3d5, 0x4f); // 80 columns
    const frame = renderer.render();
    expect(frame.width).toBe(720);
    expect(frame.rgba.every((v, i) => (i % 4 === 3 ? v === 0xff : v === 0))).toBe(true);
  });
});

describe('VGA register tables', () => {
  it('name every register by its file and index in hex', () => {
    for (const [prefix, table] of [
      ['SR', VGA_SR],
      ['GR', VGA_GR],
      ['CR', VGA_CR],
      ['AR', VGA_AR],
    ] as const) {
      for (const e of table.elements) expect(e.name).toBe(prefix + e.offset.toString(16).toUpperCase());
    }
  });

  it('decide what reads back: writable bits, 0xFF past SR4, GR8 and CR18, 0 past AR14', () => {
    const vga = new VgaCard(createVgaRegisters(1 << 18));
    vga.writePort(0x3c2, 0x01);
    const sr = (i: number, v: number) => {
      vga.writePort(0x3c4, i);
      vga.writePort(0x3c5, v);
      return vga.readPort(0x3c5);
    };
    const gr = (i: number, v: number) => {
      vga.writePort(0x3ce, i);
      vga.writePort(0x3cf, v);
      return vga.readPort(0x3cf);
    };
    const ar = (i: number, v: number) => {
      vga.readPort(0x3da);
      vga.writePort(0x3c0, i);
      vga.writePort(0x3c0, v);
      vga.writePort(0x3c0, i);
      return vga.readPort(0x3c1);
    };
    expect([0, 1, 2, 3, 4, 5].map((i) => sr(i, 0xff))).toEqual([0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0xff]);
    expect([0, 3, 4, 5, 8, 9].map((i) => gr(i, 0xff))).toEqual([0x0f, 0x1f, 0x03, 0x7b, 0xff, 0xff]);
    expect([0x00, 0x10, 0x11, 0x13, 0x14, 0x15].map((i) => ar(i, 0xff))).toEqual([
      0x3f, 0xef, 0xff, 0x0f, 0x0f, 0,
    ]);
    vga.writePort(0x3d4, 0x19);
    vga.writePort(0x3d5, 0x12);
    expect(vga.readPort(0x3d5)).toBe(0xff);
  });
});
