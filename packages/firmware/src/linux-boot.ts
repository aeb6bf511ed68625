import { FirmwareError } from './resolve.js';
import { SETUP_HEADER as HDR, LOADED_HIGH, readSetupHeader } from './setup-header.js';

/** fw_cfg keys of QEMU's direct Linux boot (FW_CFG_*), which linuxboot_dma.bin reads. */
export const LinuxBootKey = {
  KERNEL_ADDR: 0x07,
  KERNEL_SIZE: 0x08,
  INITRD_ADDR: 0x0a,
  INITRD_SIZE: 0x0b,
  KERNEL_DATA: 0x11,
  INITRD_DATA: 0x12,
  CMDLINE_ADDR: 0x13,
  CMDLINE_SIZE: 0x14,
  CMDLINE_DATA: 0x15,
  SETUP_ADDR: 0x16,
  SETUP_SIZE: 0x17,
  SETUP_DATA: 0x18,
} as const;

/** The option ROM that loads what these items describe and jumps to the kernel. */
export const LINUXBOOT_ROM = 'linuxboot_dma.bin';

const CAN_USE_HEAP = 0x80;
/** QEMU's loader id (0xB0: "reserved for QEMU", revision 0). */
const LOADER_QEMU = 0xb0;
/** What QEMU's pc machine keeps free below the top of low RAM for ACPI tables. */
const ACPI_DATA_SIZE = 0x28000;

/** fw_cfg items for one kernel, and where things will land. */
export interface LinuxBoot {
  protocol: number;
  items: Map<number, Uint8Array>;
  realAddr: number;
  protAddr: number;
  cmdlineAddr: number;
  initrdAddr: number;
}

function le32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

/**
 * Splits a bzImage into the setup and protected-mode parts and patches the
 * setup header as QEMU's x86_load_linux does (loader type, heap, command
 * line and initrd placement), producing the fw_cfg items SeaBIOS's
 * linuxboot_dma.bin option ROM loads. `below4g` is the RAM below 4 GiB.
 */
export function prepareLinuxBoot(
  kernel: Uint8Array,
  initrd: Uint8Array | null,
  cmdline: string,
  below4g: number,
  names: { kernel: string; initrd?: string } = { kernel: 'kernel' },
): LinuxBoot {
  const { protocol, setupSize } = readSetupHeader(kernel, names.kernel, 0x200, "QEMU's loader needs");

  const cmdBytes = new TextEncoder().encode(cmdline);
  const cmdlineSize = (cmdBytes.length + 16) & ~15;
  let realAddr: number;
  let cmdlineAddr: number;
  let protAddr: number;
  if (!(kernel[HDR.LOADFLAGS] & LOADED_HIGH)) {
    realAddr = 0x90000;
    cmdlineAddr = 0x9a000 - cmdlineSize;
    protAddr = 0x10000;
  } else if (protocol < 0x202) {
    realAddr = 0x90000;
    cmdlineAddr = 0x9a000 - cmdlineSize;
    protAddr = 0x100000;
  } else {
    realAddr = 0x10000;
    cmdlineAddr = 0x20000;
    protAddr = 0x100000;
  }

  const setup = kernel.slice(0, setupSize);
  const sv = new DataView(setup.buffer);

  let initrdMax = protocol >= 0x203 ? sv.getUint32(HDR.INITRD_ADDR_MAX, true) : 0x37ffffff;
  if (initrdMax >= below4g - ACPI_DATA_SIZE) initrdMax = below4g - ACPI_DATA_SIZE - 1;

  const items = new Map<number, Uint8Array>();
  const cmdData = new Uint8Array(cmdBytes.length + 1);
  cmdData.set(cmdBytes);
  items.set(LinuxBootKey.CMDLINE_ADDR, le32(cmdlineAddr));
  items.set(LinuxBootKey.CMDLINE_SIZE, le32(cmdData.length));
  items.set(LinuxBootKey.CMDLINE_DATA, cmdData);
  if (protocol >= 0x202) sv.setUint32(HDR.CMD_LINE_PTR, cmdlineAddr, true);
  else {
    sv.setUint16(0x20, 0xa33f, true); // the old command line protocol's magic and offset
    sv.setUint16(0x22, cmdlineAddr - realAddr, true);
  }
  const vga = videoMode(cmdline);
  if (vga !== null) sv.setUint16(HDR.VID_MODE, vga, true);
  setup[HDR.TYPE_OF_LOADER] = LOADER_QEMU;
  if (protocol >= 0x201) {
    setup[HDR.LOADFLAGS] |= CAN_USE_HEAP;
    sv.setUint16(HDR.HEAP_END_PTR, cmdlineAddr - realAddr - 0x200, true);
  }

  let initrdAddr = 0;
  if (initrd) {
    if (initrd.length >= initrdMax) {
      throw new FirmwareError(
        `${names.initrd ?? 'initrd'}: ${initrd.length} bytes exceed the 0x${initrdMax.toString(16)} the kernel and RAM allow`,
      );
    }
    initrdAddr = (initrdMax - initrd.length) & ~4095;
    items.set(LinuxBootKey.INITRD_ADDR, le32(initrdAddr));
    items.set(LinuxBootKey.INITRD_SIZE, le32(initrd.length));
    items.set(LinuxBootKey.INITRD_DATA, initrd);
    sv.setUint32(HDR.RAMDISK_IMAGE, initrdAddr, true);
    sv.setUint32(HDR.RAMDISK_SIZE, initrd.length, true);
  }

  const body = kernel.subarray(setupSize);
  items.set(LinuxBootKey.KERNEL_ADDR, le32(protAddr));
  items.set(LinuxBootKey.KERNEL_SIZE, le32(body.length));
  items.set(LinuxBootKey.KERNEL_DATA, body);
  items.set(LinuxBootKey.SETUP_ADDR, le32(realAddr));
  items.set(LinuxBootKey.SETUP_SIZE, le32(setupSize));
  items.set(LinuxBootKey.SETUP_DATA, setup);
  return { protocol, items, realAddr, protAddr, cmdlineAddr, initrdAddr };
}

/** `vga=` on the command line, as the header's vid_mode. */
function videoMode(cmdline: string): number | null {
  const m = /(?:^|\s)vga=(\S+)/.exec(cmdline);
  if (!m) return null;
  const named: Record<string, number> = { normal: 0xffff, ext: 0xfffe, ask: 0xfffd };
  if (m[1] in named) return named[m[1]];
  const n = Number(m[1]);
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : null;
}
