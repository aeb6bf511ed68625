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
export interface VgaState {
  vram: Uint8Array;
  /** Sequencer (SR00-SR1F), graphics controller (GR00-GR39), CRT controller (CR00-CR27), attribute controller (AR00-AR14). */
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
  /** DAC: 256 entries of 6-bit R, G, B. */
  palette: Uint8Array;
  dacReadIndex: number;
  dacWriteIndex: number;
  dacSubIndex: number;
  dacState: number;
  dacCache: Uint8Array;
  pelMask: number;
  /** Cirrus hidden DAC register (0x3C6 after four reads) and its unlock count. */
  hiddenDac: number;
  hiddenDacCount: number;
  /** The 16 extra DAC entries the hardware cursor's colours come from. */
  hiddenPalette: Uint8Array;
  /** GR00/GR01 as written: Cirrus keeps 8 bits where VGA keeps 4. */
  shadowGr0: number;
  shadowGr1: number;
  /** The four 8-bit latches, one per plane. */
  latch: Uint8Array;
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
    vram: new Uint8Array(vramBytes),
    sr: new Uint8Array(256),
    gr: new Uint8Array(256),
    cr: new Uint8Array(256),
    ar: new Uint8Array(32),
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
    hiddenDac: 0,
    hiddenDacCount: 0,
    hiddenPalette: new Uint8Array(48),
    shadowGr0: 0,
    shadowGr1: 0,
    latch: new Uint8Array(4),
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
 * the rest for the VGA BIOS). Video memory keeps its contents.
 */
export function resetState(s: VgaState): void {
  const initial = createInitial();
  s.palette.set(initial.palette);
  s.dacCache.set(initial.dacCache);
  s.hiddenPalette.set(initial.hiddenPalette);
  Object.assign(s.blt, initial.blt);
  s.bltLine.fill(0);
  s.sr.fill(0);
  s.gr.fill(0);
  s.cr.fill(0);
  s.ar.fill(0);
  s.srIndex = s.grIndex = s.crIndex = s.arIndex = 0;
  s.arFlipFlop = false;
  s.misc = 0;
  s.featureControl = 0;
  s.inputStatus1 = 0;
  s.dacReadIndex = s.dacWriteIndex = s.dacSubIndex = s.dacState = 0;
  s.pelMask = 0xff;
  s.shadowGr0 = s.shadowGr1 = 0;
  s.latch.fill(0);
  // Extensions locked; 4 MiB in 64-bit configuration (SR0F, SR15); PCI bus (SR17); memory clock.
  s.sr[0x06] = 0x0f;
  s.sr[0x0f] = 0x98;
  s.sr[0x15] = 0x04;
  s.sr[0x17] = 0x20;
  s.sr[0x1f] = 0x2d;
  s.gr[0x18] = 0x0f;
  s.cr[0x27] = 0xb8; // CL-GD5446 part id
  s.hiddenDac = 0;
  s.hiddenDacCount = 0;
}
