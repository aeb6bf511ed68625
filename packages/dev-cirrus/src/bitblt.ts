import type { Clock, Timer, WorkMeter } from '@plugboard/core';
import { UNMETERED } from '@plugboard/core';
import type { DirtyPages } from '@plugboard/vga';
import {
  GR2A,
  GR2C,
  GR2D,
  GR2E,
  GR2F,
  GR10,
  GR11,
  GR12,
  GR13,
  GR14,
  GR15,
  GR20,
  GR21,
  GR22,
  GR23,
  GR24,
  GR25,
  GR26,
  GR27,
  GR28,
  GR29,
  GR30,
  GR31,
  GR32,
  GR33,
  GR34,
  GR35,
} from './registers.js';
import { type VgaState, VRAM_MASK, VRAM_SIZE } from './state.js';

/** GR30: BLT mode. */
export const BLTMODE_BACKWARDS = 0x01;
export const BLTMODE_MEMSYSDEST = 0x02;
export const BLTMODE_MEMSYSSRC = 0x04;
export const BLTMODE_TRANSPARENTCOMP = 0x08;
export const BLTMODE_PATTERNCOPY = 0x40;
export const BLTMODE_COLOREXPAND = 0x80;
/** GR31: BLT start/status. */
export const BLT_BUSY = 0x01;
export const BLT_START = 0x02;
export const BLT_RESET = 0x04;
export const BLT_FIFOUSED = 0x10;
export const BLT_AUTOSTART = 0x80;
/** GR33: BLT mode extensions. */
export const BLTMODEEXT_DWORDGRANULARITY = 0x01;
export const BLTMODEEXT_COLOREXPINV = 0x02;
export const BLTMODEEXT_SOLIDFILL = 0x04;

/** Raster operations by GR32 code; anything else leaves the destination alone, as on the chip. */
const ROPS: Record<number, (d: number, s: number) => number> = {
  0: () => 0,
  5: (d, s) => s & d,
  6: (d) => d,
  9: (d, s) => s & ~d,
  11: (d) => ~d,
  13: (_, s) => s,
  14: () => 0xff,
  80: (d, s) => ~s & d,
  89: (d, s) => s ^ d,
  109: (d, s) => s | d,
  144: (d, s) => ~s | ~d,
  149: (d, s) => ~(s ^ d),
  173: (d, s) => s | ~d,
  208: (_, s) => ~s,
  214: (d, s) => ~s | d,
  218: (d, s) => ~s & ~d,
};

/** Lookup tables (destination << 8 | source) per ROP code, built on first use. */
const ropTables = new Map<number, Uint8Array>();
function ropTable(code: number): Uint8Array {
  let t = ropTables.get(code);
  if (!t) {
    const f = ROPS[code] ?? ROPS[0x06];
    t = new Uint8Array(65536);
    for (let d = 0; d < 256; d++) for (let s = 0; s < 256; s++) t[(d << 8) | s] = f(d, s) & 0xff;
    ropTables.set(code, t);
  }
  return t;
}

/** The widest line a BLT may have: 13-bit widths. */
const MAX_LINE = 8192;
/**
 * Byte operations a BLT from video memory does at once, at most; a larger one
 * goes on in steps of this size, one byte operation per ns of virtual time.
 * Full-screen operations up to 1024x768 at 8 bpp or 800x600 at 16 bpp fit in
 * one step and finish before the write that started them returns, as on QEMU.
 */
export const BLT_STEP_BYTES = 1 << 20;
/** What the rectangle is drawn from, while a BLT is in progress. */
const SOURCE_NONE = 0;
const SOURCE_VIDEO = 1;
const SOURCE_PATTERN = 2;

