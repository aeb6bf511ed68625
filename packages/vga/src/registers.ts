import { defineRegisters, type RegisterSpec, type RegisterTable } from '@plugboard/core';

/**
 * The VGA's indexed register files as data: the sequencer (SR), graphics
 * controller (GR) and CRT controller (CR), each a window of one-byte
 * registers at offsets equal to their indices. Mnemonics as the CL-GD5446
 * Technical Reference Manual numbers them, in hex without a leading zero
 * (SR4, GR8, CRA, CR18), titles after the Cirrus manuals. A card adds its
 * extensions to these lists and builds its own tables (`@plugboard/dev-cirrus`).
 */
export interface IndexedRegisterSpec extends RegisterSpec {
  /** The register's title in the manual ("Extended Sequencer Mode"). */
  readonly title: string;
}

/** The index space of one file: an index register holds a byte. */
export const INDEXED_FILE_SIZE = 256;

/** The register files a card decodes; `VgaCard` and `resetVgaRegisters` work from them. */
export interface VgaRegisterFiles {
  readonly sr: RegisterTable;
  readonly gr: RegisterTable;
  readonly cr: RegisterTable;
}

export const VGA_SR_REGISTERS = [
  { name: 'SR0', title: 'Sequencer Reset', offset: 0x00, width: 1, writable: 0x03 },
  { name: 'SR1', title: 'Sequencer Clocking Mode', offset: 0x01, width: 1, writable: 0x3d },
  { name: 'SR2', title: 'Sequencer Plane Mask', offset: 0x02, width: 1, writable: 0x0f },
  { name: 'SR3', title: 'Sequencer Character Map Select', offset: 0x03, width: 1, writable: 0x3f },
  { name: 'SR4', title: 'Sequencer Memory Mode', offset: 0x04, width: 1, writable: 0x0e },
] as const satisfies readonly IndexedRegisterSpec[];

export const VGA_GR_REGISTERS = [
  { name: 'GR0', title: 'Set/Reset', offset: 0x00, width: 1, writable: 0x0f },
  { name: 'GR1', title: 'Set/Reset Enable', offset: 0x01, width: 1, writable: 0x0f },
  { name: 'GR2', title: 'Color Compare', offset: 0x02, width: 1, writable: 0x0f },
  { name: 'GR3', title: 'Data Rotate', offset: 0x03, width: 1, writable: 0x1f },
  { name: 'GR4', title: 'Read Map Select', offset: 0x04, width: 1, writable: 0x03 },
  { name: 'GR5', title: 'Mode', offset: 0x05, width: 1, writable: 0x7b },
  { name: 'GR6', title: 'Miscellaneous', offset: 0x06, width: 1, writable: 0x0f },
  { name: 'GR7', title: "Color Don't Care", offset: 0x07, width: 1, writable: 0x0f },
  { name: 'GR8', title: 'Bit Mask', offset: 0x08, width: 1 },
] as const satisfies readonly IndexedRegisterSpec[];

