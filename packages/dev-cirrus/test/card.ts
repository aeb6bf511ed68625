import type { Clock } from '@plugboard/core';
import { CirrusVga } from '@plugboard/dev-cirrus';

/**
 * A card with MISC set as the BIOS sets it, and register helpers that write
 * then read back; with a `clock`, large BLTs go on in steps as in a machine.
 */
export function card(clock: Clock | null = null) {
  const vga = new CirrusVga(clock);
  const out = (port: number, v: number) => vga.writePort(port, v);
  const inb = (port: number) => vga.readPort(port);
  const sr = (i: number, v?: number) => {
    out(0x3c4, i);
    if (v !== undefined) out(0x3c5, v);
    return inb(0x3c5);
  };
  const gr = (i: number, v?: number) => {
    out(0x3ce, i);
    if (v !== undefined) out(0x3cf, v);
    return inb(0x3cf);
  };
  const cr = (i: number, v?: number) => {
    out(0x3d4, i);
    if (v !== undefined) out(0x3d5, v);
    return inb(0x3d5);
  };
  const ar = (i: number, v: number) => {
    inb(0x3da);
    out(0x3c0, i);
    out(0x3c0, v);
  };
  out(0x3c2, 0x67); // colour ports, as the BIOS sets MISC
  return { vga, out, inb, sr, gr, cr, ar };
}

export type Card = ReturnType<typeof card>;

/** Programs a BLT through the memory-mapped BLT registers (BAR1 + 0x100). */
export function blt(
  c: ReturnType<typeof card>,
  p: {
    w: number;
    h: number;
    dpitch: number;
    spitch: number;
    dst: number;
    src: number;
    mode: number;
    rop: number;
    ext?: number;
    fg?: number;
    bg?: number;
  },
) {
  const w8 = (o: number, v: number) => c.vga.mmioWindow.write8(0x100 + o, v);
  const w16 = (o: number, v: number) => {
    w8(o, v & 0xff);
    w8(o + 1, v >> 8);
  };
  const w32 = (o: number, v: number) => {
    w16(o, v & 0xffff);
    w16(o + 2, v >>> 16);
  };
  w32(0x00, p.bg ?? 0);
  w32(0x04, p.fg ?? 0);
  w16(0x08, p.w - 1);
  w16(0x0a, p.h - 1);
  w16(0x0c, p.dpitch);
  w16(0x0e, p.spitch);
  w32(0x10, p.dst);
  w32(0x14, p.src);
  w8(0x18, p.mode);
  w8(0x1a, p.rop);
  w8(0x1b, p.ext ?? 0);
  w8(0x40, 0x02);
}
