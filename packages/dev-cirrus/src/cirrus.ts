import { type Clock, type MmioHandler, objectState } from '@plugboard/core';
import { GR_MASK, SR_MASK, VgaCard } from '@plugboard/vga';
import { BitBlt, BLT_AUTOSTART } from './bitblt.js';
import { createState, resetState, type VgaState, VRAM_MASK, VRAM_SIZE } from './state.js';

/** BLT registers as the memory-mapped BLT window lays them out: the GR each byte offset is, or -1. */
const MMIO_BLT = (() => {
  const t = new Int16Array(256).fill(-1);
  const pairs: [number, number][] = [
    [0x00, 0x00],
    [0x01, 0x10],
    [0x02, 0x12],
    [0x03, 0x14],
    [0x04, 0x01],
    [0x05, 0x11],
    [0x06, 0x13],
    [0x07, 0x15],
    [0x08, 0x20],
    [0x09, 0x21],
    [0x0a, 0x22],
    [0x0b, 0x23],
    [0x0c, 0x24],
    [0x0d, 0x25],
    [0x0e, 0x26],
    [0x0f, 0x27],
    [0x10, 0x28],
    [0x11, 0x29],
    [0x12, 0x2a],
    [0x14, 0x2c],
    [0x15, 0x2d],
    [0x16, 0x2e],
    [0x17, 0x2f],
    [0x18, 0x30],
    [0x1a, 0x32],
    [0x1b, 0x33],
    [0x1c, 0x34],
    [0x1d, 0x35],
    [0x20, 0x38],
    [0x21, 0x39],
    [0x40, 0x31],
  ];
  for (const [offset, gr] of pairs) t[offset] = gr;
  return t;
})();
/**
 * The CL-GD5446: the VGA register set at 0x3B0-0x3DF, the legacy window at
 * 0xA0000, and the Cirrus extensions (unlock, banking, linear aperture,
 * memory-mapped BLT registers, BitBLT, hardware cursor).
 */
export class CirrusVga extends VgaCard<VgaState> {
  readonly blt: BitBlt;

  /**
   * With the machine's `clock`, large BLTs proceed in steps across virtual
   * time and their work is charged to the run slice; without one (tests),
   * every BLT runs at once. `id` names the BLT engine's timer.
   */
  constructor(clock: Clock | null = null, id = 'cirrus-vga') {
    super(createState());
    this.blt = new BitBlt(this.state, this.dirty, clock, `${id} BitBLT`);
    this.reset();
  }

  /** Everything that is state is in `state`; after a load the picture is redrawn whole. */
  readonly vmstate = objectState(
    { card: this.state },
    {
      version: 1,
      afterLoad: () => {
        this.blt.loaded();
        this.dirty.invalidate();
        this.generation++;
      },
    },
  );

  reset(): void {
    resetState(this.state);
    this.blt.loaded();
    this.dirty.invalidate();
    this.generation++;
  }

  private get extended(): boolean {
    return (this.state.sr[0x07] & 0x01) !== 0;
  }

  // --- I/O ports 0x3B0-0x3DF: the VGA's, with the hidden DAC register and cursor palette -------

  override readPort(port: number): number {
    const s = this.state;
    if (this.wrongSet(port)) return 0xff;
    // Any other DAC access breaks the four-read sequence that unlocks the hidden DAC register.
    if (port >= 0x3c7 && port <= 0x3c9) s.hiddenDacCount = 0;
    else if (port === 0x3c6 && ++s.hiddenDacCount === 5) {
      // Four reads in a row unlock the hidden DAC register on the fifth.
      s.hiddenDacCount = 0;
      return s.hiddenDac;
    }
    return super.readPort(port);
  }

  override writePort(port: number, value: number): void {
    const s = this.state;
    if (port === 0x3c6 && !this.wrongSet(port)) {
      this.generation++;
      if (s.hiddenDacCount === 4) s.hiddenDac = value;
      else s.pelMask = value;
      s.hiddenDacCount = 0;
      this.dirty.invalidate();
      return;
    }
    super.writePort(port, value);
  }

  /** SR12 bit 1 turns DAC data accesses to the hidden cursor palette. */
  protected override readDacByte(): number {
    const s = this.state;
    if (!(s.sr[0x12] & 0x02)) return super.readDacByte();
    return s.hiddenPalette[(s.dacReadIndex & 0x0f) * 3 + s.dacSubIndex];
  }

  protected override storeDacEntry(): void {
    const s = this.state;
    if (s.sr[0x12] & 0x02) s.hiddenPalette.set(s.dacCache, (s.dacWriteIndex & 0x0f) * 3);
    else super.storeDacEntry();
  }

