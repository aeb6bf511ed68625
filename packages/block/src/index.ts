import type { DevicePlugin } from '@plugboard/core';

export { COW_CHUNK_BYTES, CowOverlay } from './cow-overlay.js';
export { createFilePlugin, FileDrive, type FileDriveConfig } from './file-plugin.js';
export {
  type FormatOpenOptions,
  findFormat,
  type ImageFormat,
  isoFormat,
  PROBE_BYTES,
  probeFormat,
  probeHead,
  rawFormat,
} from './image-format.js';
export { fileKey, ImageLock, type LockMode, lockDirectory, writeLockFile } from './image-lock.js';
export { type DriveOptions, openDrive } from './open-drive.js';
export { ProbeGuard } from './probe-guard.js';
export { checkRange } from './range.js';
export { ioError, openFile, RawImage, type RawImageOptions, readFully, writeFully } from './raw-image.js';

/**
 * None of its own: the `file` drive plugin is built with `createFilePlugin`
 * by the package that knows every format (@plugboard/disk-vmdk), so that one
 * plugin probes raw, ISO and VMDK alike, as `-hda x.vmdk` does in QEMU.
 */
export const plugins: DevicePlugin[] = [];
