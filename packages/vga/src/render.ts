import type { Frame, Rect } from '@plugboard/core';
import type { DirtyPages } from './dirty.js';
import {
  AR10,
  AR10_BLINK,
  AR10_GRAPHICS,
  AR10_LINE_GRAPHICS,
  AR10_PALETTE_54,
  AR12,
  AR14,
  CR1,
  CR7,
  CR9,
  CR9_CELL_HEIGHT,
  CR9_DOUBLE_SCAN,
  CR12,
  CR13,
  CRA,
  CRA_CURSOR_OFF,
  CRB,
  CRC,
  CRD,
  CRE,
  CRF,
  CURSOR_SCAN_LINE,
  GR5,
  GR5_SHIFT_256,
  SR1,
  SR1_DOTS_8,
  SR3,
} from './registers.js';
import type { VgaRegisters } from './state.js';

/** Where SR3 places the eight 8 KiB character generators in plane 2. */
const FONT_OFFSETS = [0x0000, 0x4000, 0x8000, 0xc000, 0x2000, 0x6000, 0xa000, 0xe000];

/** A 6-bit DAC value widened to 8 bits. */
export const six = (v: number) => ((v & 0x3f) << 2) | ((v & 0x3f) >> 4);
/** An opaque pixel as the little-endian 32-bit word of its R, G, B, A bytes. */
export const OPAQUE = 0xff000000;

export enum Mode {
  Blank,
  Text,
  Planar,
  Chain4,
  Packed,
}

/** A card's hardware cursor: where it is, its size, and the video memory its pattern occupies. */
export interface CursorBox {
  x: number;
  y: number;
  size: number;
  base: number;
  bytes: number;
}

/**
 * Turns a card's registers and video memory into an RGBA frame: text modes
 * (fonts from plane 2, the cursor), 16-colour planar modes, 256-colour
 * chain-4 modes, and packed-pixel modes at 8, 15, 16, 24 and 32 bits per
 * pixel where a card has them (`packedBits`), with a card's hardware cursor
 * on top (`cursor`, `drawCursor`).
 *
 * It redraws only the lines whose video memory lies in pages written since
 * the last frame (`DirtyPages`), everything when a register change made the
 * whole frame stale, and says which lines it redrew in the frame's `damage`.
 * Every video-memory address wraps at the end of video memory.
 */
export class VgaRenderer<S extends VgaRegisters = VgaRegisters> {
  protected rgba = new Uint8Array(0);
  private rgba32 = new Uint32Array(0);
  /** Per line of the frame: redraw it this time. */
  private lines = new Uint8Array(0);
  private readonly vram32: Uint32Array;
  private readonly dacRgb = new Uint32Array(256);
  /** The 16 colours a 4-bit pixel or attribute nibble shows (attribute controller, then DAC) this frame. */
  private readonly attrRgb = new Uint32Array(16);
  private serial = 0;
  protected readonly vramMask: number;

  constructor(
    protected readonly s: S,
    protected readonly dirty: DirtyPages,
  ) {
    this.vram32 = new Uint32Array(s.vram.buffer, s.vram.byteOffset, s.vram.byteLength >> 2);
    this.vramMask = s.vram.length - 1;
  }

  /** The size of the frame `render()` would return now. */
  size(): { width: number; height: number } {
    return this.geometry();
  }

