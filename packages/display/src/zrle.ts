import type { PixelConverter } from './pixel-format.js';

const TILE = 64;
/** Palette RLE allows 127 colours (the index byte's top bit marks a run). */
const MAX_PALETTE = 127;

/**
 * ZRLE (RFC 6143 7.7.6) before compression: the rectangle cut into 64x64
 * tiles, each sent as whichever sub-encoding is smallest (solid, packed
 * palette, palette RLE, plain RLE, raw).
 */
export class ZrleEncoder {
  private readonly tile = new Uint32Array(TILE * TILE);
  private readonly runValue = new Uint32Array(TILE * TILE);
  private readonly runLength = new Uint32Array(TILE * TILE);
  private readonly palette = new Map<number, number>();
  private readonly paletteValues: number[] = [];
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
    for (let ty = y; ty < y + h; ty += TILE) {
      const th = Math.min(TILE, y + h - ty);
      for (let tx = x; tx < x + w; tx += TILE) {
        const tw = Math.min(TILE, x + w - tx);
        this.encodeTile(rgba, stride, tx, ty, tw, th);
      }
    }
    return this.out.subarray(0, this.at);
  }

  private encodeTile(rgba: Uint8Array, stride: number, x: number, y: number, w: number, h: number): void {
    const n = w * h;
    const { tile, runValue, runLength, palette, paletteValues, conv } = this;
    let k = 0;
    for (let row = y; row < y + h; row++) {
      for (let i = (row * stride + x) * 4, end = i + w * 4; i < end; i += 4)
        tile[k++] = conv.pixel(rgba[i], rgba[i + 1], rgba[i + 2]);
    }
    // Runs (row-spanning, as the tile is one pixel sequence) and the palette.
    palette.clear();
    paletteValues.length = 0;
    let runs = 0;
    let lengthBytes = 0; // run-length bytes of all runs, as plain RLE writes them
    let singles = 0; // runs of one pixel, which palette RLE writes as a bare index
    for (let i = 0; i < n; ) {
      const v = tile[i];
      let j = i + 1;
      while (j < n && tile[j] === v) j++;
      runValue[runs] = v;
      runLength[runs++] = j - i;
      lengthBytes += Math.floor((j - i - 1) / 255) + 1;
      if (j - i === 1) singles++;
      if (paletteValues.length <= MAX_PALETTE && !palette.has(v)) {
        palette.set(v, paletteValues.length);
        paletteValues.push(v);
      }
      i = j;
    }
    const colours = paletteValues.length;
    const cp = this.cpixel;
    if (colours === 1) {
      this.out[this.at++] = 1;
      this.putCpixel(paletteValues[0]);
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
      for (let i = 0; i < n; i++) this.putCpixel(tile[i]);
    } else if (kind === 'rle') {
      out[this.at++] = 128;
      for (let r = 0; r < runs; r++) {
        this.putCpixel(runValue[r]);
        this.putRunLength(runLength[r]);
      }
    } else {
      out[this.at++] = kind === 'packed' ? colours : 128 + colours;
      for (const v of paletteValues) this.putCpixel(v);
      if (kind === 'packed') this.packIndices(w, h, colours);
      else {
        for (let r = 0; r < runs; r++) {
          const index = palette.get(runValue[r]) as number;
          if (runLength[r] === 1) out[this.at++] = index;
          else {
            out[this.at++] = index | 0x80;
            this.putRunLength(runLength[r]);
          }
        }
      }
    }
  }

  private packIndices(w: number, h: number, colours: number): void {
    const bits = colours <= 2 ? 1 : colours <= 4 ? 2 : 4;
    const { tile, palette, out } = this;
    for (let row = 0; row < h; row++) {
      let byte = 0;
      let used = 0;
      for (let col = 0; col < w; col++) {
        byte = (byte << bits) | (palette.get(tile[row * w + col]) as number);
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
