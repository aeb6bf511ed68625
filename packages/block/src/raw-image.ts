import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { type BlockBackend, BlockError } from '@plugboard/core';
import { ImageLock } from './image-lock.js';
import { checkRange } from './range.js';

export interface RawImageOptions {
  readOnly?: boolean;
  /** 512 for disks, 2048 for CD-ROM images. */
  sectorSize?: number;
  /** Read-only: take a shared lock, so no other process writes the file meanwhile (a writer always locks). */
  readLock?: boolean;
}

/**
 * A plain file, sector for sector. A file whose size is not a whole number of
 * sectors exposes the rounded-up capacity, as QEMU does: the missing tail of
 * the last sector reads as zeros, and a write there extends the file.
 */
export class RawImage implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** Bytes of the file itself; `sectorCount * sectorSize` may exceed it by less than a sector. */
  readonly fileSize: number;
  private fd: number;
  private readonly lock: ImageLock | null;

  constructor(
    readonly path: string,
    options: RawImageOptions = {},
  ) {
    this.sectorSize = options.sectorSize ?? 512;
    this.readOnly = options.readOnly ?? false;
    this.lock = !this.readOnly
      ? ImageLock.acquire(path, 'write')
      : options.readLock
        ? ImageLock.acquire(path, 'read')
        : null;
    try {
      this.fd = openFile(path, this.readOnly);
      this.fileSize = fstatSync(this.fd).size;
    } catch (err) {
      this.lock?.release();
      throw err;
    }
    this.sectorCount = Math.ceil(this.fileSize / this.sectorSize);
  }

  /** True when the file's size is not a whole number of sectors (the tail reads as zeros). */
  get partialLastSector(): boolean {
    return this.fileSize % this.sectorSize !== 0;
  }

  read(sector: number, dest: Uint8Array): void {
    checkRange(this, sector, dest.length);
    const done = readFully(this.fd, dest, sector * this.sectorSize, this.path);
    if (done < dest.length) dest.fill(0, done);
  }

  write(sector: number, src: Uint8Array): void {
    if (this.readOnly) throw new BlockError(`${this.path}: image is read-only`, 'read-only');
    checkRange(this, sector, src.length);
    writeFully(this.fd, src, sector * this.sectorSize, this.path);
  }

  flush(): void {
    if (this.readOnly || this.fd < 0) return;
    try {
      fsyncSync(this.fd);
    } catch (err) {
      throw ioError(this.path, 'flush', 0, err);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    this.lock?.release();
  }
}

/**
 * Opens an image file. It must be a regular file: /dev/zero or a FIFO named
 * as a disk, an extent or a parent would read forever (O_NONBLOCK keeps the
 * open itself from waiting for a FIFO's writer; regular files ignore it).
 */
export function openFile(path: string, readOnly: boolean): number {
  let fd: number;
  try {
    fd = openSync(path, (readOnly ? constants.O_RDONLY : constants.O_RDWR) | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new BlockError(`${path}: cannot open${readOnly ? '' : ' for writing'}: ${why}`, 'io');
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new BlockError(`${path}: not a regular file (expected a disk image file)`, 'io');
  }
  return fd;
}

/** Reads `length` bytes at file offset `pos` into `dest` from `offset` on, across short reads; returns how many (fewer at end of file). */
export function readFully(
  fd: number,
  dest: Uint8Array,
  pos: number,
  path: string,
  offset = 0,
  length = dest.length - offset,
): number {
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, dest, offset + done, length - done, pos + done);
      if (n === 0) break;
      done += n;
    }
  } catch (err) {
    throw ioError(path, 'read', pos, err);
  }
  return done;
}

/** Writes `length` bytes of `src` from `offset` on at file offset `pos`, across short writes. */
export function writeFully(
  fd: number,
  src: Uint8Array,
  pos: number,
  path: string,
  offset = 0,
  length = src.length - offset,
): void {
  let done = 0;
  try {
    while (done < length) done += writeSync(fd, src, offset + done, length - done, pos + done);
  } catch (err) {
    throw ioError(path, 'write', pos, err);
  }
}

export function ioError(path: string, op: string, pos: number, err: unknown): BlockError {
  return new BlockError(`${path}: ${op} at byte offset ${pos} failed: ${(err as Error).message}`, 'io');
}