  render(): Frame {
    const s = this.s;
    const dirty = this.dirty;
    const p = s.palette;
    const widen = this.dac8() ? (v: number) => v : six;
    for (let i = 0; i < 256; i++) {
      const j = (i & s.pelMask) * 3;
      this.dacRgb[i] = (OPAQUE | widen(p[j]) | (widen(p[j + 1]) << 8) | (widen(p[j + 2]) << 16)) >>> 0;
    }
    for (let i = 0; i < 16; i++) this.attrRgb[i] = this.attributeColor(i);
    const { width, height } = this.geometry();
    let full = dirty.all;
    if (this.rgba.length !== width * height * 4 || this.lines.length !== height) {
      this.rgba = new Uint8Array(width * height * 4);
      this.rgba32 = new Uint32Array(this.rgba.buffer);
      this.lines = new Uint8Array(height);
      full = true;
    }
    const mode = this.mode(width, height);
    const cursor = mode !== Mode.Blank ? this.cursor() : null;
    if (cursor && dirty.touched(cursor.base, cursor.bytes)) full = true;
    if (mode === Mode.Text && dirty.font) full = true;
    const lines = this.lines;
    if (full) lines.fill(1);
    else this.findDirtyLines(mode, width, height);
    // The cursor is drawn over the picture (some of it inverts what is below): when any line
    // under it is redrawn, all of them are, and the cursor goes on top again.
    let underCursor = false;
    if (cursor) {
      const y1 = Math.min(height, cursor.y + cursor.size);
      for (let y = cursor.y; y < y1; y++) if (lines[y]) underCursor = true;
      if (underCursor) lines.fill(1, cursor.y, y1);
    }
    this.draw(mode, width, height);
    if (cursor && underCursor) this.drawCursor(cursor, width, height);
    dirty.clear();
    return { width, height, rgba: this.rgba, serial: ++this.serial, damage: this.damage(width, height) };
  }

  /** What the screen shows: blank, text, or which kind of graphics. */
  protected mode(width: number, height: number): Mode {
    const s = this.s;
    // Blank while the attribute controller's palette address source (index bit 5) is clear.
    if (!(s.arIndex & 0x20) || width === 0 || height === 0) return Mode.Blank;
    if (!(s.ar[AR10] & AR10_GRAPHICS)) return Mode.Text;
    if (this.packedBits()) return Mode.Packed;
    return s.gr[GR5] & GR5_SHIFT_256 ? Mode.Chain4 : Mode.Planar;
  }

  /** The bits per pixel of a card's packed-pixel mode, or 0 where none is set. */
  protected packedBits(): number {
    return 0;
  }

  /** Whether the DAC holds 8-bit values (else 6-bit, widened). */
  protected dac8(): boolean {
    return false;
  }

  /** A card's hardware cursor when it shows, else null. */
  protected cursor(): CursorBox | null {
    return null;
  }

  /** Draws the hardware cursor over lines already drawn. */
  protected drawCursor(_cursor: CursorBox, _width: number, _height: number): void {}

  /** Marks in `lines` the lines whose video memory was written. */
  private findDirtyLines(mode: Mode, width: number, height: number): void {
    const lines = this.lines;
    const dirty = this.dirty;
    lines.fill(0);
    if (mode === Mode.Blank) return;
    const start = this.startAddress();
    const offset = this.lineOffset();
    if (mode === Mode.Text) {
      const charHeight = (this.s.cr[CR9] & CR9_CELL_HEIGHT) + 1;
      const cols = this.s.cr[CR1] + 1;
      for (let row = 0; row * charHeight < height; row++) {
        if (dirty.touched((start + row * (offset >> 2)) * 4, cols * 4))
          lines.fill(1, row * charHeight, Math.min(height, (row + 1) * charHeight));
      }
      return;
    }
    let bytes: number;
    let first = start * 4;
    if (mode === Mode.Planar) bytes = ((width + 7) >> 3) * 4;
    else if (mode === Mode.Chain4) bytes = width;
    else {
      const bits = this.packedBits();
      bytes = width * (bits === 15 ? 2 : bits >> 3);
    }
    for (let y = 0; y < height; y++, first += offset) if (dirty.touched(first, bytes)) lines[y] = 1;
  }

  private draw(mode: Mode, width: number, height: number): void {
    const lines = this.lines;
    if (mode === Mode.Blank) {
      for (let y = 0; y < height; y++) if (lines[y]) this.rgba32.fill(OPAQUE, y * width, (y + 1) * width);
      return;
    }
    if (mode === Mode.Text) {
      const charHeight = (this.s.cr[CR9] & CR9_CELL_HEIGHT) + 1;
      for (let row = 0; row * charHeight < height; row++)
        if (lines[row * charHeight]) this.textRow(row, width, height, charHeight);
      return;
    }
    const start = this.startAddress();
    const offset = this.lineOffset();
    const bits = mode === Mode.Packed ? this.packedBits() : 0;
    for (let y = 0; y < height; y++) {
      if (!lines[y]) continue;
      if (mode === Mode.Planar) this.planarLine(y, width, start + y * (offset >> 2));
      else if (mode === Mode.Chain4) this.chain4Line(y, width, start * 4 + y * offset);
      else this.packedLine(y, width, start * 4 + y * offset, bits);
    }
  }

