import { type ImageFormat, ImageLock, openDrive } from '@plugboard/block';
import type { BlockBackend } from '@plugboard/core';
import { imageFormats } from '../formats.js';

/** Opens an image for an `img` command, probing unless `format` names one; reads take no lock (as qemu-img -U). */
export function openImage(
  path: string,
  format: string | undefined,
  readOnly: boolean,
): { image: BlockBackend; format: ImageFormat } {
  return openDrive(path, { format: format ?? 'auto', readOnly, readLock: false }, imageFormats);
}

/** Bytes of an image's content (a CD image's 2048-byte sectors included). */
export function imageBytes(image: BlockBackend): number {
  return image.sectorCount * image.sectorSize;
}

/**
 * Refuses to overwrite an image another writer holds (a running machine):
 * takes its lock and lets go again before the output is created.
 */
export function ensureNotInUse(path: string): void {
  ImageLock.acquire(path).release();
}
