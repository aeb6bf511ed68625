import {
  defineIndexedFile,
  type IndexedRegisterSpec,
  VGA_CR_REGISTERS,
  VGA_GR_REGISTERS,
  VGA_SR_REGISTERS,
  type VgaRegisterFiles,
} from '@plugboard/vga';

/**
 * The CL-GD5446's indexed register files: the VGA's (`@plugboard/vga`) with
 * the Cirrus extensions, mnemonics as the CL-GD5446 Technical Reference
 * Manual numbers them and titles after it. The tables are the one source of the
 * indices, reset values, writable bits and names; an index no register owns
 * reads 0xFF and keeps nothing. Where the manual marks an index reserved and
 * the card still keeps what is written there (as QEMU's does), the entry says so.
 */
interface CirrusRegisterSpec extends IndexedRegisterSpec {
  /** Where the memory-mapped BLT registers (BAR1 + 0x100, 0xB8000, BAR0's last 256 bytes) put this GR. */
  readonly mmio?: number;
}

const KEPT = 'Reserved (keeps what is written)';

export const CIRRUS_SR_REGISTERS = [
  ...VGA_SR_REGISTERS,
  { name: 'SR5', title: KEPT, offset: 0x05, width: 1 },
  // Only the unlock key reaches SR6; the card stores its answer (`cirrus.ts`).
  { name: 'SR6', title: 'Unlock ALL Extensions', offset: 0x06, width: 1, reset: 0x0f },
  { name: 'SR7', title: 'Extended Sequencer Mode', offset: 0x07, width: 1 },
  { name: 'SR8', title: 'EEPROM Control', offset: 0x08, width: 1 },
  { name: 'SR9', title: 'Scratch Pad 0', offset: 0x09, width: 1 },
  { name: 'SRA', title: 'Scratch Pad 1', offset: 0x0a, width: 1 },
  { name: 'SRB', title: 'VCLK0 Numerator', offset: 0x0b, width: 1 },
  { name: 'SRC', title: 'VCLK1 Numerator', offset: 0x0c, width: 1 },
  { name: 'SRD', title: 'VCLK2 Numerator', offset: 0x0d, width: 1 },
  { name: 'SRE', title: 'VCLK3 Numerator', offset: 0x0e, width: 1 },
  // 4 MiB of video memory in the 64-bit configuration, as the VGA BIOS sizes it.
  { name: 'SRF', title: 'DRAM Control', offset: 0x0f, width: 1, reset: 0x98 },
  // SR10 and SR11 answer at every index whose low five bits are theirs (`cirrus.ts`).
  { name: 'SR10', title: 'Graphics Cursor X Position', offset: 0x10, width: 1 },
  { name: 'SR11', title: 'Graphics Cursor Y Position', offset: 0x11, width: 1 },
  { name: 'SR12', title: 'Graphics Cursor Attributes', offset: 0x12, width: 1 },
  { name: 'SR13', title: 'Graphics Cursor Pattern Address Offset', offset: 0x13, width: 1 },
  { name: 'SR14', title: 'Scratch Pad 2', offset: 0x14, width: 1 },
  // The VGA BIOS reads the memory size here: 4 for 4 MiB.
  { name: 'SR15', title: 'Scratch Pad 3', offset: 0x15, width: 1, reset: 0x04 },
  { name: 'SR16', title: 'Performance Tuning', offset: 0x16, width: 1 },
  // Bits 5:3 report the bus (PCI); the guest writes the rest.
  {
    name: 'SR17',
    title: 'Configuration Readback and Extended Control',
    offset: 0x17,
    width: 1,
    reset: 0x20,
    writable: 0xc7,
  },
  { name: 'SR18', title: 'Signature Generator Control', offset: 0x18, width: 1 },
  { name: 'SR19', title: 'Signature Generator Result Low Byte', offset: 0x19, width: 1 },
  { name: 'SR1A', title: 'Signature Generator Result High Byte', offset: 0x1a, width: 1 },
  { name: 'SR1B', title: 'VCLK0 Denominator and Post-Scalar Value', offset: 0x1b, width: 1 },
  { name: 'SR1C', title: 'VCLK1 Denominator and Post-Scalar Value', offset: 0x1c, width: 1 },
  { name: 'SR1D', title: 'VCLK2 Denominator and Post-Scalar Value', offset: 0x1d, width: 1 },
  { name: 'SR1E', title: 'VCLK3 Denominator and Post-Scalar Value', offset: 0x1e, width: 1 },
  { name: 'SR1F', title: 'MCLK Select', offset: 0x1f, width: 1, reset: 0x2d },
] as const satisfies readonly CirrusRegisterSpec[];

