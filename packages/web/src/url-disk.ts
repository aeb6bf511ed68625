import { type BlockBackend, BlockError, type Device, definePlugin, UserError } from '@plugboard/core';
import { IndexedDbOverlayStore, type OverlayStore, overlayKey } from './overlay-store.js';
import type { UrlFiles } from './url-files.js';

/** Bytes fetched per range request: a few sectors' worth of neighbours comes along, as read-ahead. */
const CHUNK = 64 * 1024;

/** Where an image's bytes come from: a URL read by range requests, or a file the user picked. */
export interface ImageSource {
  readonly size: number;
  /** Bytes [offset, offset + length) of the image, synchronously (the block layer is synchronous). */
  read(offset: number, length: number): Uint8Array;
  /** The whole image, in a copy of its own. */
  readAll(): Promise<Uint8Array>;
}

/**
 * An image on an HTTP server, read on demand with range requests in 64 KiB
 * chunks and cached. The block layer is synchronous (a run stays
 * deterministic and the sector path free of promises), so a chunk not yet
 * cached is read with a synchronous XMLHttpRequest: the machine runs in a
 * worker (`machine-worker.ts`), where one blocks only the machine, which
 * needs the bytes before it can go on, never the page.
 */
export class HttpRangeSource implements ImageSource {
  private readonly chunks = new Map<number, Uint8Array>();
  /** Range requests made so far. */
  requests = 0;

  constructor(
    readonly url: string,
    readonly size: number,
  ) {}

