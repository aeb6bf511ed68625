import type { Frame } from '@plugboard/core';
import { CURSOR_AREA, type VgaState, VRAM_MASK } from './state.js';

/** Where SR03 places the eight 8 KiB character generators in plane 2. */
const FONT_OFFSETS = [0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000];

const six = (v: number) => ((v & 0x3f) << 2) | ((v & 0x3f) >> 4);

/**
 * Turns the card's registers and video memory into an RGBA frame: text
 * modes (fonts from plane 2, the cursor), 16-colour planar modes, 256-colour
 * chain-4 modes, and the Cirrus packed-pixel modes at 8, 15, 16, 24 and 32
 * bits per pixel, with the hardware cursor on top.
 */
export class Renderer {
  private rgba = new Uint8Array(0);
  private readonly dacRgb = new Uint32Array(256);

  constructor(private readonly s: VgaState) {}

  render(): Frame {
    const s = this.s;
    for (let i = 0; i < 256; i++) {
      const p = s.palette;
      const j = (i & s.pelMask) * 3;
      this.dacRgb[i] = six(p[j]) | (six(p[j + 1]) << 8) | (six(p[j + 2]) << 16);
    }
    const { width, height } = this.geometry();
    if (this.rgba.length !== width * height * 4) this.rgba = new Uint8Array(width * height * 4);
    const blank = !(s.arIndex & 0x20) || (s.sr[0x01] & 0x20) !== 0;
    if (blank || width === 0 || height === 0) this.rgba.fill(0);
    else if (!(s.ar[0x10] & 0x01)) this.text(width, height);
    else if (s.sr[0x07] & 0x01) this.packed(width, height);
    else if (s.gr[0x05] & 0x40) this.chain4(width, height);
    else this.planar(width, height);
    for (let i = 3; i < this.rgba.length; i += 4) this.rgba[i] = 0xff;
    if (!blank && s.sr[0x07] & 0x01 && s.sr[0x12] & 0x01) this.cursor(width, height);
    return { width, height, rgba: this.rgba };
  }

  private verticalDisplayEnd(): number {
    const cr = this.s.cr;
    return (cr[0x12] | ((cr[0x07] & 0x02) << 7) | ((cr[0x07] & 0x40) << 3)) + 1;
  }

  private geometry(): { width: number; height: number } {
    const s = this.s;
    const scan = (s.cr[0x09] & 0x1f) + 1;
    const lines = this.verticalDisplayEnd();
    if (!(s.ar[0x10] & 0x01)) {
      const dots = s.sr[0x01] & 0x01 ? 8 : 9;
      return { width: (s.cr[0x01] + 1) * dots, height: Math.floor(lines / scan) * scan };
    }
    let width = (s.cr[0x01] + 1) * 8;
    if (!(s.sr[0x07] & 0x01) && s.gr[0x05] & 0x40) width >>= 1;
    const doubled = (s.cr[0x09] & 0x80) !== 0 ? 2 : 1;
    return { width, height: Math.floor(lines / (scan * doubled)) };
  }

  private startAddress(): number {
    const cr = this.s.cr;
    return (
      ((cr[0x0c] << 8) |
        cr[0x0d] |
        ((cr[0x1b] & 0x01) << 16) |
        ((cr[0x1b] & 0x0c) << 15) |
        ((cr[0x1d] & 0x80) << 12)) >>>
      0
    );
  }

  private lineOffset(): number {
    const cr = this.s.cr;
    return (cr[0x13] | ((cr[0x1b] & 0x10) << 4)) << 3;
  }

  /** Attribute controller then DAC: the colour of a 4-bit pixel or text attribute nibble. */
  private attributeColor(index: number): number {
    const ar = this.s.ar;
    let v = ar[index & ar[0x12] & 0x0f];
    if (ar[0x10] & 0x80) v = (v & 0x0f) | ((ar[0x14] & 0x03) << 4);
    return this.dacRgb[(v | ((ar[0x14] & 0x0c) << 4)) & 0xff];
  }

  private put(i: number, rgb: number): void {
    const o = i * 4;
    this.rgba[o] = rgb & 0xff;
    this.rgba[o + 1] = (rgb >> 8) & 0xff;
    this.rgba[o + 2] = (rgb >> 16) & 0xff;
  }

  private text(width: number, height: number): void {
    const s = this.s;
    const vram = s.vram;
    const charHeight = (s.cr[0x09] & 0x1f) + 1;
    const dots = s.sr[0x01] & 0x01 ? 8 : 9;
    const cols = s.cr[0x01] + 1;
    const rows = Math.floor(height / charHeight);
    const start = this.startAddress();
    const stride = this.lineOffset() >> 2;
    const fontA = FONT_OFFSETS[(((s.sr[0x03] >> 5) & 1) << 2) | ((s.sr[0x03] >> 2) & 3)];
    const fontB = FONT_OFFSETS[(((s.sr[0x03] >> 4) & 1) << 2) | (s.sr[0x03] & 3)];
    const blinkEnabled = (s.ar[0x10] & 0x08) !== 0;
    const lineGraphics = (s.ar[0x10] & 0x04) !== 0;
    const cursorAt = (s.cr[0x0e] << 8) | s.cr[0x0f];
    const cursorOn = !(s.cr[0x0a] & 0x20);
    const cursorStart = s.cr[0x0a] & 0x1f;
    const cursorEnd = s.cr[0x0b] & 0x1f;
    for (let row = 0; row < rows; row++) {
      for (let col = 0; col < cols; col++) {
        const cell = (start + row * stride + col) & (VRAM_MASK >> 2);
        const ch = vram[cell * 4];
        const attr = vram[cell * 4 + 1];
        const font = attr & 0x08 ? fontA : fontB;
        const fg = this.attributeColor(attr & 0x0f);
        const bg = this.attributeColor(blinkEnabled ? (attr >> 4) & 7 : attr >> 4);
        const cursorHere = cursorOn && cell === (cursorAt & (VRAM_MASK >> 2));
        for (let line = 0; line < charHeight; line++) {
          let bits = vram[((font + ch * 32 + line) * 4 + 2) & VRAM_MASK];
          if (cursorHere && line >= cursorStart && line <= cursorEnd) bits = 0xff;
          const y = row * charHeight + line;
          const base = y * width + col * dots;
          for (let x = 0; x < 8; x++) this.put(base + x, bits & (0x80 >> x) ? fg : bg);
          if (dots === 9) {
            const ninth = lineGraphics && ch >= 0xc0 && ch <= 0xdf && bits & 1;
            this.put(base + 8, ninth ? fg : bg);
          }
        }
      }
    }
  }

