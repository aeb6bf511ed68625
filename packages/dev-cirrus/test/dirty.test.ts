import type { Rect } from '@plugboard/core';
import { Renderer } from '@plugboard/dev-cirrus';
import { describe, expect, it } from 'vitest';
import { blt, type Card, card } from './card.js';

const PAGE = 4096;

const dirtyPages = (c: Card) => [...c.vga.dirty.pages.keys()].filter((i) => c.vga.dirty.pages[i]);

/** Full-width damage for the lines [first, last]. */
const lines = (width: number, first: number, last: number): Rect[] => [
  { x: 0, y: first, w: width, h: last - first + 1 },
];

/** 1024x768 at 5:6:5 with a 2048-byte line: each 4 KiB page is two lines. */
function hicolor(): Card {
  const c = card();
  c.ar(0x10, 0x01);
  c.out(0x3c0, 0x20);
  c.sr(0x06, 0x12);
  c.cr(0x01, 0x7f);
  c.cr(0x12, 0xff);
  c.cr(0x07, 0x40);
  c.cr(0x13, 0x00);
  c.cr(0x1b, 0x10);
  c.sr(0x07, 0x07);
  for (let i = 0; i < 4; i++) c.inb(0x3c6);
  c.out(0x3c6, 0xc1);
  return c;
}

/** 640x480 16-colour planar (mode 12h's registers that matter): 320 bytes of video memory a line. */
function planar(): Card {
  const c = card();
  c.ar(0x10, 0x01);
  c.ar(0x12, 0x0f);
  for (let i = 0; i < 16; i++) c.ar(i, i);
  c.out(0x3c0, 0x20);
  c.cr(0x01, 0x4f);
  c.cr(0x12, 0xdf);
  c.cr(0x07, 0x02);
  c.cr(0x09, 0x40);
  c.cr(0x13, 0x28);
  c.gr(0x06, 0x05);
  c.sr(0x04, 0x06);
  c.sr(0x02, 0x0f);
  c.gr(0x08, 0xff);
  c.out(0x3c8, 0);
  for (let i = 0; i < 48; i++) c.out(0x3c9, (i * 5) & 0x3f);
  return c;
}

/** 80x25 text, 9-dot cells, 16 lines a row, odd/even at 0xB8000. */
function text(): Card {
  const c = card();
  c.ar(0x10, 0x0c);
  c.ar(0x12, 0x0f);
  for (let i = 0; i < 16; i++) c.ar(i, i);
  c.out(0x3c0, 0x20);
  c.cr(0x01, 0x4f);
  c.cr(0x12, 0x8f);
  c.cr(0x07, 0x1f);
  c.cr(0x09, 0x0f);
  c.cr(0x0a, 0x20); // no cursor
  c.cr(0x13, 0x28);
  c.gr(0x05, 0x10);
  c.gr(0x06, 0x0e);
  c.gr(0x04, 0x00);
  c.sr(0x04, 0x02);
  c.sr(0x02, 0x03);
  c.out(0x3c8, 0);
  for (let i = 0; i < 48; i++) c.out(0x3c9, 63 - i);
  for (let ch = 0; ch < 256; ch++)
    for (let l = 0; l < 16; l++) c.vga.state.vram[(ch * 32 + l) * 4 + 2] = ch ^ l;
  return c;
}

/**
 * Renders, then checks the damage, and that only the damaged lines were
 * redrawn: the others still show `before`, and `staleLine`, written behind
 * the tracking's back, still shows the old picture where a fresh renderer
 * shows the new one.
 */
function check(c: Card, r: Renderer, before: Uint8Array, damage: Rect[], staleLine: number | null): void {
  const f = r.render();
  expect(f.damage).toEqual(damage);
  const full = new Renderer(c.vga.state, c.vga.dirty).render();
  const row = (frame: Uint8Array, y: number) =>
    Buffer.from(frame.buffer, frame.byteOffset + y * f.width * 4, f.width * 4);
  const wrong: number[] = [];
  for (let y = 0; y < f.height; y++) {
    const redrawn = damage.some((d) => y >= d.y && y < d.y + d.h);
    if (!row(f.rgba, y).equals(row(redrawn ? full.rgba : before, y))) wrong.push(y);
  }
  expect(wrong).toEqual([]);
  if (staleLine !== null) expect(row(f.rgba, staleLine).equals(row(full.rgba, staleLine))).toBe(false);
}

/** A renderer that has drawn everything, and a copy of its frame. */
function drawn(c: Card): { r: Renderer; before: Uint8Array } {
  const r = new Renderer(c.vga.state, c.vga.dirty);
  const before = Uint8Array.from(r.render().rgba);
  expect(dirtyPages(c)).toEqual([]);
  return { r, before };
}

