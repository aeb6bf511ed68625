/** PIIX3 function 0 (PCI-to-ISA bridge) configuration registers, 82371SB datasheet names. */
export const PIIX3 = {
  IORT: 0x4c,
  XBCS: 0x4e,
  PIRQRC: 0x60,
  TOM: 0x69,
  MSTAT: 0x6a,
  MBIRQ0: 0x70,
  MBIRQ1: 0x71,
  MBDMA0: 0x76,
  MBDMA1: 0x77,
  PCSC: 0x78,
  APICBASE: 0x80,
  DLC: 0x82,
  SMICNTL: 0xa0,
  SMIEN: 0xa2,
  SEE: 0xa4,
  FTMR: 0xa8,
  SMIREQ: 0xaa,
  CTLTMR: 0xac,
  CTHTMR: 0xae,
} as const;

/** PIRQRC bit 7: routing disabled. */
export const IRQROUTEN_DISABLED = 0x80;
/** PIRQRC bits 3-0: the ISA IRQ; 0, 1, 2, 8 and 13 are reserved and route nowhere. */
export const PIRQ_IRQ_MASK = 0x0f;
export const PIRQ_ROUTABLE = 0b1101_1110_1111_1000;

/** Reset values (byte offset, value, writable bits), as QEMU's PIIX3 presents them. */
export const PIIX3_RESET: readonly [number, number, number][] = [
  [PIIX3.IORT, 0x4d, 0xff],
  [PIIX3.XBCS, 0x03, 0xff],
  [PIIX3.XBCS + 1, 0x00, 0x03],
  [PIIX3.PIRQRC, 0x80, 0x8f],
  [PIIX3.PIRQRC + 1, 0x80, 0x8f],
  [PIIX3.PIRQRC + 2, 0x80, 0x8f],
  [PIIX3.PIRQRC + 3, 0x80, 0x8f],
  [PIIX3.TOM, 0x02, 0xff],
  [PIIX3.MSTAT, 0x00, 0xff],
  [PIIX3.MSTAT + 1, 0x00, 0xff],
  [PIIX3.MBIRQ0, 0x80, 0xcf],
  [PIIX3.MBIRQ1, 0x80, 0xcf],
  [PIIX3.MBDMA0, 0x0c, 0x8f],
  [PIIX3.MBDMA1, 0x0c, 0x8f],
  [PIIX3.PCSC, 0x02, 0xff],
  [PIIX3.PCSC + 1, 0x00, 0xff],
  [PIIX3.APICBASE, 0x00, 0x7f],
  [PIIX3.DLC, 0x00, 0x0f],
  [PIIX3.SMICNTL, 0x08, 0x1f],
  [PIIX3.SMIEN, 0x00, 0xff],
  [PIIX3.SMIEN + 1, 0x00, 0x01],
  [PIIX3.SEE, 0x00, 0xff],
  [PIIX3.SEE + 1, 0x00, 0xff],
  [PIIX3.SEE + 2, 0x00, 0xff],
  [PIIX3.SEE + 3, 0x00, 0xff],
  [PIIX3.FTMR, 0x0f, 0xff],
  [PIIX3.SMIREQ, 0x00, 0xff],
  [PIIX3.SMIREQ + 1, 0x00, 0xff],
  [PIIX3.CTLTMR, 0x00, 0xff],
  [PIIX3.CTHTMR, 0x00, 0xff],
];

/** Reset Control register (I/O 0xCF9) bits. */
export const RC = {
  /** System Reset: 1 asks for a hard reset, 0 a soft one (both reset the machine here). */
  SRST: 0x02,
  /** Reset CPU: writing 1 starts the reset SRST selects. */
  RCPU: 0x04,
} as const;
