import {
  fixup,
  StdVga,
  StdVgaRenderer,
  VBE_DISPI_8BIT_DAC,
  VBE_DISPI_ENABLED,
  VBE_DISPI_GETCAPS,
  VBE_DISPI_INDEX_BANK,
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_ID,
  VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
  VBE_DISPI_INDEX_VIRT_HEIGHT,
  VBE_DISPI_INDEX_VIRT_WIDTH,
  VBE_DISPI_INDEX_X_OFFSET,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_Y_OFFSET,
  VBE_DISPI_INDEX_YRES,
  VBE_DISPI_LFB_ENABLED,
  VBE_DISPI_NOCLEARMEM,
} from '@plugboard/dev-stdvga';
import { describe, expect, it } from 'vitest';

/** A card and the dispi accesses a driver makes: 16-bit index then data, as SeaVGABIOS and bochs-drm do. */
function card(vramMiB = 16) {
  const vga = new StdVga(vramMiB << 20);
  const renderer = new StdVgaRenderer(vga.state, vga.dirty);
  const dispi = (index: number, value?: number) => {
    vga.dispiPorts.write16?.(0, index);
    if (value !== undefined) vga.dispiPorts.write16?.(1, value);
    return vga.dispiPorts.read16?.(1) as number;
  };
  /** Sets a mode as bochs-drm does: disable, geometry, enable with the LFB. */
  const mode = (xres: number, yres: number, bpp: number, flags = 0) => {
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    dispi(VBE_DISPI_INDEX_XRES, xres);
    dispi(VBE_DISPI_INDEX_YRES, yres);
    dispi(VBE_DISPI_INDEX_BPP, bpp);
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | flags);
  };
  return { vga, renderer, dispi, mode };
}

/** The RGBA pixel at x, y of a frame, as one 0xRRGGBB number. */
function pixel(frame: { width: number; rgba: Uint8Array }, x: number, y: number): number {
  const i = (y * frame.width + x) * 4;
  return (frame.rgba[i] << 16) | (frame.rgba[i + 1] << 8) | frame.rgba[i + 2];
}

