import { Palette } from './palette.js';
import type { PixelConverter } from './pixel-format.js';

const TILE = 64;
/** Palette RLE allows 127 colours (the index byte's top bit marks a run). */
const MAX_PALETTE = 127;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** The R, G and B bytes of an RGBA pixel read as one 32-bit word. */
const RGB_MASK = LITTLE_ENDIAN ? 0x00ffffff : 0xffffff00 | 0;

/**
 * ZRLE (RFC 6143 7.7.6) before compression: the rectangle cut into 64x64
 * tiles, each sent as whichever sub-encoding is smallest (solid, packed
 * palette, palette RLE, plain RLE, raw).
 */
export class ZrleEncoder {
  private readonly runValue = new Uint32Array(TILE * TILE);
  private readonly runLength = new Uint32Array(TILE * TILE);
  /** Each run's palette index (valid while the tile has at most MAX_PALETTE colours). */
  private readonly runIndex = new Uint8Array(TILE * TILE);
  private readonly palette = new Palette();
  private out = new Uint8Array(0);
  private at = 0;
  private cpixel = 4;
  private cpixelShift = 0;

  constructor(private readonly conv: PixelConverter) {
    const f = conv.format;
    if (f.bitsPerPixel === 32 && f.depth <= 24) {
      const mask = (f.redMax << f.redShift) | (f.greenMax << f.greenShift) | (f.blueMax << f.blueShift);
      if (mask >>> 0 <= 0xffffff) this.cpixel = 3;
      else if ((mask & 0xff) === 0) {
        this.cpixel = 3;
        this.cpixelShift = 8;
      }
    } else this.cpixel = conv.bytesPerPixel;
  }

  /** The uncompressed ZRLE data of the rectangle (x, y, w, h) of an RGBA frame `stride` pixels wide. */
  encode(rgba: Uint8Array, stride: number, x: number, y: number, w: number, h: number): Uint8Array {
    const worst = Math.ceil(w / TILE) * Math.ceil(h / TILE) + w * h * this.cpixel;
    if (this.out.length < worst) this.out = new Uint8Array(worst);
    this.at = 0;
    // Whole pixels at a time: runs are found by comparing 32-bit words.
    const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
    for (let ty = y; ty < y + h; ty += TILE) {
      const th = Math.min(TILE, y + h - ty);
      for (let tx = x; tx < x + w; tx += TILE) {
        const tw = Math.min(TILE, x + w - tx);
        this.encodeTile(words, stride, tx, ty, tw, th);
      }
    }
    return this.out.subarray(0, this.at);
  }

  private encodeTile(words: Uint32Array, stride: number, x: number, y: number, w: number, h: number): void {
    const n = w * h;
    const { runValue, runLength, runIndex, palette, conv } = this;
    // Runs of one client pixel value (row-spanning: a tile is one pixel sequence), and the palette.
    palette.clear();
    let fits = true;
    let runs = 0;
    let lastWord = -1;
    let value = 0;
    for (let row = y; row < y + h; row++) {
      for (let i = row * stride + x, end = i + w; i < end; i++) {
        const word = words[i] & RGB_MASK;
        if (word === lastWord) {
          runLength[runs - 1]++;
          continue;
        }
        lastWord = word;
        const next = LITTLE_ENDIAN
          ? conv.pixel(word & 0xff, (word >>> 8) & 0xff, word >>> 16)
          : conv.pixel(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff);
        if (runs && next === value) {
          runLength[runs - 1]++;
          continue;
        }
        value = next;
        if (fits) {
          const index = palette.add(value, MAX_PALETTE);
          if (index < 0) fits = false;
          else runIndex[runs] = index;
        }
        runValue[runs] = value;
        runLength[runs++] = 1;
      }
    }
    let lengthBytes = 0; // run-length bytes of all runs, as plain RLE writes them
    let singles = 0; // runs of one pixel, which palette RLE writes as a bare index
    for (let r = 0; r < runs; r++) {
      const length = runLength[r];
      lengthBytes += Math.floor((length - 1) / 255) + 1;
      if (length === 1) singles++;
    }
    const colours = fits ? palette.size : MAX_PALETTE + 1;
    const cp = this.cpixel;
    if (colours === 1) {
      this.out[this.at++] = 1;
      this.putCpixel(palette.values[0]);
      return;
    }
    const raw = n * cp;
    const plainRle = runs * cp + lengthBytes;
    let best = Math.min(raw, plainRle);
    let kind: 'raw' | 'rle' | 'packed' | 'paletteRle' = raw <= plainRle ? 'raw' : 'rle';
    if (colours <= MAX_PALETTE) {
      const paletteRle = colours * cp + runs + lengthBytes - singles;
      if (paletteRle < best) {
        best = paletteRle;
        kind = 'paletteRle';
      }
      if (colours <= 16) {
        const bits = colours <= 2 ? 1 : colours <= 4 ? 2 : 4;
        const packed = colours * cp + h * Math.ceil((w * bits) / 8);
        if (packed < best) kind = 'packed';
      }
    }
    const out = this.out;
    if (kind === 'raw') {
      out[this.at++] = 0;
      for (let r = 0; r < runs; r++) for (let i = runLength[r]; i > 0; i--) this.putCpixel(runValue[r]);
    } else if (kind === 'rle') {
      out[this.at++] = 128;
      for (let r = 0; r < runs; r++) {
        this.putCpixel(runValue[r]);
        this.putRunLength(runLength[r]);
      }
    } else {
      out[this.at++] = kind === 'packed' ? colours : 128 + colours;
      for (const v of palette.values) this.putCpixel(v);
      if (kind === 'packed') this.packIndices(w, h, colours, runs);
      else {
        for (let r = 0; r < runs; r++) {
          const index = runIndex[r];
          if (runLength[r] === 1) out[this.at++] = index;
          else {
            out[this.at++] = index | 0x80;
            this.putRunLength(runLength[r]);
          }
        }
      }
    }
  }

  /** Packed palette indices, row by row, each row padded to a byte; made from the runs. */
  private packIndices(w: number, h: number, colours: number, runs: number): void {
    const bits = colours <= 2 ? 1 : colours <= 4 ? 2 : 4;
    const { runIndex, runLength, out } = this;
    let run = 0;
    let left = runLength[0];
    for (let row = 0; row < h; row++) {
      let byte = 0;
      let used = 0;
      for (let col = 0; col < w; col++) {
        if (left === 0 && run + 1 < runs) left = runLength[++run];
        left--;
        byte = (byte << bits) | runIndex[run];
        used += bits;
        if (used === 8) {
          out[this.at++] = byte;
          byte = 0;
          used = 0;
        }
      }
      if (used) out[this.at++] = byte << (8 - used);
    }
  }

  /** A run length: (length - 1) as a sum of bytes, every byte but the last being 255. */
  private putRunLength(length: number): void {
    let rest = length - 1;
    while (rest >= 255) {
      this.out[this.at++] = 255;
      rest -= 255;
    }
    this.out[this.at++] = rest;
  }

  private putCpixel(value: number): void {
    this.conv.put(value >>> this.cpixelShift, this.out, this.at, this.cpixel);
    this.at += this.cpixel;
  }
}
