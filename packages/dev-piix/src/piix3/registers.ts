import { defineRegisters } from '@plugboard/core';

/**
 * PIIX3 function 0 (PCI-to-ISA bridge) configuration registers, 82371SB
 * datasheet names, with their reset values and writable bits as QEMU's
 * PIIX3 presents them. The bridge loads them into config space at reset.
 */
export const PIIX3_CONFIG = defineRegisters([
  { name: 'IORT', offset: 0x4c, width: 1, reset: 0x4d },
  { name: 'XBCS', offset: 0x4e, width: 2, reset: 0x0003, writable: 0x03ff },
  { name: 'PIRQRCA', key: 'PIRQRC', offset: 0x60, width: 1, count: 4, reset: 0x80, writable: 0x8f },
  { name: 'TOM', offset: 0x69, width: 1, reset: 0x02 },
  { name: 'MSTAT', offset: 0x6a, width: 2 },
  { name: 'MBIRQ0', offset: 0x70, width: 1, count: 2, reset: 0x80, writable: 0xcf },
  { name: 'MBDMA0', offset: 0x76, width: 1, count: 2, reset: 0x0c, writable: 0x8f },
  { name: 'PCSC', offset: 0x78, width: 2, reset: 0x0002 },
  { name: 'APICBASE', offset: 0x80, width: 1, writable: 0x7f },
  { name: 'DLC', offset: 0x82, width: 1, writable: 0x0f },
  { name: 'SMICNTL', offset: 0xa0, width: 1, reset: 0x08, writable: 0x1f },
  { name: 'SMIEN', offset: 0xa2, width: 2, writable: 0x01ff },
  { name: 'SEE', offset: 0xa4, width: 4 },
  { name: 'FTMR', offset: 0xa8, width: 1, reset: 0x0f },
  { name: 'SMIREQ', offset: 0xaa, width: 2 },
  { name: 'CTLTMR', offset: 0xac, width: 1 },
  { name: 'CTHTMR', offset: 0xae, width: 1 },
]);

export const PIIX3 = PIIX3_CONFIG.offsets;

/** PIRQRC bit 7: routing disabled. */
export const IRQROUTEN_DISABLED = 0x80;
/** PIRQRC bits 3-0: the ISA IRQ; 0, 1, 2, 8 and 13 are reserved and route nowhere. */
export const PIRQ_IRQ_MASK = 0x0f;
export const PIRQ_ROUTABLE = 0b1101_1110_1111_1000;

/** Reset Control register (I/O 0xCF9) bits. */
export const RC = {
  /** System Reset: 1 asks for a hard reset, 0 a soft one (both reset the machine here). */
  SRST: 0x02,
  /** Reset CPU: writing 1 starts the reset SRST selects. */
  RCPU: 0x04,
} as const;