  protected override readSr(i: number): number {
    const s = this.state;
    if (i <= 0x04 || i === 0x06) return s.sr[i];
    // The cursor position registers decode their index's top three bits as the position's low bits.
    if ((i & 0x1f) === 0x10) return s.sr[0x10];
    if ((i & 0x1f) === 0x11) return s.sr[0x11];
    return i <= 0x1f ? s.sr[i] : 0xff;
  }

  protected override writeSr(i: number, value: number): void {
    const s = this.state;
    // SR02 and SR04 steer CPU writes only; the rest (clocking, fonts, extended modes, cursor) show.
    if (i !== 0x02 && i !== 0x04) this.dirty.invalidate();
    if (i <= 0x04) s.sr[i] = value & SR_MASK[i];
    else if (i === 0x06) s.sr[6] = (value & 0x17) === 0x12 ? 0x12 : 0x0f;
    else if ((i & 0x1f) === 0x10) {
      s.sr[0x10] = value;
      s.sr[0x30] = i >> 5;
    } else if ((i & 0x1f) === 0x11) {
      s.sr[0x11] = value;
      s.sr[0x31] = i >> 5;
    } else if (i === 0x17) s.sr[0x17] = (s.sr[0x17] & 0x38) | (value & 0xc7);
    else if (i <= 0x1f) s.sr[i] = value;
  }

  protected override readGr(i: number): number {
    const s = this.state;
    if (i === 0x00) return s.shadowGr0;
    if (i === 0x01) return s.shadowGr1;
    return i < 0x3a ? s.gr[i] : 0xff;
  }

  override writeGr(i: number, value: number): void {
    const s = this.state;
    // Of the graphics controller only GR05's 256-colour shift reaches the picture.
    if (i === 0x05 && (s.gr[i] ^ value) & 0x40) this.dirty.invalidate();
    if (i === 0x00 || i === 0x01) {
      s.gr[i] = value & GR_MASK[i];
      if (i === 0) s.shadowGr0 = value;
      else s.shadowGr1 = value;
    } else if (i <= 0x08) s.gr[i] = i === 0x05 ? value & 0x7f : value & GR_MASK[i];
    else if (i === 0x21 || i === 0x23 || i === 0x25 || i === 0x27) s.gr[i] = value & 0x1f;
    else if (i === 0x2a) {
      s.gr[i] = value & 0x3f;
      if (s.gr[0x31] & BLT_AUTOSTART) this.blt.start();
    } else if (i === 0x2e) s.gr[i] = value & 0x3f;
    else if (i === 0x31) this.blt.writeControl(value);
    else if (i < 0x3a) s.gr[i] = value;
  }

  protected override readCr(i: number): number {
    const s = this.state;
    if (i <= 0x18 || (i >= 0x19 && i <= 0x1d) || i === 0x22 || i === 0x25 || i === 0x27) return s.cr[i];
    if (i === 0x24) return s.arFlipFlop ? 0x80 : 0;
    if (i === 0x26) return s.arIndex & 0x3f;
    return 0xff;
  }

  protected override writeCr(i: number, value: number): void {
    const s = this.state;
    if (i <= 0x1d && s.cr[i] !== value) this.dirty.invalidate();
    if (i <= 0x18) this.writeCrtc(i, value);
    else if (i >= 0x19 && i <= 0x1d) s.cr[i] = value;
  }

  // --- memory ---------------------------------------------------------------

  /** The Cirrus bank window: the video-memory address of window offset `addr` (0-0xFFFF), or -1. */
  private bankAddress(addr: number): number {
    const gr = this.state.gr;
    const index = addr >> 15;
    let offset = addr & 0x7fff;
    const dual = (gr[0x0b] & 0x01) !== 0;
    let base = gr[dual ? 0x09 + index : 0x09];
    base = gr[0x0b] & 0x20 ? base << 14 : base << 12;
    if (!dual && index === 1) base += 0x8000;
    if (base >= VRAM_SIZE) return -1;
    offset += base;
    return this.scale(offset);
  }

  /** GR0B bits 1 and 4: the X8 and X16 addressing of mode-4/5 writes. */
  private scale(addr: number): number {
    const gr = this.state.gr;
    if ((gr[0x0b] & 0x14) === 0x14) addr <<= 4;
    else if (gr[0x0b] & 0x02) addr <<= 3;
    return addr & VRAM_MASK;
  }

  private mmioBltEnabled(viaLinear: boolean): boolean {
    return (this.state.sr[0x17] & 0x44) === (viaLinear ? 0x44 : 0x04);
  }