  /** Asks the server for the image's size and whether it answers range requests. */
  static async open(url: string): Promise<HttpRangeSource> {
    const response = await fetch(url, { method: 'HEAD' });
    if (!response.ok) throw new UserError(`${url}: cannot read the disk image (HTTP ${response.status})`);
    const size = Number(response.headers.get('content-length'));
    if (response.headers.get('accept-ranges') !== 'bytes' || !(size > 0))
      throw new UserError(
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
    // A worker's synchronous request may take its body as bytes (a window's may not).
    xhr.responseType = 'arraybuffer';
    xhr.setRequestHeader('Range', `bytes=${start}-${end}`);
    xhr.send();
    this.requests++;
    const body = xhr.response as ArrayBuffer | null;
    if (xhr.status !== 206 || body?.byteLength !== end - start + 1)
      throw new BlockError(`${this.url}: range ${start}-${end} answered HTTP ${xhr.status}`, 'io');
    data = new Uint8Array(body);
    this.chunks.set(index, data);
    return data;
  }

  /** In one request, not a chunk at a time: the download button's whole image. */
  async readAll(): Promise<Uint8Array> {
    const response = await fetch(this.url);
    const data = new Uint8Array(await response.arrayBuffer());
    if (!response.ok || data.length !== this.size)
      throw new BlockError(
        `${this.url}: HTTP ${response.status}, ${data.length} of ${this.size} bytes`,
        'io',
      );
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

  async readAll(): Promise<Uint8Array> {
    return this.data.slice();
  }
}

/**
 * A drive whose writes go to a copy-on-write overlay in memory (sector ->
 * bytes): the image itself is never written. With a store, the overlay
 * starts from the sectors stored for this image and every write follows it
 * there, a batch per host turn (the guest reads the memory overlay, so what
 * it sees never waits on the store). `changedImage()` is the image with the
 * overlay applied, for the page's download button.
 */
export class OverlayDrive implements BlockBackend, Device {
  readonly sectorCount: number;
  private readonly overlay = new Map<number, Uint8Array>();
  /** Sectors written since the last batch went to the store. */
  private readonly dirty = new Set<number>();
  private saving: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private scheduled = false;
  /** The last failure to store a batch (the sectors stay in memory). */
  storeError: Error | null = null;

  constructor(
    readonly name: string,
    private readonly source: ImageSource,
    readonly sectorSize: number,
    readonly readOnly: boolean,
    private readonly store: OverlayStore | null = null,
    stored: Map<number, Uint8Array> = new Map(),
  ) {
    this.sectorCount = Math.floor(source.size / sectorSize);
    for (const [sector, bytes] of stored)
      if (Number.isInteger(sector) && sector >= 0 && sector < this.sectorCount && bytes.length === sectorSize)
        this.overlay.set(sector, bytes);
  }

  /** A drive whose overlay persists in `store`, starting from what it holds. */
  static async open(
    name: string,
    source: ImageSource,
    sectorSize: number,
    readOnly: boolean,
    store: OverlayStore,
  ): Promise<OverlayDrive> {
    return new OverlayDrive(name, source, sectorSize, readOnly, store, await store.load());
  }

  /** Range requests made for the image so far (0 for a picked file). */
  get rangeRequests(): number {
    return this.source instanceof HttpRangeSource ? this.source.requests : 0;
  }

  /** Changed sectors the store does not hold yet. */
  get unsaved(): number {
    return this.dirty.size + this.inFlight;
  }

  /** Where the overlay persists (`overlayKey`), or null when it stays in memory. */
  get storeKey(): string | null {
    return this.store?.key ?? null;
  }

  /** Resolves once every write so far is in the store. */
  async saved(): Promise<void> {
    while (this.unsaved > 0) {
      this.saveDirty();
      await this.saving;
    }
  }

  private saveDirty(): void {
    this.scheduled = false;
    if (!this.store || this.dirty.size === 0) return;
    const batch = [...this.dirty].map((s): [number, Uint8Array] => [s, this.overlay.get(s)!]);
    this.dirty.clear();
    this.inFlight += batch.length;
    const store = this.store;
    // One batch after another: a sector written twice lands in the order written.
    this.saving = this.saving
      .then(() => store.save(batch))
      .catch((err: unknown) => {
        this.storeError = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.inFlight -= batch.length;
      });
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
    for (let i = 0; i < count; i++) {
      this.overlay.set(sector + i, src.slice(i * size, (i + 1) * size));
      if (this.store) this.dirty.add(sector + i);
    }
    if (this.store && !this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.saveDirty(), 0);
    }
  }

  /** The guest's cache flush starts storing its writes at once. */
  flush(): void {
    this.saveDirty();
  }

  close(): void {}

  /** The whole image with every write applied. */
  async changedImage(): Promise<Uint8Array> {
    const image = (await this.source.readAll()).subarray(0, this.sectorCount * this.sectorSize);
    for (const [sector, bytes] of this.overlay) image.set(bytes, sector * this.sectorSize);
    return image;
  }

  info(): string {
    return `${this.name}: ${this.sectorCount} sectors of ${this.sectorSize} bytes, ${this.overlay.size} changed${this.store ? ` (${this.unsaved} not stored yet)` : ' in memory'}${this.readOnly ? ', read-only' : ''}`;
  }
}

export type UrlDriveConfig = {
  url: string;
  persist: boolean;
  readOnly: boolean;
  sectorSize: 512 | 2048;
};

/**
 * The `url` drive: an image from a URL (range requests) or a picked file
 * (`picked:NAME`); writes in memory, and for a URL image in IndexedDB too.
 */
export function urlDrivePlugin(files: UrlFiles) {
  return definePlugin<UrlDriveConfig, OverlayDrive>({
    meta: {
      id: 'url',
      name: 'Disk image from a URL or a picked file, writes kept in memory and IndexedDB (a page)',
    },
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
        persist: {
          type: 'boolean',
          default: true,
          description:
            'Keep the writes to a URL image in IndexedDB, so a later page load starts from the changed disk.',
        },
        sectorSize: { enum: [512, 2048], default: 512, description: '2048 for a CD-ROM image.' },
      },
    },
    async create(ctx, config) {
      const url = ctx.resolvePath(config.url);
      const picked = files.picked(url);
      if (picked) return new OverlayDrive(url, new MemorySource(picked), config.sectorSize, config.readOnly);
      const source = await HttpRangeSource.open(url);
      if (!config.persist || config.readOnly || typeof indexedDB === 'undefined')
        return new OverlayDrive(url, source, config.sectorSize, config.readOnly);
      const store = new IndexedDbOverlayStore(overlayKey(url, source.size, config.sectorSize));
      return OverlayDrive.open(url, source, config.sectorSize, config.readOnly, store);
    },
  });
}
