import type { BlockBackend } from '@plugboard/core';
import { CowOverlay } from './cow-overlay.js';
import { findFormat, type ImageFormat, probeFormat, rawFormat } from './image-format.js';
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
}

/** Opens `path` the way `-drive file=...` does: probe or name the format, then add the snapshot overlay. */
export function openDrive(
  path: string,
  options: DriveOptions,
  formats: readonly ImageFormat[],
): { image: BlockBackend; format: ImageFormat } {
  const probed = !options.format || options.format === 'auto';
  const format = probed ? probeFormat(path, formats) : findFormat(options.format!, formats);
  const snapshot = options.snapshot ?? false;
  const readOnly = snapshot || (options.readOnly ?? false);
  let image = format.open(path, { readOnly, externalFiles: !probed && (options.externalFiles ?? false) });
  // Only a raw image shows the guest the file's own first bytes, which probing reads.
  if (probed && format === rawFormat && !image.readOnly)
    image = new ProbeGuard(
      image,
      path,
      formats.filter((f) => f !== format),
    );
  return { image: snapshot && !options.readOnly ? new CowOverlay(image) : image, format };
}