export const VGA_CR_REGISTERS = [
  { name: 'CR0', title: 'Horizontal Total', offset: 0x00, width: 1 },
  { name: 'CR1', title: 'Horizontal Display End', offset: 0x01, width: 1 },
  { name: 'CR2', title: 'Horizontal Blanking Start', offset: 0x02, width: 1 },
  { name: 'CR3', title: 'Horizontal Blanking End', offset: 0x03, width: 1 },
  { name: 'CR4', title: 'Horizontal Sync Start', offset: 0x04, width: 1 },
  { name: 'CR5', title: 'Horizontal Sync End', offset: 0x05, width: 1 },
  { name: 'CR6', title: 'Vertical Total', offset: 0x06, width: 1 },
  { name: 'CR7', title: 'Overflow', offset: 0x07, width: 1 },
  { name: 'CR8', title: 'Screen A Preset Row Scan', offset: 0x08, width: 1 },
  { name: 'CR9', title: 'Character Cell Height', offset: 0x09, width: 1 },
  { name: 'CRA', title: 'Text Cursor Start', offset: 0x0a, width: 1 },
  { name: 'CRB', title: 'Text Cursor End', offset: 0x0b, width: 1 },
  { name: 'CRC', title: 'Screen Start Address High', offset: 0x0c, width: 1 },
  { name: 'CRD', title: 'Screen Start Address Low', offset: 0x0d, width: 1 },
  { name: 'CRE', title: 'Text Cursor Location High', offset: 0x0e, width: 1 },
  { name: 'CRF', title: 'Text Cursor Location Low', offset: 0x0f, width: 1 },
  { name: 'CR10', title: 'Vertical Sync Start', offset: 0x10, width: 1 },
  { name: 'CR11', title: 'Vertical Sync End', offset: 0x11, width: 1 },
  { name: 'CR12', title: 'Vertical Display End', offset: 0x12, width: 1 },
  { name: 'CR13', title: 'Offset', offset: 0x13, width: 1 },
  { name: 'CR14', title: 'Underline Row Scanline', offset: 0x14, width: 1 },
  { name: 'CR15', title: 'Vertical Blank Start', offset: 0x15, width: 1 },
  { name: 'CR16', title: 'Vertical Blank End', offset: 0x16, width: 1 },
  { name: 'CR17', title: 'CRT Mode Control', offset: 0x17, width: 1 },
  { name: 'CR18', title: 'Line Compare', offset: 0x18, width: 1 },
] as const satisfies readonly IndexedRegisterSpec[];

/**
 * The attribute controller, indexed by the low five bits of 0x3C0's index.
 * Its indices past AR14 read 0 (not 0xFF), and keep nothing.
 */
export const VGA_AR_REGISTERS = [
  { name: 'AR0', title: 'Palette 0', offset: 0x00, width: 1, writable: 0x3f },
  { name: 'AR1', title: 'Palette 1', offset: 0x01, width: 1, writable: 0x3f },
  { name: 'AR2', title: 'Palette 2', offset: 0x02, width: 1, writable: 0x3f },
  { name: 'AR3', title: 'Palette 3', offset: 0x03, width: 1, writable: 0x3f },
  { name: 'AR4', title: 'Palette 4', offset: 0x04, width: 1, writable: 0x3f },
  { name: 'AR5', title: 'Palette 5', offset: 0x05, width: 1, writable: 0x3f },
  { name: 'AR6', title: 'Palette 6', offset: 0x06, width: 1, writable: 0x3f },
  { name: 'AR7', title: 'Palette 7', offset: 0x07, width: 1, writable: 0x3f },
  { name: 'AR8', title: 'Palette 8', offset: 0x08, width: 1, writable: 0x3f },
  { name: 'AR9', title: 'Palette 9', offset: 0x09, width: 1, writable: 0x3f },
  { name: 'ARA', title: 'Palette A', offset: 0x0a, width: 1, writable: 0x3f },
  { name: 'ARB', title: 'Palette B', offset: 0x0b, width: 1, writable: 0x3f },
  { name: 'ARC', title: 'Palette C', offset: 0x0c, width: 1, writable: 0x3f },
  { name: 'ARD', title: 'Palette D', offset: 0x0d, width: 1, writable: 0x3f },
  { name: 'ARE', title: 'Palette E', offset: 0x0e, width: 1, writable: 0x3f },
  { name: 'ARF', title: 'Palette F', offset: 0x0f, width: 1, writable: 0x3f },
  { name: 'AR10', title: 'Attribute Controller Mode', offset: 0x10, width: 1, writable: 0xef },
  { name: 'AR11', title: 'Overscan (Border) Color', offset: 0x11, width: 1 },
  { name: 'AR12', title: 'Color Plane Enable', offset: 0x12, width: 1, writable: 0x3f },
  { name: 'AR13', title: 'Pixel Panning', offset: 0x13, width: 1, writable: 0x0f },
  { name: 'AR14', title: 'Color Select', offset: 0x14, width: 1, writable: 0x0f },
] as const satisfies readonly IndexedRegisterSpec[];