  /** 0xA0000-0xBFFFF. */
  readonly legacyWindow: MmioHandler = {
    read8: (addr) => {
      if (!this.extended) return this.memory.read(addr);
      if (addr < 0x10000) {
        const a = this.bankAddress(addr);
        return a < 0 ? 0xff : this.state.vram[a];
      }
      if (addr >= 0x18000 && addr < 0x18100 && this.mmioBltEnabled(false))
        return this.readBltRegister(addr & 0xff);
      return 0xff;
    },
    write8: (addr, value) => {
      this.generation++;
      if (!this.extended) {
        this.memory.write(addr, value);
        return;
      }
      if (addr < 0x10000) {
        if (this.blt.active) {
          this.blt.feed(value);
          return;
        }
        const a = this.bankAddress(addr);
        if (a >= 0) this.writeExtended(a, value);
      } else if (addr >= 0x18000 && addr < 0x18100 && this.mmioBltEnabled(false)) {
        this.writeBltRegister(addr & 0xff, value);
      }
    },
  };

  /** BAR0: the 4 MiB linear aperture (repeated to 16 MiB) and the BLT data aperture at 16 MiB. */
  readonly linearWindow: MmioHandler = {
    read8: (offset) => {
      if (offset >= 0x1000000) return 0xff;
      const addr = offset & VRAM_MASK;
      if (this.mmioBltEnabled(true) && (addr & (VRAM_SIZE - 256)) === VRAM_SIZE - 256)
        return this.readBltRegister(addr & 0xff);
      return this.state.vram[this.scale(addr)];
    },
    write8: (offset, value) => {
      this.generation++;
      if (offset >= 0x1000000 || this.blt.active) {
        this.blt.feed(value);
        return;
      }
      const addr = offset & VRAM_MASK;
      if (this.mmioBltEnabled(true) && (addr & (VRAM_SIZE - 256)) === VRAM_SIZE - 256)
        this.writeBltRegister(addr & 0xff, value);
      else this.writeExtended(this.scale(addr), value);
    },
    read32: (offset) => {
      if (offset < 0x1000000 && !this.mmioBltEnabled(true) && !(this.state.gr[0x0b] & 0x12)) {
        const a = offset & VRAM_MASK;
        const v = this.state.vram;
        return (
          (v[a] |
            (v[(a + 1) & VRAM_MASK] << 8) |
            (v[(a + 2) & VRAM_MASK] << 16) |
            (v[(a + 3) & VRAM_MASK] << 24)) >>>
          0
        );
      }
      const r = this.linearWindow.read8;
      return (r(offset) | (r(offset + 1) << 8) | (r(offset + 2) << 16) | (r(offset + 3) << 24)) >>> 0;
    },
    write32: (offset, value) => {
      const w = this.linearWindow.write8;
      w(offset, value & 0xff);
      w(offset + 1, (value >>> 8) & 0xff);
      w(offset + 2, (value >>> 16) & 0xff);
      w(offset + 3, value >>> 24);
    },
  };

  /** BAR1: the VGA registers from 0x3C0 at offset 0, the BLT registers at 0x100. */
  readonly mmioWindow: MmioHandler = {
    read8: (offset) =>
      offset >= 0x100 ? this.readBltRegister(offset - 0x100) : this.readPort(0x3c0 + offset),
    write8: (offset, value) => {
      if (offset >= 0x100) this.writeBltRegister(offset - 0x100, value);
      else this.writePort(0x3c0 + offset, value);
    },
  };

  /** A byte to video memory, honouring the Cirrus colour-expanding write modes 4 and 5. */
  private writeExtended(addr: number, value: number): void {
    const s = this.state;
    const mode = s.gr[0x05] & 7;
    // Text modes keep their fonts in plane 2, which these writes reach byte by byte.
    this.dirty.font = true;
    if (mode < 4 || mode > 5 || !(s.gr[0x0b] & 0x04)) {
      s.vram[addr] = value;
      this.dirty.mark(addr);
      return;
    }
    const wide = (s.gr[0x0b] & 0x14) === 0x14;
    this.dirty.markSpan(addr, wide ? 16 : 8);
    for (let x = 0; x < 8; x++, value <<= 1) {
      const at = (addr + x * (wide ? 2 : 1)) & VRAM_MASK;
      if (value & 0x80) {
        s.vram[at] = s.shadowGr1;
        if (wide) s.vram[(at + 1) & VRAM_MASK] = s.gr[0x11];
      } else if (mode === 5) {
        s.vram[at] = s.shadowGr0;
        if (wide) s.vram[(at + 1) & VRAM_MASK] = s.gr[0x10];
      }
    }
  }

  private readBltRegister(offset: number): number {
    const gr = MMIO_BLT[offset & 0xff];
    return gr < 0 ? 0xff : this.readGr(gr);
  }

  private writeBltRegister(offset: number, value: number): void {
    const gr = MMIO_BLT[offset & 0xff];
    if (gr >= 0) this.writeGr(gr, value);
  }
}
