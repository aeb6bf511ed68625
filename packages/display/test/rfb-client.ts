import { connect, type Socket } from 'node:net';
import { constants, createInflate, type Inflate } from 'node:zlib';

/** The pixel format the test client asks for (or the server's, by default). */
export interface ClientFormat {
  bpp: 8 | 16 | 32;
  bigEndian: boolean;
  trueColour: boolean;
  max: [number, number, number];
  shift: [number, number, number];
}

export const DEFAULT_FORMAT: ClientFormat = {
  bpp: 32,
  bigEndian: false,
  trueColour: true,
  max: [255, 255, 255],
  shift: [16, 8, 0],
};

export interface UpdateRect {
  x: number;
  y: number;
  w: number;
  h: number;
  encoding: number;
}

/**
 * A minimal RFB client for the tests: the handshake, the client messages,
 * and a decoder for Raw, zlib and ZRLE into a framebuffer of packed pixels.
 */
export class TestClient {
  private buffered = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  closed = false;
  width = 0;
  height = 0;
  name = '';
  format: ClientFormat = DEFAULT_FORMAT;
  /** Packed pixel values as the client's format defines them. */
  pixels = new Uint32Array(0);
  colourMap: number[][] | null = null;
  private zrle: Inflate | null = null;
  private zlib: Inflate | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and completes the handshake at `version` (3, 7 or 8). */
  static async connect(port: number, version: 3 | 7 | 8 = 8): Promise<TestClient> {
    const c = await TestClient.open(port);
    await c.handshake(version);
    return c;
  }

