import type { BlockBackend } from '@plugboard/core';
import { CowOverlay } from './cow-overlay.js';
import { findFormat, type ImageFormat, probeFormat } from './image-format.js';

export interface DriveOptions {
  readOnly?: boolean;
  /** Writes go to memory and are dropped on close; the image is opened read-only. */
  snapshot?: boolean;
  /** A format name, or `auto` to probe the file. */
  format?: string;
}

/** Opens `path` the way `-drive file=...` does: probe or name the format, then add the snapshot overlay. */
export function openDrive(
  path: string,
  options: DriveOptions,
  formats: readonly ImageFormat[],
): { image: BlockBackend; format: ImageFormat } {
  const format =
    !options.format || options.format === 'auto'
      ? probeFormat(path, formats)
      : findFormat(options.format, formats);
  const snapshot = options.snapshot ?? false;
  const image = format.open(path, { readOnly: snapshot || (options.readOnly ?? false) });
  return { image: snapshot && !options.readOnly ? new CowOverlay(image) : image, format };
}