describe('Bochs VBE dispi registers', () => {
  it('takes the ID handshake versions 0xB0C0 to 0xB0C5 and nothing else', () => {
    const { dispi } = card();
    expect(dispi(VBE_DISPI_INDEX_ID)).toBe(0xb0c5);
    for (let id = 0xb0c0; id <= 0xb0c5; id++) expect(dispi(VBE_DISPI_INDEX_ID, id)).toBe(id);
    expect(dispi(VBE_DISPI_INDEX_ID, 0xb0c6)).toBe(0xb0c5);
    expect(dispi(VBE_DISPI_INDEX_ID, 0x1234)).toBe(0xb0c5);
    // The index register reads back.
    expect(card().vga.dispiPorts.read16?.(0)).toBe(0);
  });

  it('reports the maximum resolution and depth under GETCAPS, the registers without', () => {
    const { dispi } = card();
    dispi(VBE_DISPI_INDEX_XRES, 800);
    dispi(VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    expect([dispi(VBE_DISPI_INDEX_XRES), dispi(VBE_DISPI_INDEX_YRES), dispi(VBE_DISPI_INDEX_BPP)]).toEqual([
      16000, 12000, 32,
    ]);
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    expect(dispi(VBE_DISPI_INDEX_XRES)).toBe(800);
  });

  it('reports video memory in 64 KiB units, and reads 0 past the last register', () => {
    expect(card(16).dispi(VBE_DISPI_INDEX_VIDEO_MEMORY_64K)).toBe(256);
    expect(card(4).dispi(VBE_DISPI_INDEX_VIDEO_MEMORY_64K)).toBe(64);
    expect(card().dispi(0x0b)).toBe(0);
  });

  it('enabling clears the picture unless NOCLEARMEM, resets panning, and derives the virtual height', () => {
    const { vga, dispi, mode } = card(4);
    vga.state.vram.fill(0x55);
    dispi(VBE_DISPI_INDEX_X_OFFSET, 8);
    mode(640, 480, 32);
    expect(vga.vbeEnabled).toBe(true);
    expect(dispi(VBE_DISPI_INDEX_X_OFFSET)).toBe(0);
    expect(dispi(VBE_DISPI_INDEX_VIRT_WIDTH)).toBe(640);
    expect(dispi(VBE_DISPI_INDEX_VIRT_HEIGHT)).toBe(Math.floor((4 << 20) / 2560));
    expect(vga.state.vram[640 * 480 * 4 - 1]).toBe(0);
    expect(vga.state.vram[640 * 480 * 4]).toBe(0x55);
    vga.state.vram.fill(0x55);
    mode(640, 480, 32, VBE_DISPI_NOCLEARMEM);
    expect(vga.state.vram[0]).toBe(0x55);
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    expect(vga.vbeEnabled).toBe(false);
  });

  it('shows 64 KiB of video memory from BANK at 0xA0000 in a VBE mode, the VGA window without', () => {
    const { vga, dispi, mode } = card(4);
    mode(640, 480, 8);
    dispi(VBE_DISPI_INDEX_BANK, 3);
    vga.legacyWindow.write8(0x10, 0xab);
    expect(vga.state.vram[3 * 0x10000 + 0x10]).toBe(0xab);
    expect(vga.legacyWindow.read8(0x10)).toBe(0xab);
    expect(vga.legacyWindow.read8(0x10010)).toBe(0xff);
    // BANK keeps the bits of a bank within video memory: 64 banks of 4 MiB.
    expect(dispi(VBE_DISPI_INDEX_BANK, 0xffff)).toBe(63);
    vga.legacyWindow.write8(0xffff, 0xcd);
    expect(vga.state.vram[(4 << 20) - 1]).toBe(0xcd);
    // Disabled: the VGA's own window (chain-4 off, plane 0 of dword 0x10 after a planar write).
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    vga.writePort(0x3ce, 0x08);
    vga.writePort(0x3cf, 0xff);
    vga.writePort(0x3c4, 0x02);
    vga.writePort(0x3c5, 0x01);
    vga.legacyWindow.write8(0x10, 0x77);
    expect(vga.state.vram[0x40]).toBe(0x77);
  });

  it('reaches the VGA ports, the dispi registers and the QEMU extended registers through BAR2', () => {
    const { vga, dispi } = card();
    expect(vga.mmio.read16?.(0x500)).toBe(0xb0c5);
    vga.mmio.write16?.(0x502, 1024);
    expect(dispi(VBE_DISPI_INDEX_XRES)).toBe(1024);
    vga.mmio.write8(0x408, 7); // 0x3C8: DAC write index
    vga.mmio.write8(0x409, 0x3f);
    expect(vga.state.dacCache[0]).toBe(0x3f);
    expect(vga.mmio.read8(0x408)).toBe(7);
    expect(vga.mmio.read32?.(0x600)).toBe(8);
    expect(vga.mmio.read32?.(0x604)).toBe(0x1e1e1e1e);
  });
});

describe('hostile modes (QEMU vbe_fixup_regs)', () => {
  it('cuts a picture larger than video memory to the lines it holds', () => {
    const { vga, dispi, mode, renderer } = card(1);
    mode(16000, 12000, 32);
    // 16000 x 4 bytes a line: 1 MiB holds 16 lines.
    expect(dispi(VBE_DISPI_INDEX_YRES)).toBe(16);
    expect(dispi(VBE_DISPI_INDEX_XRES)).toBe(16000);
    const frame = renderer.render();
    expect([frame.width, frame.height]).toEqual([16000, 16]);
    expect(vga.state.vbeLineOffset * 16).toBeLessThanOrEqual(1 << 20);
  });

  it('drops offsets that would put the picture past the end of video memory', () => {
    const { vga, dispi, mode } = card(4);
    // 1024 x 1024 x 32 fills the 4 MiB: no offset fits.
    mode(1024, 1024, 32);
    dispi(VBE_DISPI_INDEX_Y_OFFSET, 1);
    expect(dispi(VBE_DISPI_INDEX_Y_OFFSET)).toBe(0);
    dispi(VBE_DISPI_INDEX_X_OFFSET, 8);
    expect(dispi(VBE_DISPI_INDEX_X_OFFSET)).toBe(0);
    expect(vga.state.vbeStartAddress).toBe(0);
    mode(640, 480, 32);
    // Offsets beyond the maximum resolution are cut to it first; then the picture must fit.
    dispi(VBE_DISPI_INDEX_X_OFFSET, 0xffff);
    expect(dispi(VBE_DISPI_INDEX_X_OFFSET)).toBe(16000);
    dispi(VBE_DISPI_INDEX_Y_OFFSET, 10000);
    expect(dispi(VBE_DISPI_INDEX_Y_OFFSET)).toBe(0);
    expect(vga.state.vbeStartAddress).toBe(16000);
    // An offset that fits is kept: line 100, pixel 16.
    dispi(VBE_DISPI_INDEX_Y_OFFSET, 100);
    dispi(VBE_DISPI_INDEX_X_OFFSET, 16);
    expect(vga.state.vbeStartAddress).toBe((100 * 2560 + 64) / 4);
  });

  it('takes an unsupported depth as 8, a zero or unaligned width as a multiple of 8, a zero height as 1', () => {
    const { dispi, mode } = card();
    mode(0, 0, 7);
    expect([dispi(VBE_DISPI_INDEX_XRES), dispi(VBE_DISPI_INDEX_YRES), dispi(VBE_DISPI_INDEX_BPP)]).toEqual([
      8, 1, 8,
    ]);
    dispi(VBE_DISPI_INDEX_XRES, 1023);
    expect(dispi(VBE_DISPI_INDEX_XRES)).toBe(1016);
  });

  it('leaves the registers alone while disabled (the fix-up runs at enable)', () => {
    const { vga } = card(1);
    vga.state.vbe[VBE_DISPI_INDEX_YRES] = 12000;
    fixup(vga.state, 1 << 20);
    expect(vga.state.vbe[VBE_DISPI_INDEX_YRES]).toBe(12000);
  });
});

describe('VBE rendering', () => {
  it('draws a 32-bpp mode from the framebuffer, then only the lines written since', () => {
    const { vga, renderer, mode } = card();
    // 1024 pixels of 4 bytes: one line is one 4 KiB page of video memory.
    mode(1024, 32, 32);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 64; x++) vga.framebuffer.write32?.((y * 1024 + x) * 4, (x << 16) | (y << 8) | 0x80);
    const frame = renderer.render();
    expect([frame.width, frame.height]).toEqual([1024, 32]);
    expect(pixel(frame, 5, 7)).toBe(0x050780);
    expect(frame.rgba[(7 * 1024 + 5) * 4 + 3]).toBe(0xff);
    vga.framebuffer.write32?.((20 * 1024 + 3) * 4, 0xff0000);
    const next = renderer.render();
    expect(next.damage).toEqual([{ x: 0, y: 20, w: 1024, h: 1 }]);
    expect(pixel(next, 3, 20)).toBe(0xff0000);
    expect(renderer.render().damage).toEqual([]);
  });

  it('draws an 8-bpp mode through the DAC, 6-bit entries widened, 8-bit with VBE_DISPI_8BIT_DAC', () => {
    const { vga, renderer, mode } = card();
    mode(16, 8, 8);
    vga.writePort(0x3c8, 5);
    for (const v of [0x3f, 0x20, 0x01]) vga.writePort(0x3c9, v);
    vga.framebuffer.write8(3 * 16 + 2, 5);
    expect(pixel(renderer.render(), 2, 3)).toBe(0xff8204);
    mode(16, 8, 8, VBE_DISPI_8BIT_DAC | VBE_DISPI_NOCLEARMEM);
    vga.writePort(0x3c8, 5);
    for (const v of [0x12, 0x34, 0x56]) vga.writePort(0x3c9, v);
    expect(pixel(renderer.render(), 2, 3)).toBe(0x123456);
  });

  it('draws 15, 16 and 24 bpp', () => {
    const { vga, renderer, mode } = card();
    mode(8, 2, 16);
    vga.framebuffer.write8(2, 0x00);
    vga.framebuffer.write8(3, 0xf8); // 5:6:5 pure red at pixel 1
    expect(pixel(renderer.render(), 1, 0)).toBe(0xff0000);
    mode(8, 2, 15);
    vga.framebuffer.write8(2, 0x00);
    vga.framebuffer.write8(3, 0x7c); // 1:5:5:5 pure red at pixel 1
    expect(pixel(renderer.render(), 1, 0)).toBe(0xff0000);
    mode(8, 2, 24);
    for (const [i, v] of [0x11, 0x22, 0x33].entries()) vga.framebuffer.write8(3 + i, v);
    expect(pixel(renderer.render(), 1, 0)).toBe(0x332211);
  });

  it('honours the virtual width and the X and Y offsets', () => {
    const { vga, renderer, mode, dispi } = card();
    mode(16, 4, 32);
    dispi(VBE_DISPI_INDEX_VIRT_WIDTH, 64);
    dispi(VBE_DISPI_INDEX_X_OFFSET, 8);
    dispi(VBE_DISPI_INDEX_Y_OFFSET, 2);
    // Virtual pixel (8 + 1, 2 + 1) is the frame's (1, 1).
    vga.framebuffer.write32?.((3 * 64 + 9) * 4, 0x00abcdef);
    const frame = renderer.render();
    expect([frame.width, frame.height]).toEqual([16, 4]);
    expect(pixel(frame, 1, 1)).toBe(0xabcdef);
  });

  it('goes back to the VGA picture when VBE is disabled', () => {
    const { renderer, mode, dispi } = card();
    mode(64, 32, 32);
    expect(renderer.size()).toEqual({ width: 64, height: 32 });
    dispi(VBE_DISPI_INDEX_ENABLE, 0);
    // The CRT controller is at its power-on zeros: one character cell.
    expect(renderer.size()).toEqual({ width: 9, height: 1 });
  });
});
