import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { checkRange, fileKey, ImageLock, openFile, readFully, writeFully } from '@plugboard/block';
import { type BlockBackend, BlockError } from '@plugboard/core';
import {
  type Descriptor,
  type ExtentType,
  MAX_DESCRIPTOR_BYTES,
  NO_PARENT_CID,
  parseDescriptor,
} from './descriptor.js';
import type { Extent, ParentReader } from './extent.js';
import { FlatExtent, ZeroExtent } from './flat-extent.js';
import { SparseExtent } from './sparse-extent.js';
import { MAX_CAPACITY_SECTORS, parseSparseHeader, SECTOR, SPARSE_MAGICNUMBER } from './sparse-header.js';

/** Most extents one descriptor may list: a 2 TiB twoGbMaxExtent disk has 1024. */
export const MAX_EXTENTS = 4096;
/** Deepest parent chain followed before giving up. */
export const MAX_CHAIN_DEPTH = 64;
const DESCRIPTOR_MAGIC = '# Disk DescriptorFile';

/** Where the descriptor's CID value lies in its file, for rewriting it in place. */
interface CidHome {
  path: string;
  /** Byte offset of the CID's hex digits. */
  offset: number;
  /** How many hex digits the CID was written with (normally 8). */
  digits: number;
}

export interface VmdkOpenOptions {
  readOnly?: boolean;
  /**
   * Let extent and parent paths lead outside the opened file's directory
   * (its real path's). Off by default: a descriptor is data, and one written
   * by someone else (or by a guest into a raw image) could name any host file.
   */
  externalFiles?: boolean;
  /** Read-only: take shared locks on the descriptor, extents and parents (drives do; see @plugboard/block). */
  readLock?: boolean;
}

/**
 * A VMDK disk: a descriptor (embedded in a monolithic sparse file or a text
 * file of its own) and its extents, read through to a parent disk where a
 * sparse extent has no grain. Parents open read-only; their CID must match
 * the child's parentCID, and a chain that comes back on itself is refused.
 */
export class VmdkImage implements BlockBackend {
  readonly sectorSize = 512;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  private readonly starts: Float64Array;
  private readonly parentReader: ParentReader | null;
  private cidWritten = false;

  private constructor(
    readonly path: string,
    readonly descriptor: Descriptor,
    readonly extents: Extent[],
    readonly parent: VmdkImage | null,
    private readonly home: CidHome | null,
    readOnly: boolean,
    private readonly locks: ImageLock[],
  ) {
    this.readOnly = readOnly;
    this.starts = new Float64Array(extents.length + 1);
    for (let i = 0; i < extents.length; i++) this.starts[i + 1] = this.starts[i]! + extents[i]!.sectors;
    this.sectorCount = this.starts[extents.length]!;
    const p = parent;
    this.parentReader = p
      ? (sector, dest) => {
          const want = dest.length / SECTOR;
          const have = Math.max(0, Math.min(want, p.sectorCount - sector));
          if (have > 0) p.read(sector, have === want ? dest : dest.subarray(0, have * SECTOR));
          if (have < want) dest.fill(0, have * SECTOR);
        }
      : null;
  }

  static open(path: string, options: VmdkOpenOptions = {}): VmdkImage {
    const root = options.externalFiles ? null : dirname(realPath(path, path));
    return VmdkImage.openChain(path, options.readOnly ?? false, [], root, options.readLock ?? false);
  }

