import { closeSync, constants, openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockBackend, OverlayState, WriteOverlay } from '@plugboard/core';
import { checkRange } from './range.js';
import { readFully, writeFully } from './raw-image.js';

/** Bytes per copied-on-write chunk: a page, so a 512-byte guest write copies little of the base. */
export const COW_CHUNK_BYTES = 4096;
/** Guest writes kept in memory before the overlay spills to its temporary file. */
export const COW_MEMORY_BYTES = 16 * 1024 * 1024;
const LEAF_SIZE = 4096;

let spillCounter = 0;

/**
 * What `-snapshot` gives a drive: writes land in an overlay, chunk by chunk,
 * and vanish on close; the base image is opened read-only and never touched.
 * The first `memoryBytes` of chunks stay in memory; later ones go to a
 * temporary file in os.tmpdir(), created 0600 and unlinked at once, so it
 * disappears when closed or when the process ends, however it ends. Chunk
 * locations live in a two-level table (a directory of 4096-entry leaves), so a
 * large, mostly unwritten disk costs only for what was written.
 */
export class CowOverlay implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly = false;
  private readonly chunkSectors: number;
  private readonly chunkBytes: number;
  private readonly memorySlots: number;
  /** Per chunk: 0 not written, else its slot + 1 (slots below memorySlots are in memory, the rest in the file). */
  private readonly leaves: (Float64Array | undefined)[] = [];
  private readonly memory: Uint8Array[] = [];
  private slots = 0;
  private spillFd = -1;
  /** A chunk being assembled before it goes to the file. */
  private readonly scratch: Uint8Array;

  constructor(
    private readonly base: BlockBackend,
    memoryBytes = COW_MEMORY_BYTES,
  ) {
    this.sectorSize = base.sectorSize;
    this.sectorCount = base.sectorCount;
    this.chunkSectors = Math.max(1, COW_CHUNK_BYTES / base.sectorSize);
    this.chunkBytes = this.chunkSectors * this.sectorSize;
    this.memorySlots = Math.floor(memoryBytes / this.chunkBytes);
    this.scratch = new Uint8Array(this.chunkBytes);
  }

  /** Bytes of guest writes held in memory (at most the memory budget). */
  get bytesHeld(): number {
    return Math.min(this.slots, this.memorySlots) * this.chunkBytes;
  }

  /** Bytes of guest writes in the temporary file. */
  get bytesSpilled(): number {
    return Math.max(0, this.slots - this.memorySlots) * this.chunkBytes;
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
      const slot = this.slotOf(chunkIndex) - 1;
      if (slot >= 0) {
        if (baseRunStart >= 0) {
          this.base.read(baseRunStart, dest.subarray((baseRunStart - sector) * size, (s - sector) * size));
          baseRunStart = -1;
        }
        const from = (s - chunkStart) * size;
        const len = (stop - s) * size;
        const at = (s - sector) * size;
        if (slot < this.memorySlots) dest.set(this.memory[slot]!.subarray(from, from + len), at);
        else readFully(this.spillFd, dest, this.spillOffset(slot) + from, 'snapshot overlay', at, len);
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
      const part = src.subarray((s - sector) * size, (stop - sector) * size);
      const from = (s - chunkStart) * size;
      let slot = this.slotOf(chunkIndex) - 1;
      if (slot < 0) {
        slot = this.slots++;
        this.setSlot(chunkIndex, slot + 1);
        const chunkLen = Math.min(this.chunkSectors, this.sectorCount - chunkStart);
        const whole = s === chunkStart && stop === chunkStart + chunkLen;
        const chunk = slot < this.memorySlots ? new Uint8Array(chunkLen * size) : this.scratch;
        if (slot < this.memorySlots) this.memory.push(chunk);
        // A partial first write copies the rest of the chunk from the base.
        if (!whole) this.base.read(chunkStart, chunk.subarray(0, chunkLen * size));
        chunk.set(part, from);
        if (slot >= this.memorySlots) this.spill(slot, chunk.subarray(0, chunkLen * size), 0);
      } else if (slot < this.memorySlots) {
        this.memory[slot]!.set(part, from);
      } else {
        this.spill(slot, part, from);
      }
      s = stop;
    }
  }

  /** The written chunks as data, for a machine snapshot (`savevm` with `-snapshot`). */
  readonly heldWrites: WriteOverlay = {
    save: () => this.saveChunks(),
    load: (state) => this.loadChunks(state),
  };

  private chunkLength(index: number): number {
    return Math.min(this.chunkSectors, this.sectorCount - index * this.chunkSectors) * this.sectorSize;
  }

  private saveChunks(): OverlayState {
    const chunks: number[] = [];
    for (let top = 0; top < this.leaves.length; top++) {
      const leaf = this.leaves[top];
      if (leaf === undefined) continue;
      for (let i = 0; i < LEAF_SIZE; i++) if (leaf[i] !== 0) chunks.push(top * LEAF_SIZE + i);
    }
    let bytes = 0;
    for (const c of chunks) bytes += this.chunkLength(c);
    const data = new Uint8Array(bytes);
    let at = 0;
    for (const c of chunks) {
      const len = this.chunkLength(c);
      this.read(c * this.chunkSectors, data.subarray(at, at + len));
      at += len;
    }
    return { chunkBytes: this.chunkBytes, chunks: Float64Array.from(chunks), data };
  }

  /** Checked whole before anything changes: a state from another disk leaves the overlay as it was. */
  private loadChunks(state: OverlayState): void {
    if (state.chunkBytes !== this.chunkBytes)
      throw new RangeError(`chunks of ${state.chunkBytes} bytes, this overlay's are ${this.chunkBytes}`);
    const count = Math.ceil(this.sectorCount / this.chunkSectors);
    let bytes = 0;
    let last = -1;
    for (const c of state.chunks) {
      if (!Number.isInteger(c) || c <= last || c >= count)
        throw new RangeError(`chunk ${c} after ${last}: expected increasing indices below ${count}`);
      last = c;
      bytes += this.chunkLength(c);
    }
    if (bytes !== state.data.length)
      throw new RangeError(`${state.data.length} bytes of data for chunks that hold ${bytes}`);
    // Slots restart from 0: the spill file's old contents are overwritten as slots are reused.
    this.leaves.length = 0;
    this.memory.length = 0;
    this.slots = 0;
    let at = 0;
    for (const c of state.chunks) {
      const len = this.chunkLength(c);
      this.write(c * this.chunkSectors, state.data.subarray(at, at + len));
      at += len;
    }
  }

  /** Nothing to make durable: the overlay is thrown away on close by design. */
  flush(): void {}

  close(): void {
    this.leaves.length = 0;
    this.memory.length = 0;
    this.slots = 0;
    if (this.spillFd >= 0) closeSync(this.spillFd);
    this.spillFd = -1;
    this.base.close();
  }

  private spillOffset(slot: number): number {
    return (slot - this.memorySlots) * this.chunkBytes;
  }

  private spill(slot: number, bytes: Uint8Array, from: number): void {
    if (this.spillFd < 0) this.spillFd = openSpillFile();
    writeFully(this.spillFd, bytes, this.spillOffset(slot) + from, 'snapshot overlay');
  }

  private slotOf(index: number): number {
    const leaf = this.leaves[Math.floor(index / LEAF_SIZE)];
    return leaf === undefined ? 0 : leaf[index & (LEAF_SIZE - 1)]!;
  }

  private setSlot(index: number, value: number): void {
    const top = Math.floor(index / LEAF_SIZE);
    let leaf = this.leaves[top];
    if (leaf === undefined) {
      leaf = new Float64Array(LEAF_SIZE);
      this.leaves[top] = leaf;
    }
    leaf[index & (LEAF_SIZE - 1)] = value;
  }
}

/** A fresh 0600 file in os.tmpdir(), unlinked at once: only this descriptor reaches it, and it goes when closed. */
function openSpillFile(): number {
  const path = join(tmpdir(), `plugboard-snapshot-${process.pid}-${spillCounter++}-${Date.now()}.tmp`);
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  unlinkSync(path);
  return fd;
}
