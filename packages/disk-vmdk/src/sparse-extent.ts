import { closeSync, fstatSync, fsyncSync, ftruncateSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { ioError, readFully, writeFully } from '@plugboard/block';
import { BlockError } from '@plugboard/core';
import type { Extent, ParentReader } from './extent.js';
import { SectorIntervals } from './intervals.js';
import {
  MarkerType,
  parseSparseHeader,
  SECTOR,
  type SparseExtentHeader,
  SparseFlags,
} from './sparse-header.js';
import { isZero } from './zero.js';

/** A grain table entry of 1: the grain reads as zeros (QEMU writes it with zeroed_grain). */
const GTE_ZEROED = 1;

/** Bytes of inflated grains kept per compressed extent (8 grains of 64 KiB): enough for a guest's locality. */
const INFLATED_CACHE_BYTES = 512 * 1024;

/** Messages kept per check; past that only the count grows (a hostile image can have millions). */
export const MAX_REPORTED = 100;

/** What `check` finds in one sparse extent beyond what opening it validates. */
export interface SparseCheck {
  allocatedGrains: number;
  /** Two table entries naming one grain, compressed grains that do not inflate. */
  corruptions: number;
  /** The first MAX_REPORTED corruptions, described. */
  messages: string[];
  /** Redundant grain table entries that differ from the primary (a crash between the two writes). */
  redundantDifferences: number;
  /** Sectors past the last metadata and grain: space a crash between grain write and table update left behind. */
  leakedSectors: number;
  /** Leaked sectors cut off the file's end by a repair. */
  repairedLeakedSectors: number;
}

/**
 * A hosted sparse extent (Virtual Disk Format 5.0, header versions 1-3): a
 * grain directory of grain tables of grain offsets, optionally mirrored by a
 * redundant directory and tables, optionally with deflated grains behind
 * markers (streamOptimized). Every table is loaded and checked on open, so a
 * hostile file is refused before any sector is served.
 *
 * Writes allocate grains at the end of the used area and land in this order:
 * grain data, then the grain table entry, then the redundant entry. A process
 * killed at any point leaves either the old mapping (the new grain is unused
 * space that the next writer reuses) or the new one with its data in place.
 * Nothing is fsynced between those steps: after a kill the page cache keeps
 * every completed write, and against power loss the guest's FLUSH (our
 * `flush()`, an fsync) is the barrier, as with QEMU's default writeback cache.
 */
export class SparseExtent implements Extent {
  readonly kind = 'sparse';
  readonly grainSectors: number;
  readonly compressed: boolean;
  readonly writable: boolean;
  /** Grain table entries, one table per grain directory entry; undefined where the directory entry is 0. */
  private readonly gts: (Uint32Array | undefined)[];
  private readonly gtOffsets: number[];
  private readonly rgtOffsets: number[] | null;
  private readonly gtBytes: number;
  private nextFree: number;
  private readonly scratch: Uint8Array;
  private readonly entryBuf = new Uint8Array(4);
  /** Table entries on their way to disk: up to one whole table. */
  private readonly entriesBuf: Uint8Array;
  /** Inflated grains of a compressed extent, replaced round-robin: which grain each slot holds (-1: none). */
  private readonly cachedGrains: Float64Array;
  private readonly cachedData: Uint8Array[] = [];
  private nextVictim = 0;
  private readonly fileBytes: number;

  private constructor(
    readonly path: string,
    private fd: number,
    readonly header: SparseExtentHeader,
    readonly sectors: number,
    writable: boolean,
    fileBytes: number,
    gtOffsets: number[],
    rgtOffsets: number[] | null,
    gts: (Uint32Array | undefined)[],
    usedEnd: number,
  ) {
    this.grainSectors = header.grainSize;
    this.compressed = (header.flags & SparseFlags.COMPRESSED_GRAINS) !== 0;
    this.writable = writable;
    this.gtOffsets = gtOffsets;
    this.rgtOffsets = rgtOffsets;
    this.gts = gts;
    this.gtBytes = header.numGTEsPerGT * 4;
    this.fileBytes = fileBytes;
    this.nextFree = usedEnd;
    this.scratch = new Uint8Array(this.grainSectors * SECTOR);
    this.entriesBuf = new Uint8Array(this.gtBytes);
    // At least one slot; with huge grains the cache is one grain, not 8 x 16 MiB.
    const slots = this.compressed
      ? Math.max(1, Math.floor(INFLATED_CACHE_BYTES / (this.grainSectors * SECTOR)))
      : 0;
    this.cachedGrains = new Float64Array(slots).fill(-1);
    for (let i = 0; i < slots; i++) this.cachedData.push(new Uint8Array(this.grainSectors * SECTOR));
  }

  /**
   * Opens the sparse extent in `fd` (which it then owns). `sectors` is the
   * extent's size from the descriptor, or null to take the header's capacity.
   */
  static open(path: string, fd: number, sectors: number | null, writable: boolean): SparseExtent {
    const fileBytes = fstatSync(fd).size;
    const fileSectors = Math.ceil(fileBytes / SECTOR);
    const first = new Uint8Array(SECTOR);
    readFully(fd, first, 0, path);
    let header = parseSparseHeader(first, path);
    const fail = (what: string): never => {
      throw new BlockError(`${path}: ${what}`, 'format');
    };
    const ranges: [number, number, string][] = [[0, 1, 'header']];
    if (header.gdOffset < 0) {
      // streamOptimized with the directory at the end: the footer (a header copy) sits before the end-of-stream marker.
      if (fileBytes < 3 * SECTOR) fail('gdOffset is GD_AT_END but the file is too short for a footer');
      const tail = new Uint8Array(3 * SECTOR);
      readFully(fd, tail, fileBytes - 3 * SECTOR, path);
      const v = new DataView(tail.buffer);
      if (v.getUint32(8, true) !== 0 || v.getUint32(12, true) !== MarkerType.FOOTER) {
        fail(`gdOffset is GD_AT_END but there is no footer marker at offset ${fileBytes - 3 * SECTOR}`);
      }
      if (v.getUint32(2 * SECTOR + 8, true) !== 0 || v.getUint32(2 * SECTOR + 12, true) !== MarkerType.EOS) {
        fail(`no end-of-stream marker at offset ${fileBytes - SECTOR}`);
      }
      header = parseSparseHeader(
        tail.subarray(SECTOR, 2 * SECTOR),
        `${path} (footer at offset ${fileBytes - 2 * SECTOR})`,
      );
      if (header.gdOffset < 0) fail(`footer at offset ${fileBytes - 2 * SECTOR} has gdOffset GD_AT_END too`);
      ranges.push([fileSectors - 3, fileSectors, 'footer']);
    }
    const size = sectors ?? header.capacity;
    if (size > header.capacity)
      fail(`descriptor says ${size} sectors but the header's capacity is ${header.capacity}`);
    if (header.descriptorOffset > 0) {
      ranges.push([
        header.descriptorOffset,
        header.descriptorOffset + header.descriptorSize,
        'embedded descriptor',
      ]);
    }
    const grainSectors = header.grainSize;
    const numGTEs = header.numGTEsPerGT;
    const numGrains = Math.ceil(header.capacity / grainSectors);
    const numGTs = Math.ceil(numGrains / numGTEs);
    const gdSectors = Math.ceil((numGTs * 4) / SECTOR);
    const gtSectors = Math.ceil((numGTEs * 4) / SECTOR);
    const readDirectory = (offset: number, name: string): number[] => {
      if (offset < 1 || offset + gdSectors > fileSectors) {
        fail(
          `${name} at sector ${offset} (${gdSectors} sectors for ${numGTs} tables) lies outside the file (${fileSectors} sectors)`,
        );
      }
      ranges.push([offset, offset + gdSectors, name]);
      const raw = new Uint8Array(numGTs * 4);
      readFully(fd, raw, offset * SECTOR, path);
      const v = new DataView(raw.buffer);
      const out: number[] = new Array(numGTs);
      for (let i = 0; i < numGTs; i++) {
        const gt = v.getUint32(i * 4, true);
        if (gt !== 0 && (gt + gtSectors > fileSectors || gt < 1)) {
          fail(
            `${name} entry ${i} at offset ${offset * SECTOR + i * 4} points to sector ${gt}, outside the file (${fileSectors} sectors)`,
          );
        }
        if (gt !== 0) ranges.push([gt, gt + gtSectors, `grain table ${i} of the ${name}`]);
        out[i] = gt;
      }
      return out;
    };
    const gtOffsets = readDirectory(header.gdOffset, 'grain directory');
    const useRedundant = (header.flags & SparseFlags.REDUNDANT_GRAIN_TABLE) !== 0 && header.rgdOffset !== 0;
    const rgtOffsets = useRedundant ? readDirectory(header.rgdOffset, 'redundant grain directory') : null;
    const metadata = SectorIntervals.build(ranges);
    if (!(metadata instanceof SectorIntervals)) fail(`${metadata[0]} overlaps ${metadata[1]}`);
    const meta = metadata as SectorIntervals;

    const compressed = (header.flags & SparseFlags.COMPRESSED_GRAINS) !== 0;
    const gts: (Uint32Array | undefined)[] = new Array(numGTs);
    const raw = new Uint8Array(numGTEs * 4);
    // New grains go after everything in use; a hostile overHead cannot push them past the file's end.
    let usedEnd = Math.max(meta.end, Math.min(header.overHead, fileSectors));
    for (let t = 0; t < numGTs; t++) {
      const at = gtOffsets[t]!;
      if (at === 0) continue;
      readFully(fd, raw, at * SECTOR, path);
      const gt = new Uint32Array(numGTEs);
      const v = new DataView(raw.buffer);
      for (let e = 0; e < numGTEs; e++) {
        const g = v.getUint32(e * 4, true);
        gt[e] = g;
        if (g <= GTE_ZEROED) continue;
        const where = `grain table ${t} entry ${e} at offset ${at * SECTOR + e * 4}`;
        const end = compressed ? g + 1 : g + grainSectors;
        if (end > fileSectors)
          fail(`${where} points to sector ${g}, past the end of the file (${fileSectors} sectors)`);
        if (meta.overlaps(g, end)) fail(`${where} points to sector ${g}, inside the extent's metadata`);
        if (end > usedEnd) usedEnd = end;
      }
      gts[t] = gt;
    }
    if (compressed && writable) {
      throw new BlockError(
        `${path}: a streamOptimized (compressed) extent is read-only; convert it or use snapshot`,
        'read-only',
      );
    }
    return new SparseExtent(path, fd, header, size, writable, fileBytes, gtOffsets, rgtOffsets, gts, usedEnd);
  }

  private entry(grain: number): number {
    const gt = this.gts[Math.floor(grain / this.header.numGTEsPerGT)];
    return gt === undefined ? 0 : gt[grain % this.header.numGTEsPerGT]!;
  }

  read(sector: number, dest: Uint8Array, parent: ParentReader | null, diskSector: number): void {
    const gs = this.grainSectors;
    const end = sector + dest.length / SECTOR;
    let s = sector;
    while (s < end) {
      const grain = Math.floor(s / gs);
      const inGrain = s - grain * gs;
      let n = Math.min(end - s, gs - inGrain);
      const at = (s - sector) * SECTOR;
      const g = this.entry(grain);
      if (g > GTE_ZEROED && !this.compressed) {
        // Coalesce grains that follow each other in the file into one read.
        let next = grain + 1;
        while (s + n < end && this.entry(next) === g + (next - grain) * gs) {
          n += Math.min(end - s - n, gs);
          next++;
        }
        const got = readFully(this.fd, dest, (g + inGrain) * SECTOR, this.path, at, n * SECTOR);
        if (got < n * SECTOR) dest.fill(0, at + got, at + n * SECTOR);
      } else if (g > GTE_ZEROED) {
        const data = this.inflateGrain(grain, g);
        dest.set(data.subarray(inGrain * SECTOR, (inGrain + n) * SECTOR), at);
      } else if (g === 0 && parent) {
        parent(diskSector + s, dest.subarray(at, at + n * SECTOR));
      } else {
        dest.fill(0, at, at + n * SECTOR);
      }
      s += n;
    }
  }

  /** Grain `grain` (stored deflated at sector `g`), inflated, from the cache or the file. */
  private inflateGrain(grain: number, g: number): Uint8Array {
    const hit = this.cachedGrains.indexOf(grain);
    if (hit >= 0) return this.cachedData[hit]!;
    const grainBytes = this.grainSectors * SECTOR;
    const pos = g * SECTOR;
    const where = `${this.path}: compressed grain ${grain} at offset ${pos}`;
    let dataPos = pos;
    // Deflate can grow incompressible data slightly; anything much larger is not a grain.
    let size = Math.min(grainBytes + grainBytes / 8 + 1024, this.fileBytes - pos);
    if (this.header.flags & SparseFlags.MARKERS) {
      const marker = new Uint8Array(12);
      if (readFully(this.fd, marker, pos, this.path) < 12)
        throw new BlockError(`${where}: truncated marker`, 'format');
      const v = new DataView(marker.buffer);
      const declared = v.getUint32(8, true);
      if (declared === 0)
        throw new BlockError(`${where}: a metadata marker where a grain was expected`, 'format');
      if (declared > size - 12)
        throw new BlockError(
          `${where}: marker size ${declared} is past the file's end or too large for a grain`,
          'format',
        );
      size = declared;
      dataPos = pos + 12;
    }
    const packed = new Uint8Array(size);
    readFully(this.fd, packed, dataPos, this.path);
    let data: Buffer;
    try {
      data = inflateSync(packed, { maxOutputLength: grainBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ERR_BUFFER_TOO_LARGE'
          ? `inflates beyond a grain (${grainBytes} bytes)`
          : `does not inflate (${(err as Error).message})`;
      throw new BlockError(`${where}: ${why}`, 'format');
    }
    const slot = this.nextVictim;
    this.nextVictim = (slot + 1) % this.cachedGrains.length;
    const out = this.cachedData[slot]!;
    out.set(data);
    if (data.length < grainBytes) out.fill(0, data.length);
    this.cachedGrains[slot] = grain;
    return out;
  }

  write(sector: number, src: Uint8Array, parent: ParentReader | null, diskSector: number): void {
    if (!this.writable) throw new BlockError(`${this.path}: extent is read-only`, 'read-only');
    const gs = this.grainSectors;
    const perTable = this.header.numGTEsPerGT;
    const end = sector + src.length / SECTOR;
    let s = sector;
    while (s < end) {
      const grain = Math.floor(s / gs);
      const inGrain = s - grain * gs;
      let n = Math.min(end - s, gs - inGrain);
      const at = (s - sector) * SECTOR;
      const g = this.entry(grain);
      if (g > GTE_ZEROED) {
        // Overwrite in place, one write for grains that follow each other in the file.
        let next = grain + 1;
        while (s + n < end && this.entry(next) === g + (next - grain) * gs) {
          n += Math.min(end - s - n, gs);
          next++;
        }
        writeFully(this.fd, src, (g + inGrain) * SECTOR, this.path, at, n * SECTOR);
      } else if (n < gs) {
        this.allocatePartial(
          grain,
          inGrain,
          src.subarray(at, at + n * SECTOR),
          g === 0 ? parent : null,
          diskSector,
        );
      } else {
        // Whole unallocated grains of one table: one data write and one write per table copy.
        let count = 0;
        while (
          s + (count + 1) * gs <= end &&
          this.entry(grain + count) <= GTE_ZEROED &&
          Math.floor((grain + count) / perTable) === Math.floor(grain / perTable) &&
          !(parent === null && isZero(src.subarray(at + count * gs * SECTOR, at + (count + 1) * gs * SECTOR)))
        ) {
          count++;
        }
        // A whole grain of zeros with no parent below stays unallocated: it reads as zeros already.
        n = count === 0 ? gs : count * gs;
        if (count > 0) this.place(grain, count, src.subarray(at, at + n * SECTOR));
      }
      s += n;
    }
  }

  /** Gives `grain` (unallocated or zeroed) a new grain holding `part` at `inGrain`, the rest from the parent or zeros. */
  private allocatePartial(
    grain: number,
    inGrain: number,
    part: Uint8Array,
    parent: ParentReader | null,
    diskSector: number,
  ): void {
    const gs = this.grainSectors;
    const data = this.scratch;
    const grainStart = grain * gs;
    const inExtent = Math.min(gs, this.sectors - grainStart);
    if (parent) parent(diskSector + grainStart, data.subarray(0, inExtent * SECTOR));
    else data.fill(0, 0, inExtent * SECTOR);
    data.fill(0, inExtent * SECTOR);
    data.set(part, inGrain * SECTOR);
    if (!parent && isZero(data)) return;
    this.place(grain, 1, data);
  }

  /**
   * Writes `count` grains of `data` at the end of the used area, then points
   * their table entries at them: primary table first, redundant table second.
   */
  private place(grain: number, count: number, data: Uint8Array): void {
    const perTable = this.header.numGTEsPerGT;
    const table = Math.floor(grain / perTable);
    if (this.gtOffsets[table] === 0) this.allocateTable(table);
    const at = this.nextFree;
    writeFully(this.fd, data, at * SECTOR, this.path);
    this.nextFree = at + count * this.grainSectors;
    const index = grain % perTable;
    const gt = this.gts[table]!;
    const entries = this.entriesBuf.subarray(0, count * 4);
    const v = new DataView(entries.buffer);
    for (let i = 0; i < count; i++) {
      gt[index + i] = at + i * this.grainSectors;
      v.setUint32(i * 4, at + i * this.grainSectors, true);
    }
    writeFully(this.fd, entries, this.gtOffsets[table]! * SECTOR + index * 4, this.path);
    if (this.rgtOffsets)
      writeFully(this.fd, entries, this.rgtOffsets[table]! * SECTOR + index * 4, this.path);
  }

  /** Gives grain directory entry `table` a zeroed grain table (and redundant table) at the end of the used area. */
  private allocateTable(table: number): void {
    const gtSectors = Math.ceil(this.gtBytes / SECTOR);
    const zeros = new Uint8Array(gtSectors * SECTOR);
    const place = (directory: number[], gdOffset: number): void => {
      const at = this.nextFree;
      writeFully(this.fd, zeros, at * SECTOR, this.path);
      this.nextFree = at + gtSectors;
      new DataView(this.entryBuf.buffer).setUint32(0, at, true);
      writeFully(this.fd, this.entryBuf, gdOffset * SECTOR + table * 4, this.path);
      directory[table] = at;
    };
    place(this.gtOffsets, this.header.gdOffset);
    if (this.rgtOffsets) place(this.rgtOffsets, this.header.rgdOffset);
    this.gts[table] = new Uint32Array(this.header.numGTEsPerGT);
  }

  /** Consistency checks beyond those of `open`, for `img check`; with `repair`, copies primary entries over differing redundant ones. */
  check(repair: boolean): SparseCheck {
    const result: SparseCheck = {
      allocatedGrains: 0,
      corruptions: 0,
      messages: [],
      redundantDifferences: 0,
      leakedSectors: 0,
      repairedLeakedSectors: 0,
    };
    const owner = new Map<number, number>();
    const corrupt = (message: string): void => {
      if (result.corruptions++ < MAX_REPORTED) result.messages.push(`${this.path}: ${message}`);
    };
    const raw = new Uint8Array(this.gtBytes);
    const numGTEs = this.header.numGTEsPerGT;
    for (let t = 0; t < this.gts.length; t++) {
      const gt = this.gts[t];
      if (!gt) continue;
      for (let e = 0; e < numGTEs; e++) {
        const g = gt[e]!;
        if (g <= GTE_ZEROED) continue;
        const grain = t * numGTEs + e;
        result.allocatedGrains++;
        const other = owner.get(g);
        if (other !== undefined) corrupt(`grains ${other} and ${grain} both point to sector ${g}`);
        else owner.set(g, grain);
        if (this.compressed) {
          try {
            this.inflateGrain(grain, g);
          } catch (err) {
            corrupt((err as Error).message.slice(this.path.length + 2));
          }
        }
      }
      const rgt = this.rgtOffsets?.[t];
      if (!rgt) continue;
      readFully(this.fd, raw, rgt * SECTOR, this.path);
      const v = new DataView(raw.buffer);
      for (let e = 0; e < numGTEs; e++) {
        if (v.getUint32(e * 4, true) === gt[e]) continue;
        result.redundantDifferences++;
        if (repair && this.writable) {
          new DataView(this.entryBuf.buffer).setUint32(0, gt[e]!, true);
          writeFully(this.fd, this.entryBuf, rgt * SECTOR + e * 4, this.path);
        }
      }
    }
    if (!this.compressed)
      result.leakedSectors = Math.max(0, Math.ceil(this.fileBytes / SECTOR) - this.nextFree);
    if (repair && this.writable && result.leakedSectors > 0) {
      ftruncateSync(this.fd, this.nextFree * SECTOR);
      result.repairedLeakedSectors = result.leakedSectors;
      result.leakedSectors = 0;
    }
    return result;
  }

  /** Bytes the extent's file occupies. */
  get fileSize(): number {
    return this.fileBytes;
  }

  flush(): void {
    if (!this.writable || this.fd < 0) return;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw ioError(this.path, 'flush', 0, err);
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