/**
 * The CL-GD5446 BitBLT engine. A rectangle that reaches outside the 4 MiB of
 * video memory is refused, as QEMU's `blit_is_unsafe` refuses it (its
 * CVE-2017-2615 and CVE-2017-2620 came from not doing that), and so is one
 * that would write more bytes than video memory holds (8192 x 65536 with pitch
 * 0: half a billion byte operations for one register write). Every address is
 * still wrapped to video memory, as the chip's address lines wrap, so nothing
 * can reach outside it either way. A BLT from video memory larger than
 * `BLT_STEP_BYTES` (the largest allowed is 4 MiB of byte operations, up to a
 * tenth of a second of host time on a loaded machine) proceeds in steps
 * across virtual time with GR31's BUSY bit set, as the chip's engine takes
 * time; START is ignored until it is done. Every step's work is charged to
 * the run slice, so a guest looping on BLTs cannot keep the run loop from
 * yielding to the host. Built without a clock (tests), every BLT runs at once.
 */
export class BitBlt {
  /** The ROP table of `s.blt.rop`, looked up again after a load. */
  private rop: Uint8Array = ropTable(0x0d);
  private readonly work: WorkMeter;
  private readonly timer: Timer | null;

  constructor(
    private readonly s: VgaState,
    private readonly dirty: DirtyPages,
    clock: Clock | null,
    name: string,
  ) {
    this.work = clock ?? UNMETERED;
    this.timer = clock?.createTimer(name, () => this.step()) ?? null;
  }

  /** True while a BLT from video memory is in progress (GR31 BUSY). */
  get busy(): boolean {
    return this.s.blt.source !== SOURCE_NONE;
  }

  /** True while the engine waits for system-to-screen data. */
  get active(): boolean {
    return this.s.blt.lineBytes !== 0;
  }

  reset(): void {
    this.s.gr[GR31] &= ~(BLT_START | BLT_BUSY | BLT_FIFOUSED);
    this.s.blt.received = 0;
    this.s.blt.lineBytes = 0;
    this.s.blt.linesLeft = 0;
    this.s.blt.source = SOURCE_NONE;
    this.timer?.cancel();
  }

  /** The latched parameters were loaded (a snapshot, a hardware reset): the ROP table follows the ROP code. */
  loaded(): void {
    this.rop = ropTable(this.s.blt.rop);
  }

  /** GR31 written. While a BLT is in progress START and BUSY stay set: a second START is no start. */
  writeControl(value: number): void {
    const old = this.s.gr[GR31];
    this.s.gr[GR31] = this.busy ? value | BLT_START | BLT_BUSY : value;
    if (old & BLT_RESET && !(value & BLT_RESET)) this.reset();
    else if (!(old & BLT_START) && value & BLT_START) this.start();
  }

  start(): void {
    if (this.busy) return;
    const gr = this.s.gr;
    gr[GR31] |= BLT_BUSY;
    this.s.blt.width = (gr[GR20] | (gr[GR21] << 8)) + 1;
    this.s.blt.height = (gr[GR22] | (gr[GR23] << 8)) + 1;
    this.s.blt.dstPitch = gr[GR24] | (gr[GR25] << 8);
    this.s.blt.srcPitch = gr[GR26] | (gr[GR27] << 8);
    this.s.blt.dst = (gr[GR28] | (gr[GR29] << 8) | (gr[GR2A] << 16)) & VRAM_MASK;
    this.s.blt.src = (gr[GR2C] | (gr[GR2D] << 8) | (gr[GR2E] << 16)) & VRAM_MASK;
    this.s.blt.mode = gr[GR30];
    this.s.blt.modeExt = gr[GR33];
    this.s.blt.pixel = ((this.s.blt.mode >> 4) & 3) + 1;
    this.s.blt.rop = gr[GR32];
    this.rop = ropTable(gr[GR32]);
    this.s.blt.fg = this.color(this.s.shadowGr1, GR11, GR13, GR15);
    this.s.blt.bg = this.color(this.s.shadowGr0, GR10, GR12, GR14);
    if (
      (this.s.blt.mode & (BLTMODE_MEMSYSSRC | BLTMODE_MEMSYSDEST)) ===
        (BLTMODE_MEMSYSSRC | BLTMODE_MEMSYSDEST) ||
      this.s.blt.width > MAX_LINE
    ) {
      this.reset();
      return;
    }
    if (this.s.blt.mode & BLTMODE_MEMSYSDEST) {
      // Video-to-system transfers are not modelled (no driver we know of uses them).
      this.reset();
      return;
    }
    if (this.s.blt.mode & BLTMODE_BACKWARDS) {
      this.s.blt.dstPitch = -this.s.blt.dstPitch;
      this.s.blt.srcPitch = -this.s.blt.srcPitch;
    }
    if (this.unsafe()) {
      this.reset();
      return;
    }
    if (this.s.blt.mode & BLTMODE_MEMSYSSRC) {
      this.beginSystemSource();
      return;
    }
    if (this.s.blt.mode & BLTMODE_PATTERNCOPY) {
      const size = 8 * (this.s.blt.mode & BLTMODE_COLOREXPAND ? 1 : 8 * this.s.blt.pixel);
      this.beginPattern((this.s.blt.src & ~(size - 1)) >>> 0, true);
    } else {
      this.s.blt.source = SOURCE_VIDEO;
      this.s.blt.nextRow = 0;
      this.step();
    }
  }

