import { type BlockBackend, BlockError, type Device, definePlugin } from '@plugboard/core';
import type { UrlFiles } from './url-files.js';

/** Bytes fetched per range request: a few sectors' worth of neighbours comes along, as read-ahead. */
const CHUNK = 64 * 1024;

/** Where an image's bytes come from: a URL read by range requests, or a file the user picked. */
export interface ImageSource {
  readonly size: number;
  /** Bytes [offset, offset + length) of the image, synchronously (the block layer is synchronous). */
  read(offset: number, length: number): Uint8Array;
}

/**
 * An image on an HTTP server, read on demand with range requests in 64 KiB
 * chunks and cached. The block layer is synchronous (a run stays
 * deterministic and the sector path free of promises), so a chunk not yet
 * cached is read with a synchronous XMLHttpRequest, which a page's main
 * thread may still make; the bytes come back through the x-user-defined
 * charset, one character per byte.
 */
export class HttpRangeSource implements ImageSource {
  private readonly chunks = new Map<number, Uint8Array>();

  constructor(
    readonly url: string,
    readonly size: number,
  ) {}

  /** Asks the server for the image's size and whether it answers range requests. */
  static async open(url: string): Promise<HttpRangeSource> {
    const response = await fetch(url, { method: 'HEAD' });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const size = Number(response.headers.get('content-length'));
    if (response.headers.get('accept-ranges') !== 'bytes' || !(size > 0))
      throw new Error(
        `${url}: the server does not answer range requests (Accept-Ranges: bytes) with a length`,
      );
    return new HttpRangeSource(url, size);
  }

  private chunk(index: number): Uint8Array {
    let data = this.chunks.get(index);
    if (data) return data;
    const start = index * CHUNK;
    const end = Math.min(start + CHUNK, this.size) - 1;
    const xhr = new XMLHttpRequest();
    xhr.open('GET', this.url, false);
    xhr.overrideMimeType('text/plain; charset=x-user-defined');
    xhr.setRequestHeader('Range', `bytes=${start}-${end}`);
    xhr.send();
    if (xhr.status !== 206 || xhr.responseText.length !== end - start + 1)
      throw new BlockError(`${this.url}: range ${start}-${end} answered HTTP ${xhr.status}`, 'io');
    data = new Uint8Array(end - start + 1);
    const text = xhr.responseText;
    for (let i = 0; i < data.length; i++) data[i] = text.charCodeAt(i) & 0xff;
    this.chunks.set(index, data);
    return data;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const at = offset + done;
      const chunk = this.chunk(Math.floor(at / CHUNK));
      const from = at % CHUNK;
      const n = Math.min(length - done, chunk.length - from);
      out.set(chunk.subarray(from, from + n), done);
      done += n;
    }
    return out;
  }
}

/** A picked file, already in memory. */
export class MemorySource implements ImageSource {
  constructor(private readonly data: Uint8Array) {}

  get size(): number {
    return this.data.length;
  }

  read(offset: number, length: number): Uint8Array {
    return this.data.slice(offset, offset + length);
  }
}

/**
 * A drive whose writes go to a copy-on-write overlay in memory (sector ->
 * bytes): the image itself is never written. `changedImage()` is the image
 * with the overlay applied, for the page's download button.
 */
export class OverlayDrive implements BlockBackend, Device {
  readonly sectorCount: number;
  private readonly overlay = new Map<number, Uint8Array>();

  constructor(
    readonly name: string,
    private readonly source: ImageSource,
    readonly sectorSize: number,
    readonly readOnly: boolean,
  ) {
    this.sectorCount = Math.floor(source.size / sectorSize);
  }

  /** Sectors written so far. */
  get changedSectors(): number {
    return this.overlay.size;
  }

  private check(sector: number, bytes: number): number {
    const count = bytes / this.sectorSize;
    if (!Number.isInteger(count) || sector < 0 || sector + count > this.sectorCount)
      throw new BlockError(
        `${this.name}: sectors ${sector}+${count} outside the ${this.sectorCount}-sector image`,
        'range',
      );
    return count;
  }

  read(sector: number, dest: Uint8Array): void {
    const count = this.check(sector, dest.length);
    const size = this.sectorSize;
    let run = 0;
    // Runs of sectors not in the overlay are read from the source in one request.
    const flush = (end: number) => {
      if (run === 0) return;
      const first = end - run;
      dest.set(this.source.read((sector + first) * size, run * size), first * size);
      run = 0;
    };
    for (let i = 0; i < count; i++) {
      const own = this.overlay.get(sector + i);
      if (own) {
        flush(i);
        dest.set(own, i * size);
      } else run++;
    }
    flush(count);
  }

  write(sector: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockError(`${this.name}: read-only`, 'read-only');
    const count = this.check(sector, src.length);
    const size = this.sectorSize;
    for (let i = 0; i < count; i++) this.overlay.set(sector + i, src.slice(i * size, (i + 1) * size));
  }

  flush(): void {}

  close(): void {}

  /** The whole image with every write applied. */
  changedImage(): Uint8Array {
    const image = this.source.read(0, this.sectorCount * this.sectorSize);
    for (const [sector, bytes] of this.overlay) image.set(bytes, sector * this.sectorSize);
    return image;
  }

  info(): string {
    return `${this.name}: ${this.sectorCount} sectors of ${this.sectorSize} bytes, ${this.overlay.size} changed in memory${this.readOnly ? ', read-only' : ''}`;
  }
}

export type UrlDriveConfig = {
  url: string;
  readOnly: boolean;
  sectorSize: 512 | 2048;
};

/** The `url` drive: an image from a URL (range requests) or a picked file (`picked:NAME`), writes in memory. */
export function urlDrivePlugin(files: UrlFiles) {
  return definePlugin<UrlDriveConfig, OverlayDrive>({
    meta: { id: 'url', name: 'Disk image from a URL or a picked file, writes kept in memory (a page)' },
    kind: 'drive',
    configSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: {
          type: 'string',
          minLength: 1,
          description: 'The image, relative to the profile, or picked:NAME.',
        },
        readOnly: { type: 'boolean', default: false },
        sectorSize: { enum: [512, 2048], default: 512, description: '2048 for a CD-ROM image.' },
      },
    },
    async create(ctx, config) {
      const url = ctx.resolvePath(config.url);
      const picked = files.picked(url);
      const source = picked ? new MemorySource(picked) : await HttpRangeSource.open(url);
      return new OverlayDrive(url, source, config.sectorSize, config.readOnly);
    },
  });
}