  private planar(width: number, height: number): void {
    const vram = this.s.vram;
    const start = this.startAddress();
    const stride = this.lineOffset() >> 2;
    for (let y = 0; y < height; y++) {
      const row = (start + y * stride) >>> 0;
      for (let x = 0; x < width; x++) {
        const d = ((row + (x >> 3)) * 4) & VRAM_MASK;
        const bit = 7 - (x & 7);
        const index =
          ((vram[d] >> bit) & 1) |
          (((vram[d + 1] >> bit) & 1) << 1) |
          (((vram[d + 2] >> bit) & 1) << 2) |
          (((vram[d + 3] >> bit) & 1) << 3);
        this.put(y * width + x, this.attributeColor(index));
      }
    }
  }

  private chain4(width: number, height: number): void {
    const vram = this.s.vram;
    const start = this.startAddress() * 4;
    const stride = this.lineOffset();
    for (let y = 0; y < height; y++) {
      const row = start + y * stride;
      for (let x = 0; x < width; x++) this.put(y * width + x, this.dacRgb[vram[(row + x) & VRAM_MASK]]);
    }
  }

  /** The Cirrus extended modes: one packed pixel after another from the start address. */
  private packed(width: number, height: number): void {
    const s = this.s;
    const vram = s.vram;
    const start = this.startAddress() * 4;
    const stride = this.lineOffset();
    const mode = s.sr[0x07] & 0x0e;
    const bpp = mode === 0 ? 8 : mode === 4 ? 24 : mode === 8 ? 32 : (s.hiddenDac & 0x0f) === 1 ? 16 : 15;
    const bytes = bpp === 15 ? 2 : bpp >> 3;
    for (let y = 0; y < height; y++) {
      let a = start + y * stride;
      for (let x = 0; x < width; x++, a += bytes) {
        let rgb: number;
        if (bpp === 8) rgb = this.dacRgb[vram[a & VRAM_MASK]];
        else if (bpp === 15 || bpp === 16) {
          const v = vram[a & VRAM_MASK] | (vram[(a + 1) & VRAM_MASK] << 8);
          const r = bpp === 16 ? v >> 11 : (v >> 10) & 0x1f;
          const g = bpp === 16 ? (v >> 5) & 0x3f : ((v >> 5) & 0x1f) << 1;
          const b = v & 0x1f;
          rgb = (r << 3) | (r >> 2) | (((g << 2) | (g >> 4)) << 8) | (((b << 3) | (b >> 2)) << 16);
        } else {
          // 24 and 32 bpp store blue, green, red.
          rgb = vram[(a + 2) & VRAM_MASK] | (vram[(a + 1) & VRAM_MASK] << 8) | (vram[a & VRAM_MASK] << 16);
        }
        this.put(y * width + x, rgb);
      }
    }
  }

  /** The hardware cursor: 32x32 or 64x64, two planes; colours from the hidden DAC entries 0 and 15. */
  private cursor(width: number, height: number): void {
    const s = this.s;
    const large = (s.sr[0x12] & 0x04) !== 0;
    const size = large ? 64 : 32;
    const cx = (s.sr[0x10] << 3) | (s.sr[0x30] & 7);
    const cy = (s.sr[0x11] << 3) | (s.sr[0x31] & 7);
    const base = CURSOR_AREA + (large ? s.sr[0x13] & 0x3c : s.sr[0x13] & 0x3f) * 256;
    const h = s.hiddenPalette;
    const c0 = six(h[0]) | (six(h[1]) << 8) | (six(h[2]) << 16);
    const c1 = six(h[45]) | (six(h[46]) << 8) | (six(h[47]) << 16);
    for (let y = 0; y < size && cy + y < height; y++) {
      const line = base + y * (large ? 16 : 4);
      const plane1 = large ? 8 : 128;
      for (let x = 0; x < size && cx + x < width; x++) {
        const b0 = (s.vram[(line + (x >> 3)) & VRAM_MASK] >> (7 - (x & 7))) & 1;
        const b1 = (s.vram[(line + plane1 + (x >> 3)) & VRAM_MASK] >> (7 - (x & 7))) & 1;
        const i = ((cy + y) * width + cx + x) * 4;
        if (b0 && !b1) {
          this.rgba[i] ^= 0xff;
          this.rgba[i + 1] ^= 0xff;
          this.rgba[i + 2] ^= 0xff;
        } else if (b1) {
          const c = b0 ? c1 : c0;
          this.rgba[i] = c & 0xff;
          this.rgba[i + 1] = (c >> 8) & 0xff;
          this.rgba[i + 2] = (c >> 16) & 0xff;
        }
      }
    }
  }
}
