import { defineRegisters } from '@plugboard/core';

/**
 * Register and bit names of the PIIX3 IDE function (82371SB datasheet,
 * section 2.3 and 2.7), the ATA task file (ATA/ATAPI-6) and the ATAPI packet
 * protocol, spelled as those documents spell them.
 */

// Status register.
export const STATUS_BSY = 0x80;
export const STATUS_DRDY = 0x40;
export const STATUS_DF = 0x20;
export const STATUS_DSC = 0x10;
export const STATUS_DRQ = 0x08;
export const STATUS_ERR = 0x01;

// Error register.
export const ERROR_ICRC = 0x80;
export const ERROR_UNC = 0x40;
export const ERROR_IDNF = 0x10;
export const ERROR_ABRT = 0x04;
/** EXECUTE DEVICE DIAGNOSTIC / reset result: device 0 passed, device 1 passed or absent. */
export const DIAGNOSTIC_PASSED = 0x01;

// Device register.
export const DEVICE_LBA = 0x40;
export const DEVICE_DEV = 0x10;
/** Bits 7 and 5 are obsolete and read as one, as on the drives QEMU models. */
export const DEVICE_OBSOLETE = 0xa0;

// Device Control register (0x3F6 / 0x376).
export const CONTROL_HOB = 0x80;
export const CONTROL_SRST = 0x04;
export const CONTROL_NIEN = 0x02;

/**
 * The command block (0x1F0-0x1F7 / 0x170-0x177) and control block (0x3F6 /
 * 0x376), ATA/ATAPI-6 section 7's names. Three of these addresses hold two
 * registers, one the host reads and one it writes (Error and Features,
 * Status and Command, Alternate Status and Device Control), so each block
 * is two tables at the same offsets, one per direction, and the trace names
 * an access from the table of its direction. The registers both directions
 * share come from one list. The Data register is 16 bits wide at one
 * address (offset 1 is the next register), so it is one byte here. The
 * high-order bytes of a 48-bit command have no address of their own: they
 * are the registers' previous contents, which a read shows while Device
 * Control's HOB is set (`IdeDevice.hob`, laid out as the write table).
 */
const COMMAND_BLOCK_SHARED = [
  { name: 'Data', key: 'DATA', offset: 0, width: 1 },
  // ATAPI calls Sector Count Interrupt Reason, and LBA Mid and High Byte Count Low and High.
  { name: 'Sector Count', key: 'SECTOR_COUNT', offset: 2, width: 1 },
  { name: 'LBA Low', key: 'LBA_LOW', offset: 3, width: 1 },
  { name: 'LBA Mid', key: 'LBA_MID', offset: 4, width: 1 },
  { name: 'LBA High', key: 'LBA_HIGH', offset: 5, width: 1 },
  {
    name: 'Device',
    key: 'DEVICE',
    offset: 6,
    width: 1,
    reset: DEVICE_OBSOLETE,
    writable: 0xff & ~DEVICE_OBSOLETE,
  },
] as const;

/** Error and Status are the device's answers: what it sets, never the host's writes. */
export const COMMAND_BLOCK_READ = defineRegisters([
  ...COMMAND_BLOCK_SHARED,
  { name: 'Error', key: 'ERROR', offset: 1, width: 1, writable: 0 },
  { name: 'Status', key: 'STATUS', offset: 7, width: 1, writable: 0 },
]);

/**
 * Each device's task file as the host loads it, one byte per register
 * (`IdeDevice.regs`): Features to Device, the reset values and the Device
 * register's fixed bits. The Data and Command bytes stay 0: data goes
 * through the buffer and a command runs when written.
 */
export const COMMAND_BLOCK_WRITE = defineRegisters([
  ...COMMAND_BLOCK_SHARED,
  { name: 'Features', key: 'FEATURES', offset: 1, width: 1 },
  { name: 'Command', key: 'COMMAND', offset: 7, width: 1 },
]);

export const { DATA, FEATURES, SECTOR_COUNT, LBA_LOW, LBA_MID, LBA_HIGH, DEVICE, COMMAND } =
  COMMAND_BLOCK_WRITE.offsets;
