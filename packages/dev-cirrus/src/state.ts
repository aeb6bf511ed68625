import { createVgaRegisters, resetVgaRegisters, type VgaRegisters } from '@plugboard/vga';
import { CIRRUS_REGISTERS } from './registers.js';

/** Video memory of the CL-GD5446 as QEMU and the VGA BIOS expect it: 4 MiB. */
export const VRAM_SIZE = 4 << 20;
export const VRAM_MASK = VRAM_SIZE - 1;
/** The hardware cursor patterns live in the last 16 KiB of video memory. */
export const CURSOR_AREA = VRAM_SIZE - 16 * 1024;

/** The BitBLT engine's parameters, latched from GR20-GR35 when a BLT starts, and its progress. */
export interface BltLatches {
  width: number;
  height: number;
  dstPitch: number;
  srcPitch: number;
  dst: number;
  src: number;
  mode: number;
  modeExt: number;
  /** Bytes per pixel. */
  pixel: number;
  /** GR32, the raster operation. */
  rop: number;
  fg: number;
  bg: number;
  /** System-to-screen: bytes of the current source line received, bytes per line, lines to go. */
  received: number;
  lineBytes: number;
  linesLeft: number;
  /**
   * A BLT in progress (stepped across virtual time): what it draws from
   * (`bitblt.ts`' SOURCE_*), the next row, and for pattern fills where the
   * pattern is, whether in video memory, and its first row.
   */
  source: number;
  nextRow: number;
  patternAddr: number;
  patternVideo: boolean;
  patternRow: number;
}

/** Every register and latch of the card; `resetState` puts all of it back. */
export interface VgaState extends VgaRegisters {
  /** Cirrus hidden DAC register (0x3C6 after four reads) and its unlock count. */
  hiddenDac: number;
  hiddenDacCount: number;
  /** The 16 extra DAC entries the hardware cursor's colours come from. */
  hiddenPalette: Uint8Array;
  /** GR0/GR1 as written: Cirrus keeps 8 bits where VGA keeps 4. */
  shadowGr0: number;
  shadowGr1: number;
  blt: BltLatches;
  /** The system-to-screen source line being received (at most 8192 bytes, 13-bit widths). */
  bltLine: Uint8Array;
}

/** The power-on state without its 4 MiB of video memory, for `resetState`. */
function createInitial(): Omit<VgaState, 'vram'> {
  const { vram: _, ...rest } = createState(0);
  return rest;
}

export function createState(vramBytes = VRAM_SIZE): VgaState {
  return {
    ...createVgaRegisters(vramBytes),
    hiddenDac: 0,
    hiddenDacCount: 0,
    hiddenPalette: new Uint8Array(48),
    shadowGr0: 0,
    shadowGr1: 0,
    blt: {
      width: 0,
      height: 0,
      dstPitch: 0,
      srcPitch: 0,
      dst: 0,
      src: 0,
      mode: 0,
      modeExt: 0,
      pixel: 1,
      rop: 0x0d,
      fg: 0,
      bg: 0,
      received: 0,
      lineBytes: 0,
      linesLeft: 0,
      source: 0,
      nextRow: 0,
      patternAddr: 0,
      patternVideo: false,
      patternRow: 0,
    },
    bltLine: new Uint8Array(8192 + 8),
  };
}

/**
 * Power-on and PCI reset: every register, latch, the DAC and the BitBLT
 * engine back to their power-on values (QEMU's cirrus_reset, which leaves
 * the rest for the VGA BIOS); the SR, GR and CR files from their tables
 * (`registers.ts`). Video memory keeps its contents.
 */
export function resetState(s: VgaState): void {
  resetVgaRegisters(s, CIRRUS_REGISTERS);
  const initial = createInitial();
  s.hiddenPalette.set(initial.hiddenPalette);
  Object.assign(s.blt, initial.blt);
  s.bltLine.fill(0);
  s.shadowGr0 = s.shadowGr1 = 0;
  s.hiddenDac = 0;
  s.hiddenDacCount = 0;
}
