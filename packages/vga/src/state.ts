import { AR_INDEX, INDEXED_FILE_SIZE, VGA_AR, VGA_REGISTERS, type VgaRegisterFiles } from './registers.js';

/** The registers, latches and DAC of the VGA core, with video memory; a card's state object extends it. */
export interface VgaRegisters {
  vram: Uint8Array;
  /** Sequencer, graphics controller and CRT controller (the whole index space each, for cards that extend them), attribute controller (AR0-AR14, in 32 bytes). */
  sr: Uint8Array;
  gr: Uint8Array;
  cr: Uint8Array;
  ar: Uint8Array;
  srIndex: number;
  grIndex: number;
  crIndex: number;
  arIndex: number;
  /** Attribute controller: false while the next 0x3C0 write is an index. */
  arFlipFlop: boolean;
  misc: number;
  featureControl: number;
  /** Input status 1 as last read. */
  inputStatus1: number;
  /** DAC: 256 entries of R, G, B (6 bits each, or 8 where the card has an 8-bit DAC). */
  palette: Uint8Array;
  dacReadIndex: number;
  dacWriteIndex: number;
  dacSubIndex: number;
  dacState: number;
  dacCache: Uint8Array;
  pelMask: number;
  /** The four 8-bit latches, one per plane. */
  latch: Uint8Array;
}

export function createVgaRegisters(vramBytes: number): VgaRegisters {
  return {
    vram: new Uint8Array(vramBytes),
    sr: new Uint8Array(INDEXED_FILE_SIZE),
    gr: new Uint8Array(INDEXED_FILE_SIZE),
    cr: new Uint8Array(INDEXED_FILE_SIZE),
    ar: new Uint8Array(AR_INDEX + 1),
    srIndex: 0,
    grIndex: 0,
    crIndex: 0,
    arIndex: 0,
    arFlipFlop: false,
    misc: 0,
    featureControl: 0,
    inputStatus1: 0,
    palette: new Uint8Array(768),
    dacReadIndex: 0,
    dacWriteIndex: 0,
    dacSubIndex: 0,
    dacState: 0,
    dacCache: new Uint8Array(3),
    pelMask: 0xff,
    latch: new Uint8Array(4),
  };
}

/**
 * Every VGA register, latch and the DAC back to power-on, the SR, GR, CR and
 * AR files to their tables' reset values; video memory keeps its contents.
 */
export function resetVgaRegisters(s: VgaRegisters, registers: VgaRegisterFiles = VGA_REGISTERS): void {
  s.palette.fill(0);
  s.dacCache.fill(0);
  registers.sr.reset(s.sr);
  registers.gr.reset(s.gr);
  registers.cr.reset(s.cr);
  VGA_AR.reset(s.ar);
  s.srIndex = s.grIndex = s.crIndex = s.arIndex = 0;
  s.arFlipFlop = false;
  s.misc = 0;
  s.featureControl = 0;
  s.inputStatus1 = 0;
  s.dacReadIndex = s.dacWriteIndex = s.dacSubIndex = s.dacState = 0;
  s.pelMask = 0xff;
  s.latch.fill(0);
}
