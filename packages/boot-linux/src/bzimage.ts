import { SETUP_HEADER as HDR, LOADED_HIGH, readSetupHeader } from '@plugboard/firmware';
import { LinuxBootError } from './errors.js';

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
  const { view, protocol, setupSize } = readSetupHeader(kernel, file, PROTOCOL_MIN, 'the 32-bit entry needs');
  if (!(kernel[HDR.LOADFLAGS] & LOADED_HIGH))
    throw new LinuxBootError(`${file}: offset 0x211: a zImage (not loaded high) has no 32-bit entry to use`);
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