  /** A pattern fill from `addr` in video memory, or from the pattern the guest wrote (`video` false). */
  private beginPattern(addr: number, video: boolean): void {
    this.s.blt.lineBytes = 0;
    this.s.blt.source = SOURCE_PATTERN;
    this.s.blt.patternAddr = addr;
    this.s.blt.patternVideo = video;
    this.s.blt.patternRow = this.s.gr[GR2C] & 7;
    this.s.blt.nextRow = 0;
    this.step();
  }

  /** Draws the next rows of the BLT in progress, up to `BLT_STEP_BYTES` byte operations of them. */
  private step(): void {
    const from = this.s.blt.nextRow;
    const rows =
      this.timer === null ? this.s.blt.height : Math.max(1, Math.floor(BLT_STEP_BYTES / this.s.blt.width));
    const to = Math.min(this.s.blt.height, from + rows);
    if (this.s.blt.source === SOURCE_PATTERN) this.copyPattern(from, to);
    else for (let y = from; y < to; y++) this.drawLine(y, this.s.blt.src + y * this.s.blt.srcPitch, true);
    this.s.blt.nextRow = to;
    if (to >= this.s.blt.height) this.reset();
    else this.timer?.armIn((to - from) * this.s.blt.width);
  }

  /**
   * QEMU's `blit_is_unsafe`: the destination rectangle (and a video source's)
   * must lie inside video memory. A system-to-screen BLT does one line per
   * line of data the guest writes, so only a BLT from video memory or a
   * pattern fill needs the bound on its size.
   */
  private unsafe(): boolean {
    const backwards = (this.s.blt.mode & BLTMODE_BACKWARDS) !== 0;
    const { width, height } = this.s.blt;
    if (outside(this.s.blt.dst, this.s.blt.dstPitch, width, height, backwards)) return true;
    // A pattern fill draws the whole rectangle from one pattern, wherever the pattern comes from.
    if (width * height > VRAM_SIZE && this.s.blt.mode & BLTMODE_PATTERNCOPY) return true;
    if (this.s.blt.mode & BLTMODE_MEMSYSSRC) return false;
    if (width * height > VRAM_SIZE) return true;
    return (
      !(this.s.blt.mode & BLTMODE_PATTERNCOPY) &&
      outside(this.s.blt.src, this.s.blt.srcPitch, width, height, backwards)
    );
  }

  private color(low: number, r1: number, r2: number, r3: number): number {
    const gr = this.s.gr;
    return (low | (gr[r1] << 8) | (gr[r2] << 16) | (gr[r3] << 24)) >>> 0;
  }

