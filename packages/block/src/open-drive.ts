import { type BlockBackend, BlockError } from '@plugboard/core';
import { CowOverlay } from './cow-overlay.js';
import { findFormat, type ImageFormat, probeFormat, rawFormat } from './image-format.js';
import { fileKey } from './image-lock.js';
import { ProbeGuard } from './probe-guard.js';

export interface DriveOptions {
  readOnly?: boolean;
  /** Writes go to a temporary overlay and are dropped on close; the image is opened read-only. */
  snapshot?: boolean;
  /** A format name, or `auto` to probe the file. */
  format?: string;
  /**
   * Let the image name files (VMDK extents, parents) outside its own
   * directory. Only honoured with a named format: a probed image is always
   * confined, since a guest may have written what it names.
   */
  externalFiles?: boolean;
  /** Take shared locks when reading (default true; `plugboard img` reads without, like qemu-img -U). */
  readLock?: boolean;
}

/** Drives this process has open for writing, by file identity (dev-ino). */
const writers = new Map<string, { image: BlockBackend; format: ImageFormat }>();

/**
 * Opens `path` the way `-drive file=...` does: probe or name the format, then
 * add the snapshot overlay. A read-only drive of a file this process already
 * writes through another drive (QEMU's `-hda x.vmdk -cdrom x.vmdk`) reads
 * through that same open image, so it sees the disk's writes as they happen
 * and takes no second lock; the writable drive must be opened first.
 */
export function openDrive(
  path: string,
  options: DriveOptions,
  formats: readonly ImageFormat[],
): { image: BlockBackend; format: ImageFormat; guarded?: boolean } {
  const snapshot = options.snapshot ?? false;
  const readOnly = snapshot || (options.readOnly ?? false);
  const key = fileKey(path);
  const writer = key === null ? undefined : writers.get(key);
  if (readOnly && writer) {
    const view = new ReadThrough(writer.image, path);
    return { image: snapshot && !options.readOnly ? new CowOverlay(view) : view, format: writer.format };
  }
  const probed = !options.format || options.format === 'auto';
  const format = probed ? probeFormat(path, formats) : findFormat(options.format!, formats);
  let image = format.open(path, {
    readOnly,
    externalFiles: !probed && (options.externalFiles ?? false),
    readLock: options.readLock ?? true,
  });
  // Only a raw image shows the guest the file's own first bytes, which probing reads.
  const guarded = probed && format === rawFormat && !image.readOnly;
  if (guarded)
    image = new ProbeGuard(
      image,
      path,
      formats.filter((f) => f !== format),
    );
  if (!image.readOnly && key !== null) {
    const entry = { image, format };
    writers.set(key, entry);
    image = new Unregister(image, () => {
      if (writers.get(key) === entry) writers.delete(key);
    });
  }
  return { image: snapshot && !options.readOnly ? new CowOverlay(image) : image, format, guarded };
}

/** A read-only drive over another drive's open image. */
class ReadThrough implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly = true;

  constructor(
    private readonly image: BlockBackend,
    private readonly path: string,
  ) {
    this.sectorSize = image.sectorSize;
    this.sectorCount = image.sectorCount;
  }

  read(sector: number, dest: Uint8Array): void {
    this.image.read(sector, dest);
  }

  write(): void {
    throw new BlockError(`${this.path}: image is read-only`, 'read-only');
  }

  flush(): void {}

  /** The writable drive owns the image and closes it. */
  close(): void {}
}

/** A writable drive's image that leaves the registry of writers when closed. */
class Unregister implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly: boolean;

  constructor(
    private readonly image: BlockBackend,
    private readonly onClose: () => void,
  ) {
    this.sectorSize = image.sectorSize;
    this.sectorCount = image.sectorCount;
    this.readOnly = image.readOnly;
  }

  read(sector: number, dest: Uint8Array): void {
    this.image.read(sector, dest);
  }

  write(sector: number, src: Uint8Array): void {
    this.image.write(sector, src);
  }

  flush(): void {
    this.image.flush();
  }

  close(): void {
    this.onClose();
    this.image.close();
  }
}