  /**
   * `root`: the directory every file of the chain must lie in (null: anywhere).
   * Every file the disk writes is locked for writing, every file it only reads
   * (parents, RDONLY extents) for reading when `readLock` or when the disk is
   * writable (its parents must not change under it).
   */
  private static openChain(
    path: string,
    readOnly: boolean,
    chain: string[],
    root: string | null,
    readLock: boolean,
  ): VmdkImage {
    const real = realPath(path, path);
    if (chain.includes(real)) {
      throw new BlockError(
        `${path}: parent chain loops back on itself: ${[...chain, real].join(' -> ')}`,
        'format',
      );
    }
    if (chain.length >= MAX_CHAIN_DEPTH)
      throw new BlockError(`${path}: parent chain deeper than ${MAX_CHAIN_DEPTH}`, 'format');
    const locks: ImageLock[] = [];
    // One lock per file, whatever its names: a monolithic file is its own extent.
    const lock = (file: string, write: boolean): void => {
      if (!write && !readLock) return;
      const key = fileKey(file);
      if (locks.some((l) => l.key === key && (l.mode === 'write' || !write))) return;
      locks.push(ImageLock.acquire(file, write ? 'write' : 'read'));
    };
    const extents: Extent[] = [];
    let parent: VmdkImage | null = null;
    try {
      lock(path, !readOnly);
      const { descriptor, home, sparse } = readDescriptor(path);
      const base = dirname(path);
      if (sparse) {
        // As in QEMU, a file with a sparse header is its own one extent, whatever file its
        // embedded descriptor names: a renamed or copied monolithicSparse disk still opens.
        extents.push(openExtentFile(path, 'SPARSE', null, 0, !readOnly));
      } else {
        if (descriptor.extents.length > MAX_EXTENTS) {
          throw new BlockError(
            `${path}: descriptor lists ${descriptor.extents.length} extents (limit ${MAX_EXTENTS})`,
            'format',
          );
        }
        const self = fileKey(path);
        const files = new Set<string | null>();
        for (const line of descriptor.extents) {
          if (line.access === 'NOACCESS') {
            throw new BlockError(`${path}: NOACCESS extents are not supported`, 'format');
          }
          if (line.type === 'ZERO') {
            extents.push(new ZeroExtent(line.sectors));
            continue;
          }
          const file = isAbsolute(line.file!) ? line.file! : resolve(base, line.file!);
          confine(path, 'extent', file, root);
          // Each extent file once: a sparse one listed many times would load its tables as often.
          const key = fileKey(file);
          // A descriptor that is its own extent would let a guest rewrite what the disk names.
          if (key === self)
            throw new BlockError(`${path}: extent file ${line.file} is the descriptor itself`, 'format');
          if (files.has(key))
            throw new BlockError(`${path}: extent file ${line.file} is listed twice`, 'format');
          files.add(key);
          const writable = !readOnly && line.access === 'RW';
          lock(file, writable);
          extents.push(openExtentFile(file, line.type, line.sectors, line.offset, writable));
        }
      }
      if (descriptor.parentCid !== NO_PARENT_CID) {
        const hint = descriptor.parentFileNameHint;
        if (hint === null)
          throw new BlockError(`${path}: parentCID is set but there is no parentFileNameHint`, 'format');
        const parentPath = isAbsolute(hint) ? hint : resolve(base, hint);
        confine(path, 'parent', parentPath, root);
        parent = VmdkImage.openChain(parentPath, true, [...chain, real], root, readLock || !readOnly);
        if (parent.descriptor.cid !== descriptor.parentCid) {
          throw new BlockError(
            `${path}: CID mismatch: parentCID=${hex(descriptor.parentCid)} but parent ${parentPath} has CID=${hex(parent.descriptor.cid)} (the parent changed after this snapshot was taken)`,
            'format',
          );
        }
      }
      const total = extents.reduce((sum, e) => sum + e.sectors, 0);
      if (total > MAX_CAPACITY_SECTORS) {
        throw new BlockError(
          `${path}: extents add up to ${total} sectors, beyond any VMDK (limit ${MAX_CAPACITY_SECTORS})`,
          'format',
        );
      }
      return new VmdkImage(path, descriptor, extents, parent, home, readOnly, locks);
    } catch (err) {
      for (const e of extents) e.close();
      parent?.close();
      for (const l of locks) l.release();
      throw err;
    }
  }

  /** True when any extent holds compressed grains (streamOptimized). */
  get compressed(): boolean {
    return this.extents.some((e) => e instanceof SparseExtent && e.compressed);
  }

  read(sector: number, dest: Uint8Array): void {
    checkRange(this, sector, dest.length);
    this.transfer(sector, dest, false);
  }

  write(sector: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockError(`${this.path}: image is read-only`, 'read-only');
    checkRange(this, sector, src.length);
    if (!this.cidWritten) this.writeNewCid();
    this.transfer(sector, src, true);
  }

  /** Splits a request at extent boundaries (most requests lie in one extent and pass `buf` through whole). */
  private transfer(sector: number, buf: Uint8Array, write: boolean): void {
    const end = sector + buf.length / SECTOR;
    let i = this.extentAt(sector);
    let s = sector;
    while (s < end) {
      const start = this.starts[i]!;
      const stop = Math.min(end, this.starts[i + 1]!);
      const part =
        s === sector && stop === end ? buf : buf.subarray((s - sector) * SECTOR, (stop - sector) * SECTOR);
      const extent = this.extents[i]!;
      if (write) extent.write(s - start, part, this.parentReader, start);
      else extent.read(s - start, part, this.parentReader, start);
      s = stop;
      i++;
    }
  }

  private extentAt(sector: number): number {
    let lo = 0;
    let hi = this.extents.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= sector) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * A disk's content changes: give it a new CID, as VMware and QEMU do on the
   * first write, so children made from the old content notice. The descriptor
   * is rewritten in place (inside its reserved sectors when embedded).
   */
  private writeNewCid(): void {
    this.cidWritten = true;
    const home = this.home;
    if (!home) return;
    // The new CID takes the old one's digits exactly: one small in-place write, nothing else in the descriptor moves.
    const mask = home.digits >= 8 ? 0xffffffff : 2 ** (4 * home.digits) - 1;
    let cid: number;
    do cid = (randomBytes(4).readUInt32LE(0) & mask) >>> 0;
    while (cid === NO_PARENT_CID || cid === this.descriptor.cid);
    const fd = openFile(home.path, false);
    try {
      writeFully(
        fd,
        new TextEncoder().encode(cid.toString(16).padStart(home.digits, '0')),
        home.offset,
        home.path,
      );
    } finally {
      closeSync(fd);
    }
    this.descriptor.cid = cid;
  }

