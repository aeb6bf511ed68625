import { FirmwareError } from './resolve.js';

/**
 * The Linux x86 setup header (Documentation/arch/x86/boot.rst): offsets in
 * the kernel image, and in boot_params where the header is copied to the
 * same offsets. Both kernel loaders read it, QEMU's fw_cfg path and
 * linux-direct.
 */
export const SETUP_HEADER = {
  SETUP_SECTS: 0x1f1,
  VID_MODE: 0x1fa,
  BOOT_FLAG: 0x1fe,
  JUMP: 0x200,
  HEADER: 0x202,
  VERSION: 0x206,
  TYPE_OF_LOADER: 0x210,
  LOADFLAGS: 0x211,
  CODE32_START: 0x214,
  RAMDISK_IMAGE: 0x218,
  RAMDISK_SIZE: 0x21c,
  HEAP_END_PTR: 0x224,
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

/** loadflags LOADED_HIGH: the protected-mode code goes at 0x100000. */
export const LOADED_HIGH = 0x01;

const HDRS_MAGIC = 0x53726448; // "HdrS"

/** What every loader checks first, and where the protected-mode code starts. */
export interface SetupHeader {
  view: DataView;
  protocol: number;
  setupSects: number;
  /** The boot sector and the setup sectors: where the protected-mode code starts. */
  setupSize: number;
}

/**
 * Checks the "HdrS" signature and boot flag, a boot protocol of at least
 * `minProtocol` (`why` says what needs it), and setup sectors that leave
 * protected-mode code; errors name `file` and the offset.
 */
export function readSetupHeader(
  kernel: Uint8Array,
  file: string,
  minProtocol: number,
  why: string,
): SetupHeader {
  if (kernel.length < 0x270)
    throw new FirmwareError(`${file}: ${kernel.length} bytes is too short for a bzImage`);
  const view = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const h = SETUP_HEADER;
  if (view.getUint32(h.HEADER, true) !== HDRS_MAGIC || view.getUint16(h.BOOT_FLAG, true) !== 0xaa55)
    throw new FirmwareError(`${file}: offset 0x202: no "HdrS" setup header; expected a bzImage`);
  const protocol = view.getUint16(h.VERSION, true);
  if (protocol < minProtocol)
    throw new FirmwareError(
      `${file}: offset 0x206: boot protocol ${protocol.toString(16)} is older than ${minProtocol.toString(16).replace(/^(\d)/, '$1.')}, which ${why}`,
    );
  const setupSects = kernel[h.SETUP_SECTS] || 4;
  const setupSize = (setupSects + 1) * 512;
  if (setupSize >= kernel.length)
    throw new FirmwareError(
      `${file}: offset 0x1f1: ${setupSects} setup sectors leave no protected-mode code in ${kernel.length} bytes`,
    );
  return { view, protocol, setupSects, setupSize };
}
