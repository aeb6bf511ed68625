import { defineRegisters } from '@plugboard/core';

/**
 * The System Control Block and the other CSRs, as Intel's "8255x 10/100 Mbps
 * Ethernet Controller Family Open Source Software Developer Manual" names
 * them. Offsets within the CSR window (memory BAR0 or I/O BAR1).
 */
/** SCB status byte: CU state in bits 7:6, RU state in bits 5:2. */
export const CU_IDLE = 0;
export const CU_SUSPENDED = 1;
export const CU_ACTIVE = 2;
export const RU_IDLE = 0;
export const RU_SUSPENDED = 1;
export const RU_NO_RESOURCES = 2;
export const RU_READY = 4;

/** STAT/ACK bits. */
export const STAT_CX = 0x80;
export const STAT_FR = 0x40;
export const STAT_CNA = 0x20;
export const STAT_RNR = 0x10;
export const STAT_MDI = 0x08;
export const STAT_SWI = 0x04;
export const STAT_ER = 0x02;
export const STAT_FCP = 0x01;

/** Interrupt mask byte. */
export const INTMASK_M = 0x01;
export const INTMASK_SI = 0x02;

/** CU commands (SCB command bits 7:4). */
export const CUC_NOP = 0;
export const CUC_START = 1;
export const CUC_RESUME = 2;
export const CUC_LOAD_DUMP_ADDRESS = 4;
export const CUC_DUMP_COUNTERS = 5;
export const CUC_LOAD_BASE = 6;
export const CUC_DUMP_RESET_COUNTERS = 7;
export const CUC_STATIC_RESUME = 10;

/** RU commands (SCB command bits 2:0). */
export const RUC_NOP = 0;
export const RUC_START = 1;
export const RUC_RESUME = 2;
export const RUC_DMA_REDIRECT = 3;
export const RUC_ABORT = 4;
export const RUC_LOAD_HDS = 5;
export const RUC_LOAD_BASE = 6;

/** PORT functions (bits 3:0; the rest is a 16-byte-aligned address). */
export const PORT_SOFTWARE_RESET = 0;
export const PORT_SELF_TEST = 1;
export const PORT_SELECTIVE_RESET = 2;
export const PORT_DUMP = 3;

/** EEPROM control register pins. */
export const EESK = 0x01;
export const EECS = 0x02;
export const EEDI = 0x04;
export const EEDO = 0x08;

/** MDI control register. */
export const MDI_DATA = 0xffff;
export const MDI_REG_SHIFT = 16;
export const MDI_PHY_SHIFT = 21;
export const MDI_OP_SHIFT = 26;
export const MDI_OP_WRITE = 1;
export const MDI_OP_READ = 2;
export const MDI_READY = 1 << 28;
export const MDI_IE = 1 << 29;
/** The PHY's address on the MDI bus. */
export const PHY_ADDRESS = 1;

/** General status: link up, 100 Mb/s, full duplex. */
export const GSTAT_LINK = 0x01;
export const GSTAT_100 = 0x02;
export const GSTAT_FDX = 0x04;

/** Command block header: status word, command word, link. */
export const CB_C = 0x8000;
export const CB_OK = 0x2000;
export const CB_EL = 0x8000;
export const CB_S = 0x4000;
export const CB_I = 0x2000;
export const CB_SF = 0x0008;
export const CB_CMD = 0x0007;

/** Action commands. */
export const CMD_NOP = 0;
export const CMD_IA_SETUP = 1;
export const CMD_CONFIGURE = 2;
export const CMD_MULTICAST_SETUP = 3;
export const CMD_TRANSMIT = 4;
export const CMD_LOAD_MICROCODE = 5;
export const CMD_DUMP = 6;
export const CMD_DIAGNOSE = 7;

/** Receive frame descriptor: actual count's EOF and F bits. */
export const RFD_EOF = 0x8000;
export const RFD_F = 0x4000;
export const RFD_COUNT = 0x3fff;
/** RFD status: frame matched a multicast or broadcast address (not the individual address). */
export const RFD_STATUS_IA_MISMATCH = 0x0002;
export const RFD_STATUS_TOO_SHORT = 0x0080;
export const RFD_STATUS_NO_RESOURCES = 0x0200;

/** Completion words written after a counter dump. */
export const DUMP_COMPLETE = 0xa005;
export const DUMP_RESET_COMPLETE = 0xa007;

/**
 * The CSR window: one source of the offsets, masks and trace names. STAT/ACK
 * bits clear where the driver writes 1; PORT and MDI Control act when their
 * top byte arrives, EEPROM Control when its low byte does.
 */
export const CSR = defineRegisters(
  [
    { name: 'SCB Status', key: 'SCB_STATUS', offset: 0x00, width: 1, writable: 0 },
    { name: 'SCB STAT/ACK', key: 'SCB_STATACK', offset: 0x01, width: 1, writable: 0, w1c: 0xff },
    { name: 'SCB Command', key: 'SCB_COMMAND', offset: 0x02, width: 1 },
    { name: 'SCB Interrupt Mask', key: 'SCB_INTMASK', offset: 0x03, width: 1 },
    { name: 'SCB General Pointer', key: 'SCB_GENERAL_POINTER', offset: 0x04, width: 4 },
    { name: 'PORT', offset: 0x08, width: 4, commitByte: 3 },
    { name: 'Flash Control', key: 'FLASH_CONTROL', offset: 0x0c, width: 2 },
    { name: 'EEPROM Control', key: 'EEPROM_CONTROL', offset: 0x0e, width: 2, commitByte: 0 },
    { name: 'MDI Control', key: 'MDI_CONTROL', offset: 0x10, width: 4, commitByte: 3 },
    { name: 'RX DMA Byte Count', key: 'RX_DMA_BYTE_COUNT', offset: 0x14, width: 4 },
    { name: 'Early RX Interrupt', key: 'EARLY_RX_INT', offset: 0x18, width: 1 },
    { name: 'Flow Control', key: 'FLOW_CONTROL', offset: 0x19, width: 2 },
    { name: 'PMDR', offset: 0x1b, width: 1 },
    { name: 'General Control', key: 'GENERAL_CONTROL', offset: 0x1c, width: 1 },
    { name: 'General Status', key: 'GENERAL_STATUS', offset: 0x1d, width: 1 },
  ],
  // The I/O BAR decodes 64 bytes; the rest reads as nothing.
  { size: 0x40, unnamed: (o) => `CSR+0x${o.toString(16)}` },
);

export const {
  SCB_STATUS,
  SCB_STATACK,
  SCB_COMMAND,
  SCB_INTMASK,
  SCB_GENERAL_POINTER,
  PORT,
  FLASH_CONTROL,
  EEPROM_CONTROL,
  MDI_CONTROL,
  RX_DMA_BYTE_COUNT,
  EARLY_RX_INT,
  FLOW_CONTROL,
  PMDR,
  GENERAL_CONTROL,
  GENERAL_STATUS,
} = CSR.offsets;
export const CSR_SIZE = CSR.size;
