import { LinuxBootError } from './errors.js';

/** Setup header offsets (Documentation/arch/x86/boot.rst). */
export const HDR = {
  SETUP_SECTS: 0x1f1,
  BOOT_FLAG: 0x1fe,
  JUMP: 0x200,
  HEADER: 0x202,
  VERSION: 0x206,
  TYPE_OF_LOADER: 0x210,
  LOADFLAGS: 0x211,
  CODE32_START: 0x214,
  RAMDISK_IMAGE: 0x218,
  RAMDISK_SIZE: 0x21c,
  CMD_LINE_PTR: 0x228,
  INITRD_ADDR_MAX: 0x22c,
  KERNEL_ALIGNMENT: 0x230,
  RELOCATABLE_KERNEL: 0x234,
  CMDLINE_SIZE: 0x238,
  HARDWARE_SUBARCH: 0x23c,
  PAYLOAD_OFFSET: 0x248,
  PAYLOAD_LENGTH: 0x24c,
  PREF_ADDRESS: 0x258,
  INIT_SIZE: 0x260,
} as const;
/** "HdrS" */
const HDR_MAGIC = 0x53726448;
/** LOADED_HIGH: the protected-mode code goes at 0x100000. */
export const LOADED_HIGH = 0x01;
/** KASLR_FLAG: set by the decompressor when it randomized the kernel's place. */
export const KASLR_FLAG = 0x02;
/** The 32-bit entry of a kernel loaded high, when the header does not say otherwise. */
const DEFAULT_CODE32_START = 0x100000;
/** The oldest protocol with payload_offset/length (2.08) and pref_address/init_size (2.10). */
const PROTOCOL_PAYLOAD = 0x208;
const PROTOCOL_PREF_ADDRESS = 0x20a;
/** The 32-bit boot protocol needs boot_params' header fields of 2.02+ (cmd_line_ptr). */
const PROTOCOL_MIN = 0x202;

/** A bzImage as the 32-bit boot protocol sees it. */
export interface BzImage {
  protocol: number;
  /** Bytes 0x1f1 to the end of the setup header, copied into boot_params. */
  header: Uint8Array;
  /** The protected-mode part (after the setup sectors). */
  body: Uint8Array;
  code32Start: number;
  initrdAddrMax: number;
  cmdlineSize: number;
  /** The compressed kernel inside `body`, when the header tells where (2.08+). */
  payload: Uint8Array | null;
  /** Where the kernel wants to run and how much room it needs there (2.10+), or null. */
  prefAddress: number | null;
  initSize: number | null;
}

/** Checks and splits a bzImage; errors name `file` and the header offset. */
export function parseBzImage(kernel: Uint8Array, file: string): BzImage {
  if (kernel.length < 0x270)
    throw new LinuxBootError(`${file}: ${kernel.length} bytes is too short for a bzImage`);
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  if (view.getUint32(HDR.HEADER, true) !== HDR_MAGIC || view.getUint16(HDR.BOOT_FLAG, true) !== 0xaa55)
    throw new LinuxBootError(`${file}: offset 0x202: no "HdrS" setup header; expected a bzImage`);
  const protocol = view.getUint16(HDR.VERSION, true);
  if (protocol < PROTOCOL_MIN)
    throw new LinuxBootError(
      `${file}: offset 0x206: boot protocol ${protocol.toString(16)} is older than 2.02, which the 32-bit entry needs`,
    );
  if (!(kernel[HDR.LOADFLAGS] & LOADED_HIGH))
    throw new LinuxBootError(`${file}: offset 0x211: a zImage (not loaded high) has no 32-bit entry to use`);
  const setupSects = kernel[HDR.SETUP_SECTS] || 4;
  const setupSize = (setupSects + 1) * 512;
  if (setupSize >= kernel.length)
    throw new LinuxBootError(
      `${file}: offset 0x1f1: ${setupSects} setup sectors leave no protected-mode code`,
    );
  const headerEnd = HDR.JUMP + 2 + kernel[HDR.JUMP + 1];
  const body = kernel.subarray(setupSize);
  let payload: Uint8Array | null = null;
  if (protocol >= PROTOCOL_PAYLOAD) {
    const offset = view.getUint32(HDR.PAYLOAD_OFFSET, true);
    const length = view.getUint32(HDR.PAYLOAD_LENGTH, true);
    if (offset + length > body.length)
      throw new LinuxBootError(
        `${file}: offset 0x248: payload at ${offset}+${length} runs past the ${body.length}-byte kernel`,
      );
    payload = body.subarray(offset, offset + length);
  }
  return {
    protocol,
    header: kernel.slice(HDR.SETUP_SECTS, headerEnd),
    body,
    code32Start: view.getUint32(HDR.CODE32_START, true) || DEFAULT_CODE32_START,
    initrdAddrMax: protocol >= 0x203 ? view.getUint32(HDR.INITRD_ADDR_MAX, true) : 0x37ffffff,
    cmdlineSize: protocol >= 0x206 ? view.getUint32(HDR.CMDLINE_SIZE, true) : 255,
    payload,
    prefAddress: protocol >= PROTOCOL_PREF_ADDRESS ? Number(view.getBigUint64(HDR.PREF_ADDRESS, true)) : null,
    initSize: protocol >= PROTOCOL_PREF_ADDRESS ? view.getUint32(HDR.INIT_SIZE, true) : null,
  };
}