export const CIRRUS_GR_REGISTERS = [
  // GR0 and GR1 keep 4 bits for the VGA; the card keeps the whole bytes as colour byte 0 (`shadowGr0/1`).
  { ...VGA_GR_REGISTERS[0], title: 'Set/Reset / Background Color Byte 0', mmio: 0x00 },
  { ...VGA_GR_REGISTERS[1], title: 'Set/Reset Enable / Foreground Color Byte 0', mmio: 0x04 },
  ...VGA_GR_REGISTERS.slice(2, 5),
  // Bit 2 is the third write-mode bit (modes 4 and 5).
  { ...VGA_GR_REGISTERS[5], title: 'Graphics Controller Mode', writable: 0x7f },
  ...VGA_GR_REGISTERS.slice(6),
  { name: 'GR9', title: 'Offset Register 0', offset: 0x09, width: 1 },
  { name: 'GRA', title: 'Offset Register 1', offset: 0x0a, width: 1 },
  { name: 'GRB', title: 'Graphics Controller Mode Extensions', offset: 0x0b, width: 1 },
  { name: 'GRC', title: 'Color Key Compare', offset: 0x0c, width: 1 },
  { name: 'GRD', title: 'Color Key Compare Mask', offset: 0x0d, width: 1 },
  { name: 'GRE', title: 'Power Management', offset: 0x0e, width: 1 },
  { name: 'GRF', title: KEPT, offset: 0x0f, width: 1 },
  { name: 'GR10', title: 'Background Color Byte 1', offset: 0x10, width: 1, mmio: 0x01 },
  { name: 'GR11', title: 'Foreground Color Byte 1', offset: 0x11, width: 1, mmio: 0x05 },
  { name: 'GR12', title: 'Background Color Byte 2', offset: 0x12, width: 1, mmio: 0x02 },
  { name: 'GR13', title: 'Foreground Color Byte 2', offset: 0x13, width: 1, mmio: 0x06 },
  { name: 'GR14', title: 'Background Color Byte 3', offset: 0x14, width: 1, mmio: 0x03 },
  { name: 'GR15', title: 'Foreground Color Byte 3', offset: 0x15, width: 1, mmio: 0x07 },
  { name: 'GR16', title: 'Active Display Line Readback Byte 0', offset: 0x16, width: 1 },
  { name: 'GR17', title: 'Active Display Line Readback Byte 1', offset: 0x17, width: 1 },
  { name: 'GR18', title: 'Extended DRAM Controls', offset: 0x18, width: 1, reset: 0x0f },
  { name: 'GR19', title: KEPT, offset: 0x19, width: 1 },
  { name: 'GR1A', title: KEPT, offset: 0x1a, width: 1 },
  { name: 'GR1B', title: KEPT, offset: 0x1b, width: 1 },
  { name: 'GR1C', title: KEPT, offset: 0x1c, width: 1 },
  { name: 'GR1D', title: KEPT, offset: 0x1d, width: 1 },
  { name: 'GR1E', title: KEPT, offset: 0x1e, width: 1 },
  { name: 'GR1F', title: KEPT, offset: 0x1f, width: 1 },
  // The BitBLT engine's: widths, heights and pitches of 13 bits, addresses of 22.
  { name: 'GR20', title: 'BLT Width Byte 0', offset: 0x20, width: 1, mmio: 0x08 },
  { name: 'GR21', title: 'BLT Width Byte 1', offset: 0x21, width: 1, writable: 0x1f, mmio: 0x09 },
  { name: 'GR22', title: 'BLT Height Byte 0', offset: 0x22, width: 1, mmio: 0x0a },
  { name: 'GR23', title: 'BLT Height Byte 1', offset: 0x23, width: 1, writable: 0x1f, mmio: 0x0b },
  { name: 'GR24', title: 'BLT Destination Pitch Byte 0', offset: 0x24, width: 1, mmio: 0x0c },
  { name: 'GR25', title: 'BLT Destination Pitch Byte 1', offset: 0x25, width: 1, writable: 0x1f, mmio: 0x0d },
  { name: 'GR26', title: 'BLT Source Pitch Byte 0', offset: 0x26, width: 1, mmio: 0x0e },
  { name: 'GR27', title: 'BLT Source Pitch Byte 1', offset: 0x27, width: 1, writable: 0x1f, mmio: 0x0f },
  { name: 'GR28', title: 'BLT Destination Start Byte 0', offset: 0x28, width: 1, mmio: 0x10 },
  { name: 'GR29', title: 'BLT Destination Start Byte 1', offset: 0x29, width: 1, mmio: 0x11 },
  { name: 'GR2A', title: 'BLT Destination Start Byte 2', offset: 0x2a, width: 1, writable: 0x3f, mmio: 0x12 },
  { name: 'GR2B', title: KEPT, offset: 0x2b, width: 1 },
  { name: 'GR2C', title: 'BLT Source Start Byte 0', offset: 0x2c, width: 1, mmio: 0x14 },
  { name: 'GR2D', title: 'BLT Source Start Byte 1', offset: 0x2d, width: 1, mmio: 0x15 },
  { name: 'GR2E', title: 'BLT Source Start Byte 2', offset: 0x2e, width: 1, writable: 0x3f, mmio: 0x16 },
  { name: 'GR2F', title: 'BLT Destination Left-Side Clipping', offset: 0x2f, width: 1, mmio: 0x17 },
  { name: 'GR30', title: 'BLT Mode', offset: 0x30, width: 1, mmio: 0x18 },
  // Written through the BitBLT engine (`BitBlt.writeControl`), which keeps BUSY while it works.
  { name: 'GR31', title: 'BLT Start/Status', offset: 0x31, width: 1, mmio: 0x40 },
  { name: 'GR32', title: 'BLT Raster Operation', offset: 0x32, width: 1, mmio: 0x1a },
  { name: 'GR33', title: 'BLT Mode Extensions', offset: 0x33, width: 1, mmio: 0x1b },
  { name: 'GR34', title: 'Transparent BLT Key Color Byte 0', offset: 0x34, width: 1, mmio: 0x1c },
  { name: 'GR35', title: 'Transparent BLT Key Color Byte 1', offset: 0x35, width: 1, mmio: 0x1d },
  { name: 'GR36', title: KEPT, offset: 0x36, width: 1 },
  { name: 'GR37', title: KEPT, offset: 0x37, width: 1 },
  { name: 'GR38', title: 'Transparent BLT Key Color Mask Byte 0', offset: 0x38, width: 1, mmio: 0x20 },
  { name: 'GR39', title: 'Transparent BLT Key Color Mask Byte 1', offset: 0x39, width: 1, mmio: 0x21 },
] as const satisfies readonly CirrusRegisterSpec[];