describe('dirty tracking', () => {
  it('marks the page of a linear-aperture write (8 and 32 bits) and redraws only its lines', () => {
    const c = hicolor();
    const { r, before } = drawn(c);
    c.vga.linearWindow.write8(5 * PAGE + 3, 0xff);
    c.vga.state.vram[300 * 2048] = 0xff; // behind the tracking's back: line 300 stays stale
    expect(dirtyPages(c)).toEqual([5]);
    check(c, r, before, lines(1024, 10, 11), 300);

    const next = Uint8Array.from(r.render().rgba);
    c.vga.linearWindow.write32!(0x400000 - 2, 0xffffffff); // the last two bytes, then (wrapped) the first two
    expect(dirtyPages(c)).toEqual([0, 1023]);
    check(c, r, next, [...lines(1024, 0, 1)], null);
  });

  it('marks every page a colour-expanding write (modes 4 and 5, X8 and X16) touches', () => {
    const c = hicolor();
    drawn(c);
    c.gr(0x0b, 0x04);
    c.gr(0x05, 0x04);
    c.vga.linearWindow.write8(7 * PAGE + 0xffc, 0xff); // 8 bytes: 0x7ffc-0x8003
    expect(dirtyPages(c)).toEqual([7, 8]);
    c.vga.dirty.clear();
    c.gr(0x0b, 0x14);
    c.gr(0x05, 0x05);
    c.vga.linearWindow.write8(PAGE - 8, 0x00); // X16: byte offset 0xff8 << 4, 16 bytes
    expect(dirtyPages(c)).toEqual([(((PAGE - 8) << 4) >>> 12) & 1023]);
  });

  it('marks the page behind the Cirrus bank window, in 4 KiB and 16 KiB granularity', () => {
    const c = hicolor();
    const { r, before } = drawn(c);
    c.gr(0x09, 3);
    c.vga.legacyWindow.write8(0x10, 0xff);
    expect(dirtyPages(c)).toEqual([3]);
    check(c, r, before, lines(1024, 6, 7), null);
    c.gr(0x0b, 0x20);
    c.gr(0x09, 2);
    c.vga.legacyWindow.write8(0x8001, 0xff); // second half of the single bank: +32 KiB
    expect(dirtyPages(c)).toEqual([(2 * 0x4000 + 0x8001) >>> 12]);
  });

  for (const mode of [0, 1, 2, 3]) {
    it(`marks the page of a planar write in write mode ${mode} and redraws only the lines in it`, () => {
      const c = planar();
      const { r, before } = drawn(c);
      c.gr(0x05, mode);
      c.vga.legacyWindow.read8(0); // load the latches from a non-zero dword
      c.vga.state.vram.set([1, 2, 3, 4], 0);
      c.vga.legacyWindow.read8(0);
      c.vga.legacyWindow.write8(8000, 0x5a);
      c.vga.state.vram[400 * 320] = 0xff; // line 400, page 31: not marked
      expect(dirtyPages(c)).toEqual([7]);
      expect(c.vga.dirty.font).toBe(true); // plane 2 was enabled
      // Page 7 holds bytes 28672-32767: lines 89 (from byte 28480) to 102.
      check(c, r, before, lines(640, 89, 102), 400);
    });
  }

  it('flags the font only when plane 2 is written', () => {
    const c = planar();
    drawn(c);
    c.sr(0x02, 0x0b);
    c.vga.legacyWindow.write8(100, 0xff);
    expect(c.vga.dirty.font).toBe(false);
    c.sr(0x02, 0x04);
    c.vga.legacyWindow.write8(100, 0xff);
    expect(c.vga.dirty.font).toBe(true);
  });

  it('marks chain-4 writes by byte (mode 13h)', () => {
    const c = card();
    c.ar(0x10, 0x41);
    c.out(0x3c0, 0x20);
    c.gr(0x05, 0x40);
    c.gr(0x06, 0x05);
    c.sr(0x04, 0x0e);
    c.sr(0x02, 0x0f);
    c.cr(0x01, 0x4f);
    c.cr(0x12, 0x8f);
    c.cr(0x07, 0x1f);
    c.cr(0x09, 0x41);
    c.cr(0x13, 0x28);
    c.out(0x3c8, 0);
    for (let i = 0; i < 768; i++) c.out(0x3c9, i & 0x3f);
    const { r, before } = drawn(c);
    c.vga.legacyWindow.write8(320 * 100 + 5, 77);
    expect(dirtyPages(c)).toEqual([7]);
    // 320 bytes a line: page 7 (28672-32767) is lines 89-102.
    check(c, r, before, lines(320, 89, 102), null);
  });

  it('redraws the character rows of an odd/even text write, and everything after a font write', () => {
    const c = text();
    const { r, before } = drawn(c);
    const cell = 20 * 80 + 3;
    c.vga.legacyWindow.write8(0x18000 + cell * 2, 0x41);
    c.vga.legacyWindow.write8(0x18000 + cell * 2 + 1, 0x1e);
    expect(dirtyPages(c)).toEqual([1]);
    expect(c.vga.dirty.font).toBe(false);
    // Page 1 holds cells 1024-2047: rows 12 (cells 960-1039) to 24.
    check(c, r, before, lines(720, 12 * 16, 25 * 16 - 1), null);
    c.sr(0x02, 0x04);
    c.gr(0x04, 0x02);
    c.gr(0x05, 0x00);
    c.vga.legacyWindow.write8(0x18000 + 0x41 * 32, 0xff); // plane 2: the glyph of 'A'
    expect(c.vga.dirty.font).toBe(true);
    expect(r.render().damage).toEqual(lines(720, 0, 399));
  });

  it('marks the lines a BitBLT writes: forward and backward copies, solid fill, system-to-screen', () => {
    const c = hicolor();
    const { r, before } = drawn(c);
    for (let i = 0; i < 128; i++) c.vga.state.vram[i] = i * 3;
    c.vga.dirty.clear();
    blt(c, { w: 128, h: 4, dpitch: 2048, spitch: 2048, dst: 100 * 2048 + 64, src: 0, mode: 0, rop: 0x0d });
    expect(dirtyPages(c)).toEqual([50, 51]);
    check(c, r, before, lines(1024, 100, 103), null);

    // Backwards: the addresses are the last bytes; three lines ending on line 201, from three lines ending on line 2 (a source reaching below video memory is refused).
    blt(c, {
      w: 16,
      h: 3,
      dpitch: 2048,
      spitch: 2048,
      dst: 201 * 2048 + 15,
      src: 2 * 2048 + 15,
      mode: 0x01,
      rop: 0x0d,
    });
    expect(dirtyPages(c)).toEqual([99, 100]);
    expect(r.render().damage).toEqual(lines(1024, 198, 201));

    blt(c, {
      ...{ w: 32, h: 2, dpitch: 2048, spitch: 0, dst: 500 * 2048, src: 0 },
      ...{ mode: 0xc0 | 0x10, rop: 0x0d, ext: 0x04, fg: 0xf800 },
    });
    expect(dirtyPages(c)).toEqual([250]);
    expect(r.render().damage).toEqual(lines(1024, 500, 501));

    // System to screen: each line is marked when its data has arrived.
    blt(c, { w: 8, h: 2, dpitch: 2048, spitch: 0, dst: 700 * 2048, src: 0, mode: 0x04, rop: 0x0d });
    expect(dirtyPages(c)).toEqual([]);
    for (let i = 0; i < 8; i++) c.vga.linearWindow.write8(0x1000000 + i, 0xff);
    expect(dirtyPages(c)).toEqual([350]);
  });

  it('redraws the whole frame after a palette, start address, mode or cursor change, and not after write-path registers', () => {
    const c = hicolor();
    const { r } = drawn(c);
    const all = lines(1024, 0, 767);
    c.gr(0x00, 0x0f); // set/reset, bank, BLT registers: how the CPU writes, not what shows
    c.gr(0x09, 0x04);
    c.sr(0x02, 0x03);
    c.cr(0x13, 0x00); // the same value again
    expect(r.render().damage).toEqual([]);
    c.out(0x3c8, 1);
    for (const v of [1, 2, 3]) c.out(0x3c9, v);
    expect(r.render().damage).toEqual(all);
    c.cr(0x0d, 0x10);
    expect(r.render().damage).toEqual(all);
    c.sr(0x10, 0x20); // hardware cursor x
    expect(r.render().damage).toEqual(all);
    c.out(0x3c0, 0x00); // attribute index without PAS: blank
    expect(r.render().damage).toEqual(all);
    expect(r.render().damage).toEqual([]);
  });

  it('redraws every line of a new mode with as many pixels as the last', () => {
    const c = hicolor();
    const { r } = drawn(c);
    c.cr(0x01, 0x5f); // 768 pixels
    c.cr(0x12, 0xff);
    c.cr(0x07, 0x42); // 1024 lines
    c.vga.state.vram.fill(0xff, 1023 * 2048, 1023 * 2048 + 2);
    const f = r.render();
    expect([f.width, f.height]).toEqual([768, 1024]);
    expect(f.damage).toEqual(lines(768, 0, 1023));
    expect([...f.rgba.subarray(1023 * 768 * 4, 1023 * 768 * 4 + 4)]).toEqual([255, 255, 255, 255]);
  });

  it('redraws the lines under the hardware cursor together, and everything when its pattern changes', () => {
    const c = hicolor();
    c.sr(0x12, 0x01);
    c.sr(0x10, 10);
    c.sr(0x11, 20); // y 160, 32 lines
    c.sr(0x13, 0);
    c.vga.state.vram.fill(0xff, 0x3fc000, 0x3fc000 + 128); // plane 0 set, plane 1 clear: invert
    const { r, before } = drawn(c);
    c.vga.linearWindow.write8(600 * 2048, 1); // far from the cursor: it must not be inverted twice
    check(c, r, before, lines(1024, 600, 601), null);
    c.vga.linearWindow.write8(170 * 2048, 1); // page 85: lines 170-171, under the cursor
    expect(r.render().damage).toEqual(lines(1024, 160, 191));
    c.vga.linearWindow.write8(0x3fc000, 0xff); // the cursor pattern
    expect(r.render().damage).toEqual(lines(1024, 0, 767));
  });
});
