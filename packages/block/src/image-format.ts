import { closeSync, fstatSync } from 'node:fs';
import type { BlockBackend } from '@plugboard/core';
import { BlockError } from '@plugboard/core';
import { openFile, RawImage, readFully } from './raw-image.js';

/** Bytes of a file's start handed to `probe`. */
export const PROBE_BYTES = 64 * 1024;

/**
 * One image format: how to recognise a file of it and how to open one. The
 * `file` drive plugin and `plugboard img` probe formats in the order given,
 * so the most specific goes first and `raw`, which takes anything, last.
 */
export interface ImageFormat {
  readonly name: string;
  /** True when `head` (up to PROBE_BYTES of the file's start) is this format. */
  probe(head: Uint8Array, fileSize: number): boolean;
  open(path: string, options: FormatOpenOptions): BlockBackend;
}

export interface FormatOpenOptions {
  readOnly: boolean;
  /**
   * Files the image names (VMDK extents, parents) may lie outside the image's
   * own directory. Never true for a probed image: a guest could have written
   * the descriptor that names them (see README, "Probing").
   */
  externalFiles?: boolean;
  /**
   * Read-only opens take shared locks on every file they read, so no other
   * process writes them meanwhile. Drives do; `plugboard img` reads without
   * (as qemu-img -U does). Writable opens always take exclusive locks.
   */
  readLock?: boolean;
}

export const rawFormat: ImageFormat = {
  name: 'raw',
  probe: () => true,
  open: (path, { readOnly, readLock }) => new RawImage(path, { readOnly, readLock }),
};

const ISO_MAGIC_OFFSET = 0x8001;

/** ISO 9660: "CD001" in the first volume descriptor, at sector 16 of 2048 bytes. */
export const isoFormat: ImageFormat = {
  name: 'iso',
  probe: (head) =>
    head.length >= ISO_MAGIC_OFFSET + 5 &&
    String.fromCharCode(...head.subarray(ISO_MAGIC_OFFSET, ISO_MAGIC_OFFSET + 5)) === 'CD001',
  // A CD image is read-only media whatever the drive asks; its writes fail with a read-only BlockError.
  open: (path, { readLock }) => new RawImage(path, { readOnly: true, sectorSize: 2048, readLock }),
};

/** Reads the start of `path` and returns the first format that recognises it. */
export function probeFormat(path: string, formats: readonly ImageFormat[]): ImageFormat {
  const fd = openFile(path, true);
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(PROBE_BYTES, size));
    const done = readFully(fd, head, 0, path);
    const found = probeHead(head.subarray(0, done), size, formats);
    if (!found)
      throw new BlockError(
        `${path}: not an image of any known format (${formats.map((f) => f.name).join(', ')})`,
        'format',
      );
    return found;
  } finally {
    closeSync(fd);
  }
}

/** The first of `formats` that recognises `head`. */
export function probeHead(
  head: Uint8Array,
  fileSize: number,
  formats: readonly ImageFormat[],
): ImageFormat | undefined {
  return formats.find((f) => f.probe(head, fileSize));
}

/** The format named `name`, or a clear error listing the known ones. */
export function findFormat(name: string, formats: readonly ImageFormat[]): ImageFormat {
  const found = formats.find((f) => f.name === name);
  if (!found)
    throw new BlockError(
      `unknown image format "${name}" (known: ${formats.map((f) => f.name).join(', ')})`,
      'format',
    );
  return found;
}