export const CIRRUS_CR_REGISTERS = [
  ...VGA_CR_REGISTERS,
  { name: 'CR19', title: 'Interlace End', offset: 0x19, width: 1 },
  { name: 'CR1A', title: 'Interlace Control', offset: 0x1a, width: 1 },
  { name: 'CR1B', title: 'Extended Display Controls', offset: 0x1b, width: 1 },
  { name: 'CR1C', title: 'Sync Adjust and Genlock', offset: 0x1c, width: 1 },
  { name: 'CR1D', title: 'Overlay Extended Control', offset: 0x1d, width: 1 },
  // The readbacks: CR24 and CR26 show the attribute controller live (`cirrus.ts`), CR22 and CR25 read 0.
  { name: 'CR22', title: 'Graphics Data Latches Readback', offset: 0x22, width: 1, writable: 0 },
  { name: 'CR24', title: 'Attribute Controller Toggle Readback', offset: 0x24, width: 1, writable: 0 },
  { name: 'CR25', title: 'Part Status', offset: 0x25, width: 1, writable: 0 },
  { name: 'CR26', title: 'Attribute Controller Index Readback', offset: 0x26, width: 1, writable: 0 },
  // The CL-GD5446's device id.
  { name: 'CR27', title: 'ID', offset: 0x27, width: 1, reset: 0xb8, writable: 0 },
] as const satisfies readonly CirrusRegisterSpec[];