export const { ERROR, STATUS } = COMMAND_BLOCK_READ.offsets;

export const CONTROL_BLOCK_READ = defineRegisters([
  { name: 'Alternate Status', key: 'ALTERNATE_STATUS', offset: 0, width: 1, writable: 0 },
]);
export const CONTROL_BLOCK_WRITE = defineRegisters([
  { name: 'Device Control', key: 'DEVICE_CONTROL', offset: 0, width: 1 },
]);
export const { ALTERNATE_STATUS } = CONTROL_BLOCK_READ.offsets;
export const { DEVICE_CONTROL } = CONTROL_BLOCK_WRITE.offsets;

// ATAPI Interrupt Reason (Sector Count) bits.
export const REASON_COD = 0x01;
export const REASON_IO = 0x02;
export const REASON_REL = 0x04;

// ATAPI Features bits for PACKET.
export const FEATURES_DMA = 0x01;

// ATA commands.
export const CMD_DEVICE_RESET = 0x08;
export const CMD_RECALIBRATE = 0x10; // 0x10-0x1F
export const CMD_READ_SECTORS = 0x20;
export const CMD_READ_SECTORS_NORETRY = 0x21;
export const CMD_READ_SECTORS_EXT = 0x24;
export const CMD_READ_DMA_EXT = 0x25;
export const CMD_READ_MULTIPLE_EXT = 0x29;
export const CMD_WRITE_SECTORS = 0x30;
export const CMD_WRITE_SECTORS_NORETRY = 0x31;
export const CMD_WRITE_SECTORS_EXT = 0x34;
export const CMD_WRITE_DMA_EXT = 0x35;
export const CMD_WRITE_MULTIPLE_EXT = 0x39;
export const CMD_READ_VERIFY_SECTORS = 0x40;
export const CMD_READ_VERIFY_SECTORS_NORETRY = 0x41;
export const CMD_READ_VERIFY_SECTORS_EXT = 0x42;
export const CMD_SEEK = 0x70; // 0x70-0x7F
export const CMD_EXECUTE_DEVICE_DIAGNOSTIC = 0x90;
export const CMD_INITIALIZE_DEVICE_PARAMETERS = 0x91;
export const CMD_PACKET = 0xa0;
export const CMD_IDENTIFY_PACKET_DEVICE = 0xa1;
export const CMD_READ_MULTIPLE = 0xc4;
export const CMD_WRITE_MULTIPLE = 0xc5;
export const CMD_SET_MULTIPLE_MODE = 0xc6;
export const CMD_READ_DMA = 0xc8;
export const CMD_READ_DMA_NORETRY = 0xc9;
export const CMD_WRITE_DMA = 0xca;
export const CMD_WRITE_DMA_NORETRY = 0xcb;
export const CMD_STANDBY_IMMEDIATE = 0xe0;
export const CMD_IDLE_IMMEDIATE = 0xe1;
export const CMD_STANDBY = 0xe2;
export const CMD_IDLE = 0xe3;
export const CMD_CHECK_POWER_MODE = 0xe5;
export const CMD_FLUSH_CACHE = 0xe7;
export const CMD_FLUSH_CACHE_EXT = 0xea;
export const CMD_IDENTIFY_DEVICE = 0xec;
export const CMD_SET_FEATURES = 0xef;

// SET FEATURES subcommands (Features register).
export const SETF_ENABLE_WRITE_CACHE = 0x02;
export const SETF_SET_TRANSFER_MODE = 0x03;
export const SETF_DISABLE_READ_LOOK_AHEAD = 0x55;
export const SETF_DISABLE_REVERTING_TO_DEFAULTS = 0x66;
export const SETF_DISABLE_WRITE_CACHE = 0x82;
export const SETF_ENABLE_READ_LOOK_AHEAD = 0xaa;
export const SETF_ENABLE_REVERTING_TO_DEFAULTS = 0xcc;

