import { Clock } from '@plugboard/core';
import { BLT_STEP_BYTES, CirrusVga, Renderer, VRAM_SIZE } from '@plugboard/dev-cirrus';
import { describe, expect, it } from 'vitest';
import { blt, card } from './card.js';

describe('CL-GD5446 registers', () => {
  it('identifies as a CL-GD5446 with 4 MiB and unlocks its extensions only with 0x12', () => {
    const c = card();
    expect(c.cr(0x27)).toBe(0xb8);
    expect(c.sr(0x06)).toBe(0x0f);
    expect(c.sr(0x06, 0x34)).toBe(0x0f);
    expect(c.sr(0x06, 0x12)).toBe(0x12);
    expect(c.sr(0x0f) & 0x18).toBe(0x18);
    expect(c.sr(0x15)).toBe(0x04);
  });

  it('unlocks the hidden DAC register after four reads of 0x3C6', () => {
    const c = card();
    for (let i = 0; i < 4; i++) expect(c.inb(0x3c6)).toBe(0xff);
    c.out(0x3c6, 0xe1);
    expect(c.vga.state.hiddenDac).toBe(0xe1);
    for (let i = 0; i < 4; i++) c.inb(0x3c6);
    expect(c.inb(0x3c6)).toBe(0xe1);
  });

  it('reads back the DAC in R, G, B order with auto-increment', () => {
    const c = card();
    c.out(0x3c8, 7);
    for (const v of [1, 2, 3, 4, 5, 6]) c.out(0x3c9, v);
    c.out(0x3c7, 7);
    expect([1, 2, 3, 4, 5, 6].map(() => c.inb(0x3c9))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('protects CR00-CR07 with CR11 bit 7 except CR07 bit 4, and ignores the mono ports in colour mode', () => {
    const c = card();
    c.cr(0x01, 0x4f);
    c.cr(0x11, 0x80);
    c.cr(0x01, 0x27);
    expect(c.cr(0x01)).toBe(0x4f);
    c.cr(0x07, 0xff);
    expect(c.cr(0x07)).toBe(0x10);
    c.out(0x3b4, 0x01);
    expect(c.inb(0x3b5)).toBe(0xff);
  });

  it('resets the attribute flip-flop on an input status read, and flips retrace on every read', () => {
    const vga = new CirrusVga();
    vga.writePort(0x3c2, 0x01);
    vga.writePort(0x3c0, 0x10);
    vga.readPort(0x3da);
    vga.writePort(0x3c0, 0x11);
    expect(vga.state.arIndex).toBe(0x11);
    // A loop waiting for retrace to start, then to end, finishes within two reads each.
    const reads = [0, 1, 2, 3].map(() => vga.readPort(0x3da) & 0x09);
    expect(reads).toEqual([0x00, 0x09, 0x00, 0x09]);
  });
});

describe('VGA memory', () => {
  it('writes planes through the map mask and reads them back through the read map select', () => {
    const c = card();
    c.sr(0x02, 0x05); // planes 0 and 2
    c.gr(0x08, 0xff); // every bit from the CPU, as the BIOS leaves it
    c.vga.legacyWindow.write8(0x10, 0xaa);
    expect(c.vga.state.vram.subarray(0x40, 0x44)).toEqual(Uint8Array.from([0xaa, 0, 0xaa, 0]));
    c.gr(0x04, 2);
    expect(c.vga.legacyWindow.read8(0x10)).toBe(0xaa);
  });

  it('applies set/reset, the logical operation, the bit mask and the latches in write mode 0', () => {
    const c = card();
    c.sr(0x02, 0x0f);
    c.vga.state.vram.set([0xf0, 0xf0, 0xf0, 0xf0], 0);
    c.vga.legacyWindow.read8(0); // load latches
    c.gr(0x00, 0x03); // set/reset value: planes 0, 1
    c.gr(0x01, 0x0f); // set/reset enabled everywhere
    c.gr(0x08, 0x3c); // bit mask
    c.vga.legacyWindow.write8(0, 0);
    expect([...c.vga.state.vram.subarray(0, 4)]).toEqual([0xfc, 0xfc, 0xf0 & ~0x3c, 0xf0 & ~0x3c]);
    c.gr(0x01, 0);
    c.gr(0x03, 0x18); // XOR with latches
    c.gr(0x08, 0xff);
    c.vga.legacyWindow.read8(0);
    c.vga.legacyWindow.write8(0, 0xff);
    expect([...c.vga.state.vram.subarray(0, 4)]).toEqual([0x03, 0x03, 0x3f, 0x3f]);
  });

  it('copies latches in write mode 1, expands colours in mode 2, and compares colours in read mode 1', () => {
    const c = card();
    c.sr(0x02, 0x0f);
    c.vga.state.vram.set([1, 2, 3, 4], 8);
    c.vga.legacyWindow.read8(2);
    c.gr(0x05, 0x01);
    c.vga.legacyWindow.write8(5, 0);
    expect([...c.vga.state.vram.subarray(20, 24)]).toEqual([1, 2, 3, 4]);
    c.gr(0x05, 0x02);
    c.gr(0x08, 0x0f);
    c.vga.legacyWindow.read8(6);
    c.vga.legacyWindow.write8(6, 0x05);
    expect([...c.vga.state.vram.subarray(24, 28)]).toEqual([0x0f, 0, 0x0f, 0]);
    c.gr(0x05, 0x08);
    c.gr(0x02, 0x05);
    c.gr(0x07, 0x0f);
    expect(c.vga.legacyWindow.read8(6)).toBe(0x0f);
  });

  it('addresses bytes directly in chain-4 mode', () => {
    const c = card();
    c.sr(0x04, 0x08);
    c.sr(0x02, 0x0f);
    c.vga.legacyWindow.write8(321, 0x42);
    expect(c.vga.state.vram[321]).toBe(0x42);
    expect(c.vga.legacyWindow.read8(321)).toBe(0x42);
  });

  it('banks the extended window by GR09/GR0A in 4 KiB or 16 KiB steps, dual or single', () => {
    const c = card();
    c.sr(0x06, 0x12);
    c.sr(0x07, 0x01);
    c.gr(0x09, 0x10);
    c.vga.legacyWindow.write8(0x0005, 0x11);
    expect(c.vga.state.vram[0x10005]).toBe(0x11);
    c.vga.legacyWindow.write8(0x8005, 0x22); // single bank: second half follows at +32 KiB
    expect(c.vga.state.vram[0x18005]).toBe(0x22);
    c.gr(0x0b, 0x21); // dual banks, 16 KiB granularity
    c.gr(0x0a, 0x02);
    c.vga.legacyWindow.write8(0x8001, 0x33);
    expect(c.vga.state.vram[0x8001]).toBe(0x33);
    c.gr(0x0b, 0x20); // single bank: the second half sits 32 KiB above the first
    c.gr(0x09, 0xff); // 0x3FC000 + 32 KiB lies beyond 4 MiB: that half reads as nothing
    expect(c.vga.legacyWindow.read8(0x8001)).toBe(0xff);
  });

  it('expands colour in write modes 4 and 5 through the linear aperture', () => {
    const c = card();
    c.gr(0x0b, 0x04);
    c.gr(0x05, 0x05);
    c.gr(0x00, 0x11);
    c.gr(0x01, 0x22);
    c.vga.linearWindow.write8(0x100, 0b10100000);
    expect([...c.vga.state.vram.subarray(0x100, 0x108)]).toEqual([
      0x22, 0x11, 0x22, 0x11, 0x11, 0x11, 0x11, 0x11,
    ]);
  });
});

describe('BitBLT', () => {
  it('copies a rectangle forward and backward (overlapping) with the SRC rop', () => {
    const c = card();
    const v = c.vga.state.vram;
    for (let i = 0; i < 64; i++) v[i] = i;
    blt(c, { w: 8, h: 4, dpitch: 16, spitch: 16, dst: 0x1000, src: 0, mode: 0, rop: 0x0d });
    expect([...v.subarray(0x1010, 0x1018)]).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    // Backward copy one byte to the right over itself: addresses are the last bytes.
    blt(c, { w: 8, h: 1, dpitch: 16, spitch: 16, dst: 8, src: 7, mode: 0x01, rop: 0x0d });
    expect([...v.subarray(0, 9)]).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7]);
    expect(c.gr(0x31) & 0x01).toBe(0);
  });

  it('combines source and destination with each raster operation', () => {
    const cases: [number, number][] = [
      [0x00, 0x00],
      [0x05, 0x0c & 0x0a],
      [0x06, 0x0a],
      [0x59, 0x0c ^ 0x0a],
      [0x6d, 0x0e],
      [0xd0, 0xf3],
      [0x0b, 0xf5],
      [0x0e, 0xff],
      [0x95, ~(0x0c ^ 0x0a) & 0xff],
    ];
    for (const [rop, expected] of cases) {
      const c = card();
      c.vga.state.vram[0] = 0x0c;
      c.vga.state.vram[0x100] = 0x0a;
      blt(c, { w: 1, h: 1, dpitch: 1, spitch: 1, dst: 0x100, src: 0, mode: 0, rop });
      expect(c.vga.state.vram[0x100], `rop ${rop.toString(16)}`).toBe(expected);
    }
  });

  it('fills solid at 16 bpp and expands monochrome source with and without transparency', () => {
    const c = card();
    const v = c.vga.state.vram;
    blt(c, {
      w: 8,
      h: 2,
      dpitch: 32,
      spitch: 0,
      dst: 0x2000,
      src: 0,
      mode: 0xc0 | 0x10,
      rop: 0x0d,
      ext: 0x04,
      fg: 0xbeef,
    });
    expect([...v.subarray(0x2000, 0x2008)]).toEqual([0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe]);
    expect(v[0x2020 + 6]).toBe(0xef);
    v[0x3000] = 0b10010000;
    blt(c, {
      w: 4,
      h: 1,
      dpitch: 4,
      spitch: 1,
      dst: 0x3100,
      src: 0x3000,
      mode: 0x80,
      rop: 0x0d,
      fg: 0xaa,
      bg: 0x55,
    });
    expect([...v.subarray(0x3100, 0x3104)]).toEqual([0xaa, 0x55, 0x55, 0xaa]);
    v.fill(0x77, 0x3200, 0x3204);
    blt(c, { w: 4, h: 1, dpitch: 4, spitch: 1, dst: 0x3200, src: 0x3000, mode: 0x88, rop: 0x0d, fg: 0xaa });
    expect([...v.subarray(0x3200, 0x3204)]).toEqual([0xaa, 0x77, 0x77, 0xaa]);
  });

  it('tiles an 8x8 colour pattern', () => {
    const c = card();
    const v = c.vga.state.vram;
    for (let i = 0; i < 64; i++) v[0x4000 + i] = i;
    blt(c, { w: 16, h: 9, dpitch: 16, spitch: 0, dst: 0x5000, src: 0x4000, mode: 0x40, rop: 0x0d });
    expect(v[0x5000 + 9]).toBe(1);
    expect(v[0x5000 + 16 * 3 + 2]).toBe(26);
    expect(v[0x5000 + 16 * 8]).toBe(0);
  });

  it('takes system-to-screen source data through the BLT aperture, line by line', () => {
    const c = card();
    blt(c, { w: 3, h: 2, dpitch: 8, spitch: 0, dst: 0x6000, src: 0, mode: 0x04, rop: 0x0d });
    expect(c.vga.blt.active).toBe(true);
    // Each line's data is padded to a dword.
    for (const b of [1, 2, 3, 0, 4, 5, 6, 0]) c.vga.linearWindow.write8(0x1000000, b);
    expect([...c.vga.state.vram.subarray(0x6000, 0x6003)]).toEqual([1, 2, 3]);
    expect([...c.vga.state.vram.subarray(0x6008, 0x600b)]).toEqual([4, 5, 6]);
    expect(c.vga.blt.active).toBe(false);
  });

  /** Video memory filled with a pattern no BLT here writes, and a copy to compare with. */
  function patterned(c: ReturnType<typeof card>) {
    const v = c.vga.state.vram;
    for (let i = 0; i < v.length; i++) v[i] = (i * 7 + (i >> 12)) & 0x7f;
    return { v, before: v.slice() };
  }

  /** Offsets where video memory differs from `before`. */
  function changed(v: Uint8Array, before: Uint8Array): number[] {
    const at: number[] = [];
    for (let i = 0; i < v.length; i++) if (v[i] !== before[i]) at.push(i);
    return at;
  }

  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('CVE-2016-9921 (QEMU divided by the pitch): a BLT with pitch 0 writes its one line over and over and nothing else', () => {
    const c = card();
    const { v, before } = patterned(c);
    blt(c, { w: 16, h: 64, dpitch: 0, spitch: 0, dst: 0x2000, src: 0x100, mode: 0x00, rop: 0x0d });
    expect(changed(v, before)).toEqual(
      range(0x2000, 0x2010).filter((i) => before[i] !== before[i - 0x2000 + 0x100]),
    );
    expect([...v.subarray(0x2000, 0x2010)]).toEqual([...before.subarray(0x100, 0x110)]);
  });

  it('CVE-2017-2615: a backward BLT whose rectangle reaches below video memory is refused, no byte changes', () => {
    const c = card();
    const { v, before } = patterned(c);
    // Three lines 0x100 apart ending at 0x10: the first would start 0x1f1 bytes below address 0.
    blt(c, { w: 32, h: 3, dpitch: 0x100, spitch: 0x100, dst: 0x10, src: 0x2010, mode: 0x01, rop: 0x0d });
    expect(changed(v, before)).toEqual([]);
    // Its source reaching below, with the destination inside: refused as well.
    blt(c, { w: 32, h: 3, dpitch: 0x100, spitch: 0x100, dst: 0x2010, src: 0x10, mode: 0x01, rop: 0x0d });
    expect(changed(v, before)).toEqual([]);
    // The same rectangle one line higher fits exactly (its first byte is address 0) and is done.
    blt(c, { w: 32, h: 3, dpitch: 0x100, spitch: 0x100, dst: 0x21f, src: 0x221f, mode: 0x01, rop: 0x0d });
    const want = [...range(0x0, 0x20), ...range(0x100, 0x120), ...range(0x200, 0x220)];
    expect(changed(v, before)).toEqual(want.filter((i) => before[i] !== before[i + 0x2000]));
    for (const i of want) expect(v[i]).toBe(before[i + 0x2000]);
  });

  it('CVE-2017-2620: a system-to-screen BLT past the end of video memory is refused, its data goes nowhere', () => {
    const c = card();
    const { v, before } = patterned(c);
    blt(c, { w: 512, h: 2, dpitch: 512, spitch: 0, dst: VRAM_SIZE - 512, src: 0, mode: 0x04, rop: 0x0d });
    expect(c.vga.blt.active).toBe(false);
    for (let i = 0; i < 1024; i++) c.vga.linearWindow.write8(0x1000000 + i, 0xff);
    expect(changed(v, before)).toEqual([]);
    // One line fits exactly at the end: its 512 bytes of 0xff land there and nowhere else.
    blt(c, { w: 512, h: 1, dpitch: 512, spitch: 0, dst: VRAM_SIZE - 512, src: 0, mode: 0x04, rop: 0x0d });
    expect(c.vga.blt.active).toBe(true);
    for (let i = 0; i < 512; i++) c.vga.linearWindow.write8(0x1000000 + i, 0xff);
    expect(changed(v, before)).toEqual(range(VRAM_SIZE - 512, VRAM_SIZE));
    expect(c.vga.blt.active).toBe(false);
  });

  it('refuses a BLT that would write more than video memory holds (8192 x 65536): one register write stays bounded', () => {
    const c = card();
    const { v, before } = patterned(c);
    let lines = 0;
    const mark = c.vga.dirty.markSpan.bind(c.vga.dirty);
    c.vga.dirty.markSpan = (from: number, length: number) => {
      lines++;
      mark(from, length);
    };
    blt(c, { w: 8192, h: 65536, dpitch: 0, spitch: 0, dst: 0, src: 0x10000, mode: 0x00, rop: 0x0d });
    blt(c, { w: 8192, h: 65536, dpitch: 0, spitch: 0, dst: 0, src: 0, mode: 0x40, rop: 0x0d });
    // A pattern the guest writes is tiled over the whole rectangle too: refused before any byte arrives.
    blt(c, { w: 8192, h: 65536, dpitch: 0, spitch: 0, dst: 0, src: 0, mode: 0xc4, rop: 0x0d });
    for (let i = 0; i < 8; i++) c.vga.linearWindow.write8(0x1000000 + i, 0xff);
    expect(lines).toBe(0);
    expect(changed(v, before)).toEqual([]);
    // The largest allowed: as many bytes as video memory, 4 MiB, in 512 lines.
    blt(c, { w: 8192, h: 512, dpitch: 8192, spitch: 0, dst: 0, src: 0, mode: 0xc0, rop: 0x0d, ext: 0x04 });
    expect(lines).toBe(512);
    // A hostile system-to-screen BLT does one line per line of data, whatever its height: no data, no work.
    blt(c, { w: 8192, h: 8192, dpitch: 0, spitch: 0, dst: 0, src: 0, mode: 0x04, rop: 0x0d });
    for (let i = 0; i < 8192; i++) c.vga.linearWindow.write8(0x1000000 + i, 0xff);
    expect(lines).toBe(513);
    c.gr(0x31, 0x04);
    c.gr(0x31, 0x00);
    expect(c.vga.blt.active).toBe(false);
  });

  it('runs a BLT larger than a step across virtual time, BUSY meanwhile, to the same bytes as at once', () => {
    const clock = new Clock();
    const stepped = card(clock);
    const atOnce = card();
    for (const c of [stepped, atOnce]) {
      const v = c.vga.state.vram;
      for (let i = 0; i < v.length; i++) v[i] = (i * 7 + (i >> 12)) & 0xff;
      c.sr(0x06, 0x12);
    }
    // The largest allowed: a 4 MiB pattern fill XORed over video memory that holds its own pattern.
    const p = { w: 8192, h: 512, dpitch: 8192, spitch: 0, dst: 0, src: 0x100, mode: 0x40, rop: 0x59 };
    blt(atOnce, p);
    blt(stepped, p);
    const v = stepped.vga.state.vram;
    const rows = BLT_STEP_BYTES / 8192;
    expect(stepped.gr(0x31) & 0x03).toBe(0x03);
    // One step done; the rest untouched so far.
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    expect(same(v.subarray(0, rows * 8192), atOnce.vga.state.vram.subarray(0, rows * 8192))).toBe(true);
    expect(v[rows * 8192]).toBe((rows * 8192 * 7 + ((rows * 8192) >> 12)) & 0xff);
    // START again (and AUTOSTART's trigger) while busy changes nothing.
    const snapshot = v.slice();
    stepped.gr(0x31, 0x00);
    stepped.gr(0x31, 0x02);
    expect(same(v, snapshot)).toBe(true);
    expect(clock.nextDeadline).toBe(BLT_STEP_BYTES);
    let steps = 1;
    while (stepped.gr(0x31) & 0x01) {
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
      steps++;
    }
    // One byte operation per ns of virtual time: 4 MiB in four steps, done at 3 MiB ns (the first step is at once).
    expect([steps, clock.now]).toEqual([4, 3 * BLT_STEP_BYTES]);
    expect(stepped.gr(0x31) & 0x03).toBe(0);
    expect(same(v, atOnce.vga.state.vram)).toBe(true);
  });

  it('decodes the BLT registers at 0xB8000 when SR17 enables memory-mapped I/O', () => {
    const c = card();
    c.sr(0x06, 0x12);
    c.sr(0x07, 0x01);
    c.sr(0x17, 0x04);
    c.vga.legacyWindow.write8(0x18000 + 0x1a, 0x59);
    expect(c.gr(0x32)).toBe(0x59);
  });
});

describe('Renderer', () => {
  it('draws mode-13h-style chain-4 pixels through the DAC', () => {
    const c = card();
    c.ar(0x10, 0x41);
    c.out(0x3c0, 0x20); // PAS: the palette drives the screen
    c.gr(0x05, 0x40);
    c.sr(0x04, 0x0e);
    c.sr(0x02, 0x0f);
    c.cr(0x01, 0x4f);
    c.cr(0x12, 0x8f);
    c.cr(0x07, 0x1f);
    c.cr(0x09, 0x41);
    c.cr(0x13, 0x28);
    c.out(0x3c8, 5);
    for (const v of [63, 32, 0]) c.out(0x3c9, v);
    c.vga.legacyWindow.write8(320 * 10 + 7, 5);
    const f = new Renderer(c.vga.state, c.vga.dirty).render();
    expect([f.width, f.height]).toEqual([320, 200]);
    const i = (10 * 320 + 7) * 4;
    expect([...f.rgba.subarray(i, i + 4)]).toEqual([255, 130, 0, 255]);
  });

  it('draws text from the font in plane 2 with attribute colours and the cursor', () => {
    const c = card();
    const v = c.vga.state.vram;
    c.ar(0x10, 0x0c);
    c.ar(0x12, 0x0f);
    for (let i = 0; i < 16; i++) c.ar(i, i);
    c.out(0x3c0, 0x20);
    c.cr(0x01, 0x4f);
    c.cr(0x12, 0x8f);
    c.cr(0x07, 0x1f);
    c.cr(0x09, 0x0f);
    c.cr(0x13, 0x28);
    c.cr(0x0a, 0x0e);
    c.cr(0x0b, 0x0f);
    c.cr(0x0f, 1);
    c.out(0x3c8, 0x0f);
    for (const x of [63, 63, 63]) c.out(0x3c9, x);
    // 'A' (0x41) at the first cell, white on black; its glyph's first line is 0x18.
    v[0] = 0x41;
    v[1] = 0x0f;
    v[0x41 * 32 * 4 + 2] = 0x18;
    const f = new Renderer(c.vga.state, c.vga.dirty).render();
    expect([f.width, f.height]).toEqual([720, 400]);
    const px = (x: number, y: number) => f.rgba[(y * 720 + x) * 4];
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((x) => px(x, 0))).toEqual([0, 0, 0, 255, 255, 0, 0, 0]);
    // The cursor sits on cell 1, lines 14-15.
    expect(px(9, 14)).toBe(0);
    v[4 + 1] = 0x0f;
    expect(new Renderer(c.vga.state, c.vga.dirty).render().rgba[(14 * 720 + 9) * 4]).toBe(255);
  });

  it('draws Cirrus 16 bpp and 32 bpp packed pixels from the start address', () => {
    const c = card();
    c.ar(0x10, 0x01);
    c.out(0x3c0, 0x20);
    c.sr(0x06, 0x12);
    c.cr(0x01, 0x7f); // 1024 pixels
    c.cr(0x12, 0xff);
    c.cr(0x07, 0x40); // 768 lines: VDE 0x2FF
    c.cr(0x13, 0x00);
    c.cr(0x1b, 0x10); // line offset 0x100 << 3 = 2048 bytes
    c.sr(0x07, 0x07);
    for (let i = 0; i < 4; i++) c.inb(0x3c6);
    c.out(0x3c6, 0xc1); // 5-6-5
    c.vga.state.vram.set([0x00, 0xf8], 2048 * 3 + 2 * 5);
    let f = new Renderer(c.vga.state, c.vga.dirty).render();
    expect([f.width, f.height]).toEqual([1024, 768]);
    let i = (3 * 1024 + 5) * 4;
    expect([...f.rgba.subarray(i, i + 3)]).toEqual([255, 0, 0]);
    c.sr(0x07, 0x09);
    c.cr(0x1b, 0x00);
    c.cr(0x13, 0x00);
    c.cr(0x1b, 0x10 | 0x00);
    c.vga.state.vram.set([0x10, 0x20, 0x30, 0x00], 2048 * 2 + 4 * 1);
    f = new Renderer(c.vga.state, c.vga.dirty).render();
    i = (2 * 1024 + 1) * 4;
    expect([...f.rgba.subarray(i, i + 3)]).toEqual([0x30, 0x20, 0x10]);
  });
});
