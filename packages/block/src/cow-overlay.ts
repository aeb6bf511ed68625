import type { BlockBackend } from '@plugboard/core';
import { checkRange } from './range.js';

/** Bytes per copied-on-write chunk: a page, so a 512-byte guest write copies little of the base. */
export const COW_CHUNK_BYTES = 4096;
const LEAF_SIZE = 4096;

/**
 * What `-snapshot` gives a drive: writes land in memory, chunk by chunk, and
 * vanish on close; the base image is opened read-only and never touched.
 * Chunks live in a two-level table (a directory of 4096-entry leaves) so a
 * large, mostly unwritten disk costs memory only for what was written.
 */
export class CowOverlay implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly = false;
  private readonly chunkSectors: number;
  private readonly leaves: (Uint8Array | undefined)[][] = [];
  private chunkCount = 0;

  constructor(private readonly base: BlockBackend) {
    this.sectorSize = base.sectorSize;
    this.sectorCount = base.sectorCount;
    this.chunkSectors = Math.max(1, COW_CHUNK_BYTES / base.sectorSize);
  }

  /** Bytes of guest writes held in memory. */
  get bytesHeld(): number {
    return this.chunkCount * this.chunkSectors * this.sectorSize;
  }

  read(sector: number, dest: Uint8Array): void {
    checkRange(this, sector, dest.length);
    const size = this.sectorSize;
    const end = sector + dest.length / size;
    let s = sector;
    let baseRunStart = -1;
    while (s < end) {
      const chunkIndex = Math.floor(s / this.chunkSectors);
      const chunkStart = chunkIndex * this.chunkSectors;
      const stop = Math.min(end, chunkStart + this.chunkSectors);
      const chunk = this.chunk(chunkIndex);
      if (chunk) {
        if (baseRunStart >= 0) {
          this.base.read(baseRunStart, dest.subarray((baseRunStart - sector) * size, (s - sector) * size));
          baseRunStart = -1;
        }
        dest.set(chunk.subarray((s - chunkStart) * size, (stop - chunkStart) * size), (s - sector) * size);
      } else if (baseRunStart < 0) {
        baseRunStart = s;
      }
      s = stop;
    }
    if (baseRunStart >= 0) this.base.read(baseRunStart, dest.subarray((baseRunStart - sector) * size));
  }

  write(sector: number, src: Uint8Array): void {
    checkRange(this, sector, src.length);
    const size = this.sectorSize;
    const end = sector + src.length / size;
    let s = sector;
    while (s < end) {
      const chunkIndex = Math.floor(s / this.chunkSectors);
      const chunkStart = chunkIndex * this.chunkSectors;
      const stop = Math.min(end, chunkStart + this.chunkSectors);
      let chunk = this.chunk(chunkIndex);
      if (!chunk) {
        const chunkLen = Math.min(this.chunkSectors, this.sectorCount - chunkStart);
        chunk = new Uint8Array(chunkLen * size);
        if (s !== chunkStart || stop !== chunkStart + chunkLen) this.base.read(chunkStart, chunk);
        this.setChunk(chunkIndex, chunk);
      }
      chunk.set(src.subarray((s - sector) * size, (stop - sector) * size), (s - chunkStart) * size);
      s = stop;
    }
  }

  /** Nothing to make durable: the overlay is thrown away on close by design. */
  flush(): void {}

  close(): void {
    this.leaves.length = 0;
    this.chunkCount = 0;
    this.base.close();
  }

  private chunk(index: number): Uint8Array | undefined {
    const leaf = this.leaves[Math.floor(index / LEAF_SIZE)];
    return leaf === undefined ? undefined : leaf[index & (LEAF_SIZE - 1)];
  }

  private setChunk(index: number, chunk: Uint8Array): void {
    const top = Math.floor(index / LEAF_SIZE);
    let leaf = this.leaves[top];
    if (leaf === undefined) {
      leaf = new Array<Uint8Array | undefined>(LEAF_SIZE);
      this.leaves[top] = leaf;
    }
    leaf[index & (LEAF_SIZE - 1)] = chunk;
    this.chunkCount++;
  }
}
