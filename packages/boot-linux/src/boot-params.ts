import { SETUP_HEADER as HDR, LOADED_HIGH } from '@plugboard/firmware';
import { type BzImage, KASLR_FLAG } from './bzimage.js';
import { type E820Entry, encodeE820 } from './e820.js';

/** struct boot_params (the "zero page"), Documentation/arch/x86/zero-page.rst. */
export const BOOT_PARAMS_SIZE = 4096;
const ALT_MEM_K = 0x1e0;
const E820_ENTRIES = 0x1e8;
const E820_TABLE = 0x2d0;
const E820_MAX = 128;
/** type_of_loader for a boot loader without an assigned ID. */
const LOADER_UNDEFINED = 0xff;

export interface BootParamsInput {
  kernel: BzImage;
  e820: readonly E820Entry[];
  ramSize: number;
  cmdlineAddress: number;
  initrd: { address: number; size: number } | null;
}

/**
 * The zero page as the real-mode setup code and the decompressor would
 * leave it for a 32-bit entry: the kernel's own setup header (so
 * hardware_subarch stays 0, the PC), patched as a loader does (loader type,
 * command line, initrd), KASLR_FLAG clear (nothing was randomized), the
 * e820 map and alt_mem_k. screen_info stays zero: no VGA text mode was set
 * up, so Linux picks no VGA console.
 */
export function buildBootParams(p: BootParamsInput): Uint8Array {
  if (p.e820.length > E820_MAX) throw new RangeError(`${p.e820.length} e820 entries exceed ${E820_MAX}`);
  const zp = new Uint8Array(BOOT_PARAMS_SIZE);
  const v = new DataView(zp.buffer);
  zp.set(p.kernel.header, HDR.SETUP_SECTS);
  zp[HDR.TYPE_OF_LOADER] = LOADER_UNDEFINED;
  zp[HDR.LOADFLAGS] = (zp[HDR.LOADFLAGS] | LOADED_HIGH) & ~KASLR_FLAG;
  v.setUint32(HDR.CMD_LINE_PTR, p.cmdlineAddress, true);
  v.setUint32(HDR.RAMDISK_IMAGE, p.initrd?.address ?? 0, true);
  v.setUint32(HDR.RAMDISK_SIZE, p.initrd?.size ?? 0, true);
  v.setUint32(ALT_MEM_K, Math.floor((p.ramSize - 0x100000) / 1024), true);
  zp[E820_ENTRIES] = p.e820.length;
  zp.set(encodeE820(p.e820), E820_TABLE);
  return zp;
}