  private beginSystemSource(): void {
    if (this.s.blt.mode & BLTMODE_PATTERNCOPY) {
      this.s.blt.lineBytes = this.s.blt.mode & BLTMODE_COLOREXPAND ? 8 : 64 * this.s.blt.pixel;
      this.s.blt.linesLeft = 1;
    } else {
      if (this.s.blt.mode & BLTMODE_COLOREXPAND) {
        const pixels = Math.floor(this.s.blt.width / this.s.blt.pixel);
        this.s.blt.lineBytes =
          this.s.blt.modeExt & BLTMODEEXT_DWORDGRANULARITY ? ((pixels + 31) >> 5) * 4 : (pixels + 7) >> 3;
      } else {
        this.s.blt.lineBytes = (this.s.blt.width + 3) & ~3;
      }
      this.s.blt.linesLeft = this.s.blt.height;
    }
    this.s.blt.received = 0;
  }

  /** A byte of system-to-screen source data (from the BLT aperture, the LFB or the VGA window). */
  feed(value: number): void {
    if (this.s.blt.lineBytes === 0) return;
    this.s.bltLine[this.s.blt.received++] = value;
    if (this.s.blt.received < this.s.blt.lineBytes) return;
    this.s.blt.received = 0;
    if (this.s.blt.mode & BLTMODE_PATTERNCOPY) {
      this.beginPattern(-1, false);
      return;
    }
    this.drawLine(this.s.blt.height - this.s.blt.linesLeft, -1, false);
    this.s.blt.linesLeft--;
    if (this.s.blt.linesLeft <= 0) this.reset();
  }

  /** One destination line from video memory at `srcAddr`, or from the system line buffer. */
  private drawLine(y: number, srcAddr: number, video: boolean): void {
    const vram = this.s.vram;
    const rop = this.rop;
    const px = this.s.blt.pixel;
    const backwards = (this.s.blt.mode & BLTMODE_BACKWARDS) !== 0;
    const step = backwards ? -1 : 1;
    const dstLine = this.s.blt.dst + y * this.s.blt.dstPitch;
    this.markLine(dstLine, backwards);
    this.work.charge(this.s.blt.width);
    const srcByte = (i: number) => (video ? vram[(srcAddr + i * step) & VRAM_MASK] : this.s.bltLine[i]);
    if (this.s.blt.mode & BLTMODE_COLOREXPAND) {
      const skip = this.s.gr[GR2F] & 7;
      const invert = this.s.blt.modeExt & BLTMODEEXT_COLOREXPINV ? 0xff : 0;
      const transparent = (this.s.blt.mode & BLTMODE_TRANSPARENTCOMP) !== 0;
      const { fg, bg } = this.s.blt;
      let bit = skip;
      for (let x = skip * px; x < this.s.blt.width; x += px, bit++) {
        const b = video ? vram[(srcAddr + (bit >> 3) * step) & VRAM_MASK] : this.s.bltLine[bit >> 3];
        const set = ((b ^ invert) >> (7 - (bit & 7))) & 1;
        if (transparent && !set) continue;
        const color = set ? fg : bg;
        for (let k = 0, at = dstLine + x * step; k < px; k++, at += step) {
          const d = at & VRAM_MASK;
          vram[d] = rop[(vram[d] << 8) | ((color >>> (k * 8)) & 0xff)];
        }
      }
      return;
    }
    if (this.s.blt.mode & BLTMODE_TRANSPARENTCOMP) {
      // Without colour expansion, source pixels equal to the key (GR34/35) are left out (8 and 16 bpp).
      const key = this.s.gr[GR34] | (this.s.gr[GR35] << 8);
      for (let x = 0; x < this.s.blt.width; x += px) {
        const sp = px === 1 ? srcByte(x) : srcByte(x) | (srcByte(x + 1) << 8);
        if (sp === (px === 1 ? key & 0xff : key)) continue;
        for (let k = 0; k < px; k++) {
          const d = (dstLine + (x + k) * step) & VRAM_MASK;
          vram[d] = rop[(vram[d] << 8) | srcByte(x + k)];
        }
      }
      return;
    }
    const width = this.s.blt.width;
    if (video) {
      // The common screen-to-screen copy, without a call per byte.
      for (let x = 0, d = dstLine, a = srcAddr; x < width; x++, d += step, a += step)
        vram[d & VRAM_MASK] = rop[(vram[d & VRAM_MASK] << 8) | vram[a & VRAM_MASK]];
      return;
    }
    const line = this.s.bltLine;
    for (let x = 0, d = dstLine; x < width; x++, d += step)
      vram[d & VRAM_MASK] = rop[(vram[d & VRAM_MASK] << 8) | line[x]];
  }