export const CIRRUS_SR = defineIndexedFile(CIRRUS_SR_REGISTERS);
export const CIRRUS_GR = defineIndexedFile(CIRRUS_GR_REGISTERS);
export const CIRRUS_CR = defineIndexedFile(CIRRUS_CR_REGISTERS);
export const CIRRUS_REGISTERS: VgaRegisterFiles = { sr: CIRRUS_SR, gr: CIRRUS_GR, cr: CIRRUS_CR };

export const { SR6, SR7, SR10, SR11, SR12, SR13, SR17 } = CIRRUS_SR.offsets;
export const {
  GR0,
  GR1,
  GR5,
  GR9,
  GRB,
  GR10,
  GR11,
  GR12,
  GR13,
  GR14,
  GR15,
  GR20,
  GR21,
  GR22,
  GR23,
  GR24,
  GR25,
  GR26,
  GR27,
  GR28,
  GR29,
  GR2A,
  GR2C,
  GR2D,
  GR2E,
  GR2F,
  GR30,
  GR31,
  GR32,
  GR33,
  GR34,
  GR35,
} = CIRRUS_GR.offsets;
export const { CR13, CR1B, CR1D, CR24, CR26 } = CIRRUS_CR.offsets;

/** The memory-mapped BLT registers: per byte offset of the 256-byte window, the GR it is, or -1. */
export const MMIO_BLT = (() => {
  const t = new Int16Array(256).fill(-1);
  for (const r of CIRRUS_GR_REGISTERS) if ('mmio' in r) t[r.mmio] = r.offset;
  return t;
})();

/** SR6: the bits of a write the unlock key is compared in, the key (what SR6 reads unlocked), what it reads locked. */
export const SR6_KEY_MASK = 0x17;
export const SR6_KEY = 0x12;
export const SR6_LOCKED = 0x0f;
/** SR7 bit 0: the extended (packed-pixel) modes; bits 3:1 their pixel format. */
export const SR7_EXTENDED = 0x01;
export const SR7_DEPTH = 0x0e;
export const SR7_DEPTH_8 = 0x00;
export const SR7_DEPTH_24 = 0x04;
export const SR7_DEPTH_32 = 0x08;
/** SR12: the hardware cursor shown, DAC data to the hidden cursor palette, 64x64 cursor. */
export const SR12_CURSOR_ENABLE = 0x01;
export const SR12_CURSOR_PALETTE = 0x02;
export const SR12_CURSOR_64 = 0x04;
/** SR17: the memory-mapped BLT registers on, and at BAR0's last 256 bytes rather than 0xB8000. */
export const SR17_MMIO = 0x04;
export const SR17_MMIO_LINEAR = 0x40;
/** GRB: dual banks (GR9 and GRA), X8 and X16 addressing, write modes 4 and 5, 16 KiB bank granularity. */
export const GRB_DUAL_BANK = 0x01;
export const GRB_X8 = 0x02;
export const GRB_EXTENDED_WRITE = 0x04;
export const GRB_X16 = 0x10;
export const GRB_16K = 0x20;
/** CR1B: start address bits 16 and 18:17, offset bit 8. CR1D bit 7: start address bit 19. */
export const CR1B_START_16 = 0x01;
export const CR1B_START_17_18 = 0x0c;
export const CR1B_OFFSET_8 = 0x10;
export const CR1D_START_19 = 0x80;

/**
 * The hardware cursor's fine position: the top three bits of the index SR10
 * or SR11 was written at. Kept past the register file's 32 registers, where
 * no index reaches them (the cursor registers answer at every alias).
 */
export const SR10_FINE = 0x30;
export const SR11_FINE = 0x31;
