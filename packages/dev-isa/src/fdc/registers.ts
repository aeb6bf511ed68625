/**
 * Intel 82077AA register and command names, as the datasheet gives them.
 * Offsets are from the controller's base (0x3F0 on a PC); 0x3F6 belongs to
 * the IDE controller, so a PC decodes 0-5 and 7.
 */
export const FDC_REG = {
  /** Status register A (read): PS/2 mode only; bit 7 mirrors the interrupt. */
  SRA: 0,
  /** Status register B (read). */
  SRB: 1,
  /** Digital output register. */
  DOR: 2,
  /** Tape drive register. */
  TDR: 3,
  /** Main status register (read) / data rate select register (write). */
  MSR: 4,
  DSR: 4,
  /** The command/result FIFO. */
  FIFO: 5,
  /** Digital input register (read) / configuration control register (write). */
  DIR: 7,
  CCR: 7,
} as const;

/** DOR: bits 1-0 select a drive, bits 7-4 turn the motors on. */
export const DOR_SELECT = 0x03;
/** Low holds the controller in reset. */
export const DOR_NRESET = 0x04;
/** DMAGATE: in AT mode it gates both the INT and the DRQ outputs. */
export const DOR_DMAGATE = 0x08;

export const MSR_RQM = 0x80;
export const MSR_DIO = 0x40;
export const MSR_NON_DMA = 0x20;
export const MSR_CB = 0x10;

/** DSR: bit 7 is a self-clearing software reset; bits 1-0 the data rate (shared with CCR). */
export const DSR_SWRESET = 0x80;
export const DSR_RATE = 0x03;

/** DIR bit 7: the selected drive's disk change line. */
export const DIR_DSKCHG = 0x80;

/** ST0. */
export const ST0_INVALID = 0x80;
export const ST0_ABNORMAL = 0x40;
export const ST0_SEEK_END = 0x20;
export const ST0_EQUIP_CHECK = 0x10;
export const ST0_NOT_READY = 0x08;
/** A reset's sense answers: "abnormal termination because of polling" (ready line changed). */
export const ST0_READY_CHANGED = 0xc0;
/** ST1. */
export const ST1_END_OF_CYLINDER = 0x80;
export const ST1_NO_DATA = 0x04;
export const ST1_NOT_WRITABLE = 0x02;
export const ST1_MISSING_ADDRESS_MARK = 0x01;
/** ST3 (SENSE DRIVE STATUS); the 82077AA ties RDY and two-sided high. */
export const ST3_WRITE_PROTECT = 0x40;
export const ST3_READY = 0x20;
export const ST3_TRACK0 = 0x10;
export const ST3_TWO_SIDED = 0x08;

/** Command byte modifiers. */
export const CMD_MT = 0x80;
export const CMD_LOCK_BIT = 0x80;
/** PERPENDICULAR MODE: OW lets the command change the per-drive D3-D0 bits. */
export const PERPENDICULAR_OW = 0x80;
/** SPECIFY's second byte, bit 0: non-DMA mode. */
export const SPECIFY_ND = 0x01;

/** Opcodes (the low five bits of the first byte). */
export const FdcCommand = {
  READ_DATA: 0x06,
  WRITE_DATA: 0x05,
  READ_ID: 0x0a,
  FORMAT_TRACK: 0x0d,
  RECALIBRATE: 0x07,
  SENSE_INTERRUPT: 0x08,
  SPECIFY: 0x03,
  SENSE_DRIVE_STATUS: 0x04,
  SEEK: 0x0f,
  VERSION: 0x10,
  CONFIGURE: 0x13,
  DUMPREG: 0x0e,
  PERPENDICULAR: 0x12,
  LOCK: 0x14,
  PART_ID: 0x18,
} as const;

/** Command lengths in bytes, the opcode byte included; an opcode missing here is invalid. */
export const COMMAND_LENGTH: Readonly<Record<number, number>> = {
  [FdcCommand.READ_DATA]: 9,
  [FdcCommand.WRITE_DATA]: 9,
  [FdcCommand.READ_ID]: 2,
  [FdcCommand.FORMAT_TRACK]: 6,
  [FdcCommand.RECALIBRATE]: 2,
  [FdcCommand.SENSE_INTERRUPT]: 1,
  [FdcCommand.SPECIFY]: 3,
  [FdcCommand.SENSE_DRIVE_STATUS]: 2,
  [FdcCommand.SEEK]: 3,
  [FdcCommand.VERSION]: 1,
  [FdcCommand.CONFIGURE]: 4,
  [FdcCommand.DUMPREG]: 1,
  [FdcCommand.PERPENDICULAR]: 2,
  [FdcCommand.LOCK]: 1,
  [FdcCommand.PART_ID]: 1,
};

/** VERSION's answer on an 82077AA (0x80 on a plain 8272A/765). */
export const VERSION_82077 = 0x90;
/** PART ID: what QEMU's controller answers (82078 stepping 1). */
export const PART_ID = 0x41;
/** CONFIGURE's default third byte: implied seeks off, FIFO disabled, polling on, threshold 1. */
export const CONFIGURE_DEFAULT = 0x20;

/** Sector size code 2: 512 bytes, the only size a raw image holds. */
export const SECTOR_SIZE_CODE = 2;
export const SECTOR_BYTES = 512;
/** DMA channel and IRQ of the PC's primary controller. */
export const FDC_DMA_CHANNEL = 2;