/** BMICP: Start/Stop Bus Master. */
export const BMICP_SSBM = 0x01;
/** BMICP: Bus Master Read/Write Control, 1 = the bus master writes memory (a device read). */
export const BMICP_RWCON = 0x08;
/** BMISP: Bus Master IDE Active (read-only). */
export const BMISP_BMIDEA = 0x01;
/** BMISP: IDE DMA Error (write one to clear). */
export const BMISP_ERROR = 0x02;
/** BMISP: IDE Interrupt Status (write one to clear). */
export const BMISP_IDEINTS = 0x04;
/** BMISP: Drive 0 / Drive 1 DMA Capable (read/write scratch bits for the BIOS). */
export const BMISP_DMA0CAP = 0x20;
export const BMISP_DMA1CAP = 0x40;

/**
 * One channel's bus master IDE registers (BMIBA + 0 primary, + 8
 * secondary): the bits software may write, those a 1 clears, and the
 * reserved bytes between them (reading 0, writes dropped).
 */
export const BUS_MASTER = defineRegisters(
  [
    { name: 'BMICP', offset: 0, width: 1, writable: BMICP_SSBM | BMICP_RWCON },
    {
      name: 'BMISP',
      offset: 2,
      width: 1,
      writable: BMISP_DMA0CAP | BMISP_DMA1CAP,
      w1c: BMISP_ERROR | BMISP_IDEINTS,
    },
    { name: 'BMIDTP', offset: 4, width: 4, writable: 0xfffffffc },
  ],
  { unowned: 'ignored', unnamed: () => '' },
);
export const { BMICP, BMISP, BMIDTP } = BUS_MASTER.offsets;

/** PRD entry: End Of Table, bit 31 of the second dword. */
export const PRD_EOT = 0x80000000;

// PIIX3 IDE configuration registers.
export const PCI_IDETIM_PRIMARY = 0x40;
export const PCI_IDETIM_SECONDARY = 0x42;
export const PCI_SIDETIM = 0x44;
/** IDETIM bit 15: IDE Decode Enable for the channel's legacy ports. */
export const IDETIM_IDE = 0x8000;
/** BMIBA: the Bus Master Interface Base Address is BAR4. */
export const BMIBA_BAR = 4;

// ATAPI packet commands (MMC-3 / SPC-3).
export const GPCMD_TEST_UNIT_READY = 0x00;
export const GPCMD_REQUEST_SENSE = 0x03;
export const GPCMD_INQUIRY = 0x12;
export const GPCMD_MODE_SENSE_6 = 0x1a;
export const GPCMD_START_STOP_UNIT = 0x1b;
export const GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1e;
export const GPCMD_READ_CAPACITY = 0x25;
export const GPCMD_READ_10 = 0x28;
export const GPCMD_SEEK_10 = 0x2b;
export const GPCMD_READ_TOC_PMA_ATIP = 0x43;
export const GPCMD_GET_CONFIGURATION = 0x46;
export const GPCMD_GET_EVENT_STATUS_NOTIFICATION = 0x4a;
export const GPCMD_READ_DISC_INFORMATION = 0x51;
export const GPCMD_MODE_SENSE_10 = 0x5a;
export const GPCMD_READ_12 = 0xa8;
export const GPCMD_SET_CD_SPEED = 0xbb;
export const GPCMD_MECHANISM_STATUS = 0xbd;
export const GPCMD_READ_CD = 0xbe;

// Sense keys and additional sense codes.
export const SENSE_NONE = 0x00;
export const SENSE_NOT_READY = 0x02;
export const SENSE_MEDIUM_ERROR = 0x03;
export const SENSE_ILLEGAL_REQUEST = 0x05;
export const SENSE_UNIT_ATTENTION = 0x06;
export const SENSE_ABORTED_COMMAND = 0x0b;
export const ASC_UNRECOVERED_READ_ERROR = 0x11;
export const ASC_INVALID_COMMAND_OPERATION_CODE = 0x20;
export const ASC_LOGICAL_BLOCK_OUT_OF_RANGE = 0x21;
export const ASC_INVALID_FIELD_IN_CDB = 0x24;
export const ASC_MEDIUM_MAY_HAVE_CHANGED = 0x28;
export const ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x39;
export const ASC_MEDIUM_NOT_PRESENT = 0x3a;
export const ASC_MEDIUM_REMOVAL_PREVENTED = 0x53;