  flush(): void {
    for (const e of this.extents) e.flush();
  }

  close(): void {
    for (const e of this.extents) e.close();
    this.parent?.close();
    for (const l of this.locks) l.release();
  }
}

function openExtentFile(
  file: string,
  type: ExtentType,
  sectors: number | null,
  offset: number,
  writable: boolean,
): Extent {
  const fd = openFile(file, !writable);
  try {
    if (type === 'FLAT' || type === 'VMFS') return new FlatExtent(file, fd, sectors!, offset, writable);
    return SparseExtent.open(file, fd, sectors, writable);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function realPath(path: string, named: string): string {
  try {
    return realpathSync(path);
  } catch {
    throw new BlockError(`${named}: cannot open: no such file`, 'io');
  }
}

/** Refuses a file named by `image`'s descriptor whose real path lies outside `root`. */
function confine(image: string, what: string, file: string, root: string | null): void {
  if (root === null) return;
  const real = realPath(file, `${image}: ${what} ${file}`);
  if (real.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return;
  throw new BlockError(
    `${image}: ${what} ${file} lies outside the image's directory ${root}; a VMDK may only name files in its own directory (name the format and allow external files to open it)`,
    'format',
  );
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Reads the descriptor of the VMDK at `path`: embedded after a sparse header (`sparse`), or the whole (text) file. */
export function readDescriptor(path: string): {
  descriptor: Descriptor;
  home: CidHome | null;
  sparse: boolean;
} {
  const fd = openFile(path, true);
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(SECTOR, size));
    readFully(fd, head, 0, path);
    if (head.length >= 4 && new DataView(head.buffer).getUint32(0, true) === SPARSE_MAGICNUMBER) {
      const header = parseSparseHeader(head, path);
      if (header.descriptorOffset === 0) {
        // A bare sparse extent (one piece of a split disk opened directly): its header is all there is.
        const descriptor: Descriptor = {
          version: 1,
          cid: 0,
          parentCid: NO_PARENT_CID,
          createType: 'monolithicSparse',
          parentFileNameHint: null,
          extents: [{ access: 'RW', sectors: header.capacity, type: 'SPARSE', file: path, offset: 0 }],
          ddb: [],
        };
        return { descriptor, home: null, sparse: true };
      }
      const offset = header.descriptorOffset * SECTOR;
      const maxBytes = header.descriptorSize * SECTOR;
      if (offset + maxBytes > size) {
        throw new BlockError(
          `${path}: embedded descriptor at offset ${offset} (${maxBytes} bytes) runs past the end of the file (${size} bytes)`,
          'format',
        );
      }
      const raw = new Uint8Array(maxBytes);
      readFully(fd, raw, offset, path);
      const nul = raw.indexOf(0);
      const text = new TextDecoder('latin1').decode(nul < 0 ? raw : raw.subarray(0, nul));
      return {
        descriptor: parseDescriptor(text, `${path} (descriptor at offset ${offset})`),
        home: cidHome(path, text, offset),
        sparse: true,
      };
    }
    const prefix = new TextDecoder('latin1').decode(head);
    if (!prefix.startsWith(DESCRIPTOR_MAGIC)) {
      throw new BlockError(
        `${path}: not a VMDK: no "KDMV" magic and no "${DESCRIPTOR_MAGIC}" at offset 0`,
        'format',
      );
    }
    if (size > MAX_DESCRIPTOR_BYTES)
      throw new BlockError(`${path}: descriptor file of ${size} bytes is too large`, 'format');
    const raw = new Uint8Array(size);
    readFully(fd, raw, 0, path);
    // QEMU pads descriptor files with NULs to a whole sector.
    const nul = raw.indexOf(0);
    const text = new TextDecoder('latin1').decode(nul < 0 ? raw : raw.subarray(0, nul));
    return { descriptor: parseDescriptor(text, path), home: cidHome(path, text, 0), sparse: false };
  } finally {
    closeSync(fd);
  }
}

/** Where `CID=` 's digits are in `text`, which starts at byte `base` of `path` (latin1: one byte per character). */
function cidHome(path: string, text: string, base: number): CidHome | null {
  const m = /^[ \t]*CID[ \t]*=[ \t]*([0-9a-fA-F]{1,8})[ \t]*\r?$/m.exec(text);
  if (!m) return null;
  return { path, offset: base + m.index + m[0].indexOf(m[1]!, m[0].indexOf('=')), digits: m[1]!.length };
}
