/** An RFB PIXEL_FORMAT (RFC 6143 7.4): how the client wants pixels packed. */
export interface PixelFormat {
  bitsPerPixel: 8 | 16 | 32;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

/** What the server offers: 32-bit true colour, 8 bits a channel, little-endian BGRX. */
export const SERVER_PIXEL_FORMAT: Readonly<PixelFormat> = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

/**
 * A colour-mapped client gets this format over a fixed 3-3-2 colour map
 * (sent as SetColourMapEntries), the way servers have always answered
 * 8-bit palette viewers.
 */
export const BGR233: Readonly<PixelFormat> = {
  bitsPerPixel: 8,
  depth: 8,
  bigEndian: false,
  trueColour: true,
  redMax: 7,
  greenMax: 7,
  blueMax: 3,
  redShift: 0,
  greenShift: 3,
  blueShift: 6,
};

export function writePixelFormat(pf: PixelFormat, out: Buffer, offset: number): void {
  out[offset] = pf.bitsPerPixel;
  out[offset + 1] = pf.depth;
  out[offset + 2] = pf.bigEndian ? 1 : 0;
  out[offset + 3] = pf.trueColour ? 1 : 0;
  out.writeUInt16BE(pf.redMax, offset + 4);
  out.writeUInt16BE(pf.greenMax, offset + 6);
  out.writeUInt16BE(pf.blueMax, offset + 8);
  out[offset + 10] = pf.redShift;
  out[offset + 11] = pf.greenShift;
  out[offset + 12] = pf.blueShift;
  out.fill(0, offset + 13, offset + 16);
}

/** Reads a client's PIXEL_FORMAT; null when it is one no server could honour. */
export function readPixelFormat(b: Buffer, offset: number): PixelFormat | null {
  const bpp = b[offset];
  if (bpp !== 8 && bpp !== 16 && bpp !== 32) return null;
  const pf: PixelFormat = {
    bitsPerPixel: bpp,
    depth: b[offset + 1],
    bigEndian: b[offset + 2] !== 0,
    trueColour: b[offset + 3] !== 0,
    redMax: b.readUInt16BE(offset + 4),
    greenMax: b.readUInt16BE(offset + 6),
    blueMax: b.readUInt16BE(offset + 8),
    redShift: b[offset + 10],
    greenShift: b[offset + 11],
    blueShift: b[offset + 12],
  };
  if (!pf.trueColour) return { ...BGR233, bigEndian: pf.bigEndian, trueColour: false };
  for (const [max, shift] of [
    [pf.redMax, pf.redShift],
    [pf.greenMax, pf.greenShift],
    [pf.blueMax, pf.blueShift],
  ]) {
    // A channel must be a contiguous bit field inside the pixel.
    if (max === 0 || (max & (max + 1)) !== 0 || shift >= bpp || max > 2 ** (bpp - shift) - 1) return null;
  }
  return pf;
}

/**
 * Converts RGBA pixels to a client's pixel format. Built once per
 * SetPixelFormat; `convert` is the per-update inner loop.
 */
export class PixelConverter {
  readonly bytesPerPixel: number;
  /** Channel value (0-255) -> its bits in the packed pixel. */
  private readonly red = new Uint32Array(256);
  private readonly green = new Uint32Array(256);
  private readonly blue = new Uint32Array(256);
  /** The common BGRX little-endian case, done by copying bytes. */
  private readonly native: boolean;

  constructor(readonly format: PixelFormat) {
    this.bytesPerPixel = format.bitsPerPixel >> 3;
    for (let v = 0; v < 256; v++) {
      this.red[v] = Math.round((v * format.redMax) / 255) << format.redShift;
      this.green[v] = Math.round((v * format.greenMax) / 255) << format.greenShift;
      this.blue[v] = Math.round((v * format.blueMax) / 255) << format.blueShift;
    }
    const f = format;
    this.native =
      f.bitsPerPixel === 32 &&
      f.redMax === 255 &&
      f.greenMax === 255 &&
      f.blueMax === 255 &&
      ((!f.bigEndian && f.redShift === 16 && f.greenShift === 8 && f.blueShift === 0) ||
        (f.bigEndian && f.redShift === 8 && f.greenShift === 16 && f.blueShift === 24));
  }

  /** The packed value of one RGBA pixel (for palettes and solid tiles). */
  pixel(r: number, g: number, b: number): number {
    return (this.red[r] | this.green[g] | this.blue[b]) >>> 0;
  }

  /** Writes one packed pixel value in the client's byte order. */
  put(value: number, out: Uint8Array, at: number, bytes = this.bytesPerPixel): void {
    if (this.format.bigEndian) {
      for (let i = bytes - 1; i >= 0; i--, value >>>= 8) out[at + i] = value & 0xff;
    } else {
      for (let i = 0; i < bytes; i++, value >>>= 8) out[at + i] = value & 0xff;
    }
  }

  /** Converts the rectangle (x, y, w, h) of an RGBA frame `stride` pixels wide into `out` at `at`. */
  convert(
    rgba: Uint8Array,
    stride: number,
    x: number,
    y: number,
    w: number,
    h: number,
    out: Uint8Array,
    at: number,
  ): number {
    const { red, green, blue } = this;
    let o = at;
    for (let row = y; row < y + h; row++) {
      let i = (row * stride + x) * 4;
      const end = i + w * 4;
      if (this.native) {
        for (; i < end; i += 4, o += 4) {
          out[o] = rgba[i + 2];
          out[o + 1] = rgba[i + 1];
          out[o + 2] = rgba[i];
          out[o + 3] = 0;
        }
        continue;
      }
      const bpp = this.bytesPerPixel;
      const big = this.format.bigEndian;
      for (; i < end; i += 4, o += bpp) {
        const v = red[rgba[i]] | green[rgba[i + 1]] | blue[rgba[i + 2]];
        if (bpp === 1) out[o] = v;
        else if (bpp === 2) {
          out[o + (big ? 1 : 0)] = v & 0xff;
          out[o + (big ? 0 : 1)] = (v >>> 8) & 0xff;
        } else if (big) {
          out[o] = v >>> 24;
          out[o + 1] = (v >>> 16) & 0xff;
          out[o + 2] = (v >>> 8) & 0xff;
          out[o + 3] = v & 0xff;
        } else {
          out[o] = v & 0xff;
          out[o + 1] = (v >>> 8) & 0xff;
          out[o + 2] = (v >>> 16) & 0xff;
          out[o + 3] = v >>> 24;
        }
      }
    }
    return o;
  }
}
