import { defineRegisters } from '@plugboard/core';

/** SMRAM control (0x72) bits. */
export const SMRAM = {
  C_BASE_SEG: 0x07,
  G_SMRAME: 0x08,
  D_LCK: 0x10,
  D_CLS: 0x20,
  D_OPEN: 0x40,
} as const;

/** Compatible SMRAM base segment: 010b, 0xA0000-0xBFFFF. */
export const C_BASE_SEG_A0000 = 0x02;

/** PAM attribute bits, for the low (bits 1-0) and high (bits 5-4) segment of each PAM register. */
export const PAM_RE = 0x1;
export const PAM_WE = 0x2;
const PAM_SEGMENT = PAM_RE | PAM_WE;

/** PAM0-PAM6: PAM0 and the array PAM1-PAM6 that follows it. */
export const PAM_COUNT = 7;

/** QEMU keeps the RAM size in DRAMC in 8 MiB units (for coreboot), at most 255; the real DRAMC is a control register. */
function dramcUnits(ramSize: number): number {
  return Math.min(255, Math.floor(ramSize / (8 << 20)));
}

/**
 * The 82441FX PMC's device-specific configuration registers, datasheet
 * names, with reset values and writable bits as QEMU's i440FX presents them:
 * everything resets to 0 (not the datasheet's defaults) but SMRAM's
 * C_BASE_SEG and DRAMC, which holds the machine's RAM size. PAM0's low
 * nibble and bits 7, 6, 3 and 2 of every PAM are reserved; SMRAM's
 * C_BASE_SEG is fixed. The rest is storage nothing here acts on (ERRSTS
 * too, not write-one-to-clear); TRC reads 0 (the PIIX3's 0xCF9 resets the
 * machine).
 */
export function i440fxConfig(ramSize: number) {
  return defineRegisters([
    { name: 'PMCCFG', offset: 0x50, width: 2 },
    { name: 'DETURBO', offset: 0x52, width: 1 },
    { name: 'DBC', offset: 0x53, width: 1 },
    { name: 'AXC', offset: 0x54, width: 1 },
    { name: 'DRAMR', offset: 0x55, width: 2 },
    { name: 'DRAMC', offset: 0x57, width: 1, reset: dramcUnits(ramSize), writable: 0 },
    { name: 'DRAMT', offset: 0x58, width: 1 },
    { name: 'PAM0', offset: 0x59, width: 1, writable: PAM_SEGMENT << 4 },
    {
      name: 'PAM1',
      offset: 0x5a,
      width: 1,
      count: PAM_COUNT - 1,
      writable: (PAM_SEGMENT << 4) | PAM_SEGMENT,
    },
    { name: 'DRB0', offset: 0x60, width: 1, count: 8 },
    { name: 'FDHC', offset: 0x68, width: 1 },
    { name: 'MTT', offset: 0x70, width: 1 },
    { name: 'CLT', offset: 0x71, width: 1 },
    {
      name: 'SMRAM',
      offset: 0x72,
      width: 1,
      reset: C_BASE_SEG_A0000,
      writable: SMRAM.D_OPEN | SMRAM.D_CLS | SMRAM.D_LCK | SMRAM.G_SMRAME,
    },
    { name: 'ERRCMD', offset: 0x90, width: 1 },
    { name: 'ERRSTS', offset: 0x91, width: 1 },
    { name: 'TRC', offset: 0x93, width: 1, writable: 0 },
  ]);
}

export const I440FX = i440fxConfig(0).offsets;

/** One segment the PAM registers control: [base, base+size), attributes in PAM `register`, nibble `shift`. */
export interface PamSegment {
  base: number;
  size: number;
  register: number;
  shift: number;
}

/** PAM0's high nibble is the 64 KiB BIOS area; PAM1-PAM6 split 0xC0000-0xEFFFF into 16 KiB pieces. */
export const PAM_SEGMENTS: readonly PamSegment[] = [
  { base: 0xf0000, size: 0x10000, register: I440FX.PAM0, shift: 4 },
  ...Array.from({ length: (PAM_COUNT - 1) * 2 }, (_, i) => ({
    base: 0xc0000 + i * 0x4000,
    size: 0x4000,
    register: I440FX.PAM1 + (i >> 1),
    shift: (i & 1) * 4,
  })),
];

/** The legacy video / compatible SMRAM window. */
export const SMRAM_BASE = 0xa0000;
export const SMRAM_SIZE = 0x20000;
