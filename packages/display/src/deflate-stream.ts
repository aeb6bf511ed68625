import { constants, createDeflate, type Deflate } from 'node:zlib';

/**
 * Level 1: on a 1024x768 desktop it deflates raw pixels eight times faster
 * than level 6 for 1.8 times the bytes, and ZRLE's output (runs and
 * palettes already) barely grows; see bench/encoders.mjs.
 */
const LEVEL = 1;

/**
 * One zlib stream kept for a connection's lifetime, as ZRLE and zlib
 * encodings require: each call compresses a chunk and sync-flushes it, so
 * the client's single inflater can decode it without what comes next.
 * Calls must not overlap; the session sends one update at a time.
 */
export class DeflateStream {
  private readonly deflate: Deflate;
  private readonly chunks: Buffer[] = [];

  constructor() {
    this.deflate = createDeflate({ level: LEVEL });
    this.deflate.on('data', (c: Buffer) => this.chunks.push(c));
    // A failure surfaces through the pending flush callback; keep 'error' from throwing.
    this.deflate.on('error', () => {});
  }

  compress(data: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.deflate.write(data);
      this.deflate.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.deflate.destroyed) return reject(new Error('deflate stream closed'));
        const out = Buffer.concat(this.chunks);
        this.chunks.length = 0;
        resolve(out);
      });
    });
  }

  close(): void {
    this.deflate.destroy();
  }
}