  /** The redrawn lines as full-width rectangles, one per run. */
  private damage(width: number, height: number): Rect[] {
    const rects: Rect[] = [];
    const lines = this.lines;
    for (let y = 0; y < height; ) {
      if (!lines[y]) {
        y++;
        continue;
      }
      let end = y;
      while (end < height && lines[end]) end++;
      rects.push({ x: 0, y, w: width, h: end - y });
      y = end;
    }
    return rects;
  }

  private verticalDisplayEnd(): number {
    const cr = this.s.cr;
    return (cr[CR12] | ((cr[CR7] & 0x02) << 7) | ((cr[CR7] & 0x40) << 3)) + 1;
  }

  /** The displayed width and height in pixels, from the CRT controller. */
  protected geometry(): { width: number; height: number } {
    const s = this.s;
    const scan = (s.cr[CR9] & CR9_CELL_HEIGHT) + 1;
    const lines = this.verticalDisplayEnd();
    if (!(s.ar[AR10] & AR10_GRAPHICS)) {
      const dots = s.sr[SR1] & SR1_DOTS_8 ? 8 : 9;
      return { width: (s.cr[CR1] + 1) * dots, height: Math.floor(lines / scan) * scan };
    }
    let width = (s.cr[CR1] + 1) * 8;
    if (!this.packedBits() && s.gr[GR5] & GR5_SHIFT_256) width >>= 1;
    const doubled = (s.cr[CR9] & CR9_DOUBLE_SCAN) !== 0 ? 2 : 1;
    return { width, height: Math.floor(lines / (scan * doubled)) };
  }

  /** CRC/CRD: where the picture starts, in dwords (one byte of each plane). */
  protected startAddress(): number {
    const cr = this.s.cr;
    return (cr[CRC] << 8) | cr[CRD];
  }

  /** CR13: bytes from one line to the next. */
  protected lineOffset(): number {
    return this.s.cr[CR13] << 3;
  }

  /** Attribute controller then DAC: the colour of a 4-bit pixel or text attribute nibble. */
  private attributeColor(index: number): number {
    const ar = this.s.ar;
    let v = ar[index & ar[AR12] & 0x0f];
    if (ar[AR10] & AR10_PALETTE_54) v = (v & 0x0f) | ((ar[AR14] & 0x03) << 4);
    return this.dacRgb[(v | ((ar[AR14] & 0x0c) << 4)) & 0xff];
  }

  /** Character row `row` of a text mode: 8- or 9-dot cells, the font from plane 2, the cursor. */
  private textRow(row: number, width: number, height: number, charHeight: number): void {
    const s = this.s;
    const vram = s.vram;
    const mask = this.vramMask;
    const out = this.rgba32;
    const dots = s.sr[SR1] & SR1_DOTS_8 ? 8 : 9;
    const cols = s.cr[CR1] + 1;
    const start = this.startAddress();
    const stride = this.lineOffset() >> 2;
    const fontA = FONT_OFFSETS[(((s.sr[SR3] >> 5) & 1) << 2) | ((s.sr[SR3] >> 2) & 3)];
    const fontB = FONT_OFFSETS[(((s.sr[SR3] >> 4) & 1) << 2) | (s.sr[SR3] & 3)];
    const blinkEnabled = (s.ar[AR10] & AR10_BLINK) !== 0;
    const lineGraphics = (s.ar[AR10] & AR10_LINE_GRAPHICS) !== 0;
    const cursorAt = (s.cr[CRE] << 8) | s.cr[CRF];
    const cursorOn = !(s.cr[CRA] & CRA_CURSOR_OFF);
    const cursorStart = s.cr[CRA] & CURSOR_SCAN_LINE;
    const cursorEnd = s.cr[CRB] & CURSOR_SCAN_LINE;
    const lines = Math.min(charHeight, height - row * charHeight);
    for (let col = 0; col < cols && col * dots < width; col++) {
      const cell = (start + row * stride + col) & (mask >> 2);
      const ch = vram[cell * 4];
      const attr = vram[cell * 4 + 1];
      const font = attr & 0x08 ? fontA : fontB;
      const fg = this.attrRgb[attr & 0x0f];
      const bg = this.attrRgb[blinkEnabled ? (attr >> 4) & 7 : attr >> 4];
      const cursorHere = cursorOn && cell === (cursorAt & (mask >> 2));
      const ninthColumn = lineGraphics && ch >= 0xc0 && ch <= 0xdf;
      for (let line = 0; line < lines; line++) {
        let bits = vram[((font + ch * 32 + line) * 4 + 2) & mask];
        if (cursorHere && line >= cursorStart && line <= cursorEnd) bits = 0xff;
        let o = (row * charHeight + line) * width + col * dots;
        for (let x = 0; x < 8; x++) out[o++] = bits & (0x80 >> x) ? fg : bg;
        if (dots === 9) out[o] = ninthColumn && bits & 1 ? fg : bg;
      }
    }
  }