  /** The destination line at `dstLine` (its last byte when backwards) is about to be written. */
  private markLine(dstLine: number, backwards: boolean): void {
    // A pattern line may reach one pixel past the width; the text modes' fonts share these pages.
    const length = this.s.blt.width + this.s.blt.pixel;
    this.dirty.markSpan(backwards ? dstLine - length + 1 : dstLine, length);
    this.dirty.font = true;
  }

  /**
   * Pattern fills: an 8x8 pattern (colour, or 1 bpp with colour expansion)
   * tiled over the rectangle. The pattern is read at each pixel, as QEMU
   * reads it, so a fill that overwrites its own pattern sees what it wrote.
   */
  private copyPattern(from: number, to: number): void {
    const { patternAddr, patternVideo: video } = this.s.blt;
    const vram = this.s.vram;
    const line = this.s.bltLine;
    const rop = this.rop;
    const px = this.s.blt.pixel;
    const { fg, bg, width } = this.s.blt;
    const expand = (this.s.blt.mode & BLTMODE_COLOREXPAND) !== 0;
    const solid = expand && (this.s.blt.modeExt & BLTMODEEXT_SOLIDFILL) !== 0;
    const transparent = (this.s.blt.mode & BLTMODE_TRANSPARENTCOMP) !== 0;
    const invert = this.s.blt.modeExt & BLTMODEEXT_COLOREXPINV ? 0xff : 0;
    const skip = px === 3 ? this.s.gr[GR2F] & 0x1f : (this.s.gr[GR2F] & 7) * px;
    this.work.charge(width * (to - from));
    for (let y = from, row = (this.s.blt.patternRow + from) & 7; y < to; y++, row = (row + 1) & 7) {
      const dstLine = this.s.blt.dst + y * this.s.blt.dstPitch;
      this.markLine(dstLine, false);
      for (let x = skip; x < width; x += px) {
        const column = ((x / px) | 0) & 7;
        const at = dstLine + x;
        if (expand) {
          let color = fg;
          if (!solid) {
            const bits = video ? vram[(patternAddr + row) & VRAM_MASK] : line[row];
            const set = ((bits ^ invert) >> (7 - column)) & 1;
            if (transparent && !set) continue;
            color = set ? fg : bg;
          }
          for (let k = 0; k < px; k++) {
            const d = (at + k) & VRAM_MASK;
            vram[d] = rop[(vram[d] << 8) | ((color >>> (k * 8)) & 0xff)];
          }
        } else {
          const base = (row * 8 + column) * px;
          for (let k = 0; k < px; k++) {
            const d = (at + k) & VRAM_MASK;
            const p = video ? vram[(patternAddr + base + k) & VRAM_MASK] : line[base + k];
            vram[d] = rop[(vram[d] << 8) | p];
          }
        }
      }
    }
  }
}

/**
 * Whether `height` lines of `width` bytes from `addr`, `pitch` apart, leave
 * video memory; a backwards BLT starts at its last byte and has its pitch negated.
 */
function outside(addr: number, pitch: number, width: number, height: number, backwards: boolean): boolean {
  if (backwards) return addr + (height - 1) * pitch - width < -1;
  return addr + (height - 1) * pitch + width > VRAM_SIZE;
}