  async read(n: number): Promise<Buffer> {
    while (this.buffered.length < n) {
      if (this.closed) throw new Error(`connection closed (wanted ${n} bytes, have ${this.buffered.length})`);
      await new Promise<void>((r) => {
        this.waiter = r;
      });
      this.waiter = null;
    }
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** Resolves once the server closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) {
      await new Promise<void>((r) => {
        this.waiter = r;
      });
      this.waiter = null;
    }
  }

  send(bytes: number[] | Buffer): void {
    this.socket.write(Buffer.from(bytes));
  }

  async handshake(version: 3 | 7 | 8): Promise<void> {
    const banner = (await this.read(12)).toString('latin1');
    if (banner !== 'RFB 003.008\n') throw new Error(`banner ${JSON.stringify(banner)}`);
    this.send(Buffer.from(`RFB 003.00${version}\n`, 'latin1'));
    if (version === 3) {
      const type = (await this.read(4)).readUInt32BE();
      if (type !== 1) throw new Error(`security ${type}`);
    } else {
      const n = (await this.read(1))[0];
      const types = [...(await this.read(n))];
      if (!types.includes(1)) throw new Error(`security types ${types}`);
      this.send([1]);
      if (version === 8 && (await this.read(4)).readUInt32BE() !== 0) throw new Error('security failed');
    }
    this.send([1]); // ClientInit: shared
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    const bpp = init[4];
    if (bpp !== 32 || init[7] !== 1) throw new Error(`server pixel format bpp ${bpp}`);
    this.format = {
      bpp: 32,
      bigEndian: init[6] !== 0,
      trueColour: true,
      max: [init.readUInt16BE(8), init.readUInt16BE(10), init.readUInt16BE(12)],
      shift: [init[14], init[15], init[16]],
    };
    this.name = (await this.read(init.readUInt32BE(20))).toString('utf8');
    this.pixels = new Uint32Array(this.width * this.height);
  }

  setPixelFormat(f: ClientFormat, depth = f.bpp === 32 ? 24 : f.bpp): void {
    const b = Buffer.alloc(20);
    b[0] = 0;
    b[4] = f.bpp;
    b[5] = depth;
    b[6] = f.bigEndian ? 1 : 0;
    b[7] = f.trueColour ? 1 : 0;
    b.writeUInt16BE(f.max[0], 8);
    b.writeUInt16BE(f.max[1], 10);
    b.writeUInt16BE(f.max[2], 12);
    b[14] = f.shift[0];
    b[15] = f.shift[1];
    b[16] = f.shift[2];
    this.send(b);
    this.format = f;
  }

  setEncodings(list: number[]): void {
    const b = Buffer.alloc(4 + list.length * 4);
    b[0] = 2;
    b.writeUInt16BE(list.length, 2);
    for (const [i, e] of list.entries()) b.writeInt32BE(e, 4 + i * 4);
    this.send(b);
  }

  request(incremental: boolean, x = 0, y = 0, w = this.width, h = this.height): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    b.writeUInt16BE(w, 6);
    b.writeUInt16BE(h, 8);
    this.send(b);
  }

  key(down: boolean, keysym: number): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym, 4);
    this.send(b);
  }

  qemuKey(down: boolean, keysym: number, keycode: number): void {
    const b = Buffer.alloc(12);
    b[0] = 255;
    b[1] = 0;
    b.writeUInt16BE(down ? 1 : 0, 2);
    b.writeUInt32BE(keysym, 4);
    b.writeUInt32BE(keycode, 8);
    this.send(b);
  }

  pointer(mask: number, x: number, y: number): void {
    const b = Buffer.alloc(6);
    b[0] = 5;
    b[1] = mask;
    b.writeUInt16BE(x, 2);
    b.writeUInt16BE(y, 4);
    this.send(b);
  }

  /** Reads server messages until a FramebufferUpdate, applying it; returns its rectangles. */
  async update(): Promise<UpdateRect[]> {
    for (;;) {
      const type = (await this.read(1))[0];
      if (type === 1) {
        const h = await this.read(5);
        const n = h.readUInt16BE(3);
        const map = await this.read(n * 6);
        this.colourMap = [];
        for (let i = 0; i < n; i++)
          this.colourMap.push([
            map.readUInt16BE(i * 6),
            map.readUInt16BE(i * 6 + 2),
            map.readUInt16BE(i * 6 + 4),
          ]);
        continue;
      }
      if (type !== 0) throw new Error(`server message ${type}`);
      const n = (await this.read(3)).readUInt16BE(1);
      const rects: UpdateRect[] = [];
      for (let i = 0; i < n; i++) {
        const h = await this.read(12);
        const r = {
          x: h.readUInt16BE(0),
          y: h.readUInt16BE(2),
          w: h.readUInt16BE(4),
          h: h.readUInt16BE(6),
          encoding: h.readInt32BE(8),
        };
        rects.push(r);
        await this.decode(r);
      }
      return rects;
    }
  }

  private get bytesPerPixel(): number {
    return this.format.bpp >> 3;
  }

  private unpack(b: Buffer, at: number, bytes: number): number {
    let v = 0;
    if (this.format.bigEndian) for (let i = 0; i < bytes; i++) v = v * 256 + b[at + i];
    else for (let i = bytes - 1; i >= 0; i--) v = v * 256 + b[at + i];
    return v;
  }

  private async decode(r: UpdateRect): Promise<void> {
    if (r.encoding === -223) {
      this.width = r.w;
      this.height = r.h;
      this.pixels = new Uint32Array(r.w * r.h);
      return;
    }
    if (r.encoding === -258) return;
    const bpp = this.bytesPerPixel;
    if (r.encoding === 0 || r.encoding === 6) {
      let data: Buffer;
      if (r.encoding === 0) data = await this.read(r.w * r.h * bpp);
      else {
        this.zlib ??= createInflate();
        data = await inflateChunk(this.zlib, await this.read((await this.read(4)).readUInt32BE()));
        if (data.length !== r.w * r.h * bpp) throw new Error(`zlib: ${data.length} bytes`);
      }
      for (let y = 0; y < r.h; y++)
        for (let x = 0; x < r.w; x++)
          this.pixels[(r.y + y) * this.width + r.x + x] = this.unpack(data, (y * r.w + x) * bpp, bpp);
      return;
    }
    if (r.encoding !== 16) throw new Error(`encoding ${r.encoding}`);
    this.zrle ??= createInflate();
    const data = await inflateChunk(this.zrle, await this.read((await this.read(4)).readUInt32BE()));
    this.decodeZrle(data, r);
  }

  /** Which ZRLE sub-encodings the last ZRLE rectangles used (for coverage checks). */
  readonly subencodings = new Set<string>();

  private decodeZrle(d: Buffer, r: UpdateRect): void {
    const f = this.format;
    const fitsLow = f.max.every((m, i) => m * 2 ** f.shift[i] <= 0xffffff);
    const fitsHigh = f.shift.every((s) => s >= 8);
    const cp = f.bpp === 32 && (fitsLow || fitsHigh) ? 3 : this.bytesPerPixel;
    const cshift = cp === 3 && !fitsLow ? 8 : 0;
    let at = 0;
    const cpixel = () => {
      const v = this.unpack(d, at, cp) * 2 ** cshift;
      at += cp;
      return v;
    };
    const runLength = () => {
      let len = 1;
      for (;;) {
        const b = d[at++];
        len += b;
        if (b !== 255) return len;
      }
    };
    for (let ty = r.y; ty < r.y + r.h; ty += 64) {
      const th = Math.min(64, r.y + r.h - ty);
      for (let tx = r.x; tx < r.x + r.w; tx += 64) {
        const tw = Math.min(64, r.x + r.w - tx);
        const tile: number[] = [];
        const sub = d[at++];
        if (sub === 0) {
          this.subencodings.add('raw');
          for (let i = 0; i < tw * th; i++) tile.push(cpixel());
        } else if (sub === 1) {
          this.subencodings.add('solid');
          const v = cpixel();
          for (let i = 0; i < tw * th; i++) tile.push(v);
        } else if (sub <= 16) {
          this.subencodings.add('packed');
          const pal = Array.from({ length: sub }, cpixel);
          const bits = sub === 2 ? 1 : sub <= 4 ? 2 : 4;
          for (let y = 0; y < th; y++) {
            let bit = 0;
            for (let x = 0; x < tw; x++) {
              const byte = d[at + (bit >> 3)];
              tile.push(pal[(byte >> (8 - bits - (bit & 7))) & ((1 << bits) - 1)]);
              bit += bits;
            }
            at += Math.ceil((tw * bits) / 8);
          }
        } else if (sub === 128) {
          this.subencodings.add('rle');
          while (tile.length < tw * th) {
            const v = cpixel();
            const n = runLength();
            for (let i = 0; i < n; i++) tile.push(v);
          }
        } else if (sub >= 130) {
          this.subencodings.add('paletteRle');
          const pal = Array.from({ length: sub - 128 }, cpixel);
          while (tile.length < tw * th) {
            const idx = d[at++];
            const n = idx & 0x80 ? runLength() : 1;
            for (let i = 0; i < n; i++) tile.push(pal[idx & 0x7f]);
          }
        } else throw new Error(`ZRLE sub-encoding ${sub}`);
        if (tile.length !== tw * th) throw new Error(`ZRLE tile of ${tile.length} pixels`);
        for (let y = 0; y < th; y++)
          for (let x = 0; x < tw; x++) this.pixels[(ty + y) * this.width + tx + x] = tile[y * tw + x];
      }
    }
    if (at !== d.length) throw new Error(`ZRLE: ${d.length - at} bytes left over`);
  }

  /** The pixel at (x, y) as [r, g, b] scaled back to 0-255. */
  rgb(x: number, y: number): [number, number, number] {
    const v = this.pixels[y * this.width + x];
    if (!this.format.trueColour && this.colourMap) {
      const [r, g, b] = this.colourMap[v];
      return [r >> 8, g >> 8, b >> 8];
    }
    const f = this.format;
    return [0, 1, 2].map((i) =>
      Math.round(((Math.floor(v / 2 ** f.shift[i]) & f.max[i]) * 255) / f.max[i]),
    ) as [number, number, number];
  }

  close(): void {
    this.socket.destroy();
  }
}

function inflateChunk(inflate: Inflate, data: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => chunks.push(c);
    inflate.on('data', onData);
    inflate.write(data);
    inflate.flush(constants.Z_SYNC_FLUSH, () => {
      inflate.off('data', onData);
      resolve(Buffer.concat(chunks));
    });
  });
}