  /** Line `y` of a 16-colour planar mode, from dword `row` (one byte of each plane per 8 pixels). */
  private planarLine(y: number, width: number, row: number): void {
    const v32 = this.vram32;
    const out = this.rgba32;
    const colors = this.attrRgb;
    const dwordMask = this.vramMask >> 2;
    let o = y * width;
    for (let x = 0; x < width; x += 8) {
      const d = v32[(row + (x >> 3)) & dwordMask];
      const n = Math.min(8, width - x);
      for (let i = 0; i < n; i++) {
        const bit = 7 - i;
        const index =
          ((d >>> bit) & 1) | ((d >>> (bit + 7)) & 2) | ((d >>> (bit + 14)) & 4) | ((d >>> (bit + 21)) & 8);
        out[o++] = colors[index];
      }
    }
  }

  private chain4Line(y: number, width: number, first: number): void {
    const vram = this.s.vram;
    const mask = this.vramMask;
    const out = this.rgba32;
    const dac = this.dacRgb;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = dac[vram[(first + x) & mask]];
  }

  /** Line `y` of a packed-pixel mode: one pixel after another from byte `first`. */
  private packedLine(y: number, width: number, first: number, bpp: number): void {
    const vram = this.s.vram;
    const mask = this.vramMask;
    const out = this.rgba32;
    const o = y * width;
    let a = first & mask;
    if (bpp === 32 && (a & 3) === 0 && a + width * 4 <= vram.length) {
      // Blue, green, red, unused: one aligned word a pixel.
      const v32 = this.vram32;
      for (let x = 0, i = a >>> 2; x < width; x++, i++) {
        const v = v32[i];
        out[o + x] = OPAQUE | ((v >>> 16) & 0xff) | (v & 0xff00) | ((v & 0xff) << 16);
      }
      return;
    }
    const bytes = bpp === 15 ? 2 : bpp >> 3;
    for (let x = 0; x < width; x++, a += bytes) {
      let rgb: number;
      if (bpp === 8) rgb = this.dacRgb[vram[a & mask]];
      else if (bpp === 15 || bpp === 16) {
        const v = vram[a & mask] | (vram[(a + 1) & mask] << 8);
        const r = bpp === 16 ? v >> 11 : (v >> 10) & 0x1f;
        const g = bpp === 16 ? (v >> 5) & 0x3f : ((v >> 5) & 0x1f) << 1;
        const b = v & 0x1f;
        rgb = OPAQUE | (r << 3) | (r >> 2) | (((g << 2) | (g >> 4)) << 8) | (((b << 3) | (b >> 2)) << 16);
      } else {
        // 24 and 32 bpp store blue, green, red.
        rgb = OPAQUE | vram[(a + 2) & mask] | (vram[(a + 1) & mask] << 8) | (vram[a & mask] << 16);
      }
      out[o + x] = rgb;
    }
  }
}
