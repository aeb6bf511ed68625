/** 82441FX PMC configuration registers used here (datasheet names). */
export const I440FX = {
  PMCCFG: 0x50,
  DETURBO: 0x52,
  DBC: 0x53,
  AXC: 0x54,
  DRAMR: 0x55,
  /** QEMU keeps the RAM size in 8 MiB units here (for coreboot); the real DRAMC is a control register. */
  DRAMC: 0x57,
  DRAMT: 0x58,
  PAM0: 0x59,
  DRB0: 0x60,
  FDHC: 0x68,
  MTT: 0x70,
  CLT: 0x71,
  SMRAM: 0x72,
  ERRCMD: 0x90,
  ERRSTS: 0x91,
  TRC: 0x93,
} as const;

/** PAM attribute bits, for the low (bits 1-0) and high (bits 5-4) segment of each PAM register. */
export const PAM_RE = 0x1;
export const PAM_WE = 0x2;

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
  ...Array.from({ length: 12 }, (_, i) => ({
    base: 0xc0000 + i * 0x4000,
    size: 0x4000,
    register: I440FX.PAM0 + 1 + (i >> 1),
    shift: (i & 1) * 4,
  })),
];

/** The legacy video / compatible SMRAM window. */
export const SMRAM_BASE = 0xa0000;
export const SMRAM_SIZE = 0x20000;
