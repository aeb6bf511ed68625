import type { PhysicalMemory } from '@plugboard/core';
import { FirmwareError } from './resolve.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** The BIOS window below 1 MiB that the ISA bus decodes (0xE0000-0xFFFFF). */
export const ISA_BIOS_WINDOW = 128 * KiB;
export const MAX_FIRMWARE_SIZE = 16 * MiB;
const FOUR_GIB = 2 ** 32;
const ONE_MIB = MiB;

/** SeaBIOS images come in 64 KiB steps up to 16 MiB, as QEMU's pc machine requires. */
export function checkBiosImage(image: Uint8Array, file: string): void {
  if (image.length === 0 || image.length % (64 * KiB) !== 0 || image.length > MAX_FIRMWARE_SIZE) {
    throw new FirmwareError(
      `${file}: firmware size ${image.length} bytes is not a multiple of 64 KiB between 64 KiB and 16 MiB`,
    );
  }
}

/**
 * Maps a firmware image as QEMU's pc machine does: all of it read-only just
 * below 4 GiB, and its last 128 KiB (or all of it, when smaller) read-only
 * just below 1 MiB, the isa-bios alias the i440FX's PAM registers shadow.
 * Returns the alias's base.
 */
export function mapFirmware(memory: PhysicalMemory, image: Uint8Array): number {
  memory.mapBuffer(FOUR_GIB - image.length, image, 0, image.length, false);
  const isaSize = Math.min(image.length, ISA_BIOS_WINDOW);
  const isaBase = ONE_MIB - isaSize;
  memory.mapBuffer(isaBase, image, image.length - isaSize, isaSize, false);
  return isaBase;
}

/** Pads an image at the front with 0xFF to whole 4 KiB pages, so its last byte stays last. */
export function padToPages(image: Uint8Array): Uint8Array {
  const size = Math.ceil(image.length / 4096) * 4096;
  if (size === image.length) return image;
  const out = new Uint8Array(size).fill(0xff);
  out.set(image, size - image.length);
  return out;
}
