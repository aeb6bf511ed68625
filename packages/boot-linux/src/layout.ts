import { E820, type E820Entry } from './e820.js';

/**
 * Where the built-in firmware puts things in guest memory. The low area
 * follows QEMU's direct boot (boot_params at 0x10000, the command line at
 * 0x20000); the ACPI tables live in the BIOS area at 0xE0000, where an OS
 * looks for the RSDP, with the i440FX's PAM switched to RAM there.
 */
export const LAYOUT = {
  /** The BIOS Data Area fields Linux reads: the EBDA segment and the base memory size in KiB. */
  BDA_EBDA_SEGMENT: 0x40e,
  BDA_BASE_MEMORY_KIB: 0x413,
  /** The GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18) descriptors. */
  GDT: 0x500,
  BOOT_PARAMS: 0x10000,
  CMDLINE: 0x20000,
  /** A 1 KiB extended BIOS data area at the top of conventional memory. */
  EBDA: 0x9fc00,
  /** 0xE0000-0xFFFFF: the tables, reserved in e820. */
  BIOS_AREA: 0xe0000,
  BIOS_AREA_END: 0x100000,
  HIGH_MEMORY: 0x100000,
} as const;

export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;

/** The e820 map of a machine with `ramSize` bytes of RAM (all below 4 GiB). */
export function e820Map(ramSize: number): E820Entry[] {
  return [
    { address: 0, size: LAYOUT.EBDA, type: E820.RAM },
    { address: LAYOUT.EBDA, size: 0xa0000 - LAYOUT.EBDA, type: E820.RESERVED },
    { address: LAYOUT.BIOS_AREA, size: LAYOUT.BIOS_AREA_END - LAYOUT.BIOS_AREA, type: E820.RESERVED },
    { address: LAYOUT.HIGH_MEMORY, size: ramSize - LAYOUT.HIGH_MEMORY, type: E820.RAM },
  ];
}

/** A GDT with null, null, then flat 4 GiB code (0x10) and data (0x18) descriptors, as boot.rst asks. */
export function bootGdt(): Uint8Array {
  const gdt = new Uint8Array(32);
  const v = new DataView(gdt.buffer);
  // Base 0, limit 0xFFFFF in 4 KiB units, 32-bit; access 0x9B (code) and 0x93 (data).
  v.setBigUint64(BOOT_CS, 0x00cf9b000000ffffn, true);
  v.setBigUint64(BOOT_DS, 0x00cf93000000ffffn, true);
  return gdt;
}