/** The bits of 0x3C0's index that select the attribute register; bit 5 is the palette address source. */
export const AR_INDEX = 0x1f;
export const VGA_AR = defineRegisters(VGA_AR_REGISTERS, { size: AR_INDEX + 1, unowned: 'ignored' });

/**
 * One table per file, over the whole index space: an index no register owns
 * reads 0xFF and keeps nothing written to it (`unowned: 'ignored'`).
 */
export function defineIndexedFile<const T extends readonly IndexedRegisterSpec[]>(specs: T) {
  return defineRegisters(specs, { size: INDEXED_FILE_SIZE, unowned: 'ignored' });
}

export const VGA_SR = defineIndexedFile(VGA_SR_REGISTERS);
export const VGA_GR = defineIndexedFile(VGA_GR_REGISTERS);
export const VGA_CR = defineIndexedFile(VGA_CR_REGISTERS);
export const VGA_REGISTERS: VgaRegisterFiles = { sr: VGA_SR, gr: VGA_GR, cr: VGA_CR };

export const { SR1, SR2, SR3, SR4 } = VGA_SR.offsets;
export const { GR0, GR1, GR2, GR3, GR4, GR5, GR6, GR7, GR8 } = VGA_GR.offsets;
export const { CR1, CR7, CR9, CRA, CRB, CRC, CRD, CRE, CRF, CR11, CR12, CR13 } = VGA_CR.offsets;
export const { AR10, AR12, AR14 } = VGA_AR.offsets;

/** SR1 bit 0: 8-dot character clocks (else 9). */
export const SR1_DOTS_8 = 0x01;
/** SR4 bit 3: chain-4, CPU addresses pick the plane by their low two bits. */
export const SR4_CHAIN4 = 0x08;
/** GR5: read mode 1 (colour compare), odd/even addressing, 256-colour shift; bits 1:0 the write mode. */
export const GR5_READ_COMPARE = 0x08;
export const GR5_ODD_EVEN = 0x10;
export const GR5_SHIFT_256 = 0x40;
export const GR5_WRITE_MODE = 0x03;
/** CR7 bit 4: the line compare's bit 8, which CR11's protect bit leaves writable. */
export const CR7_LINE_COMPARE_8 = 0x10;
/** CR9 bits 4:0: character cell height less one; bit 7: double scanning. */
export const CR9_CELL_HEIGHT = 0x1f;
export const CR9_DOUBLE_SCAN = 0x80;
/** CRA bit 5: the text cursor off; bits 4:0 (and CRB's) its first and last scan lines. */
export const CRA_CURSOR_OFF = 0x20;
export const CURSOR_SCAN_LINE = 0x1f;
/** CR11 bit 7: CR0-CR7 are write-protected, except CR7's line compare bit 8. */
export const CR11_PROTECT = 0x80;
/** AR10: graphics (else text), line graphics, blink, palette bits 5:4 from AR14. */
export const AR10_GRAPHICS = 0x01;
export const AR10_LINE_GRAPHICS = 0x04;
export const AR10_BLINK = 0x08;
export const AR10_PALETTE_54 = 0x80;

/** Whether index `i` of the file is a register (it reads back; the others read 0xFF). */
export function decodes(table: RegisterTable, i: number): boolean {
  return table.owner[i] >= 0;
}

/**
 * A guest write of `value` to register `i`: its writable bits change, the
 * others keep their value; an index no register owns keeps nothing.
 */
export function writeIndexed(table: RegisterTable, regs: Uint8Array, i: number, value: number): void {
  if (table.owner[i] < 0) return;
  const w = table.writable[i];
  regs[i] = (regs[i] & ~w) | (value & w);
}
