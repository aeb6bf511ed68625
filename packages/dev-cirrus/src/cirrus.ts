import { type Clock, type MmioHandler, objectState } from '@plugboard/core';
import { VgaCard } from '@plugboard/vga';
import { BitBlt, BLT_AUTOSTART } from './bitblt.js';
import {
  CIRRUS_REGISTERS,
  CR24,
  CR26,
  GR0,
  GR1,
  GR2A,
  GR5,
  GR9,
  GR10,
  GR11,
  GR31,
  GRB,
  GRB_16K,
  GRB_DUAL_BANK,
  GRB_EXTENDED_WRITE,
  GRB_X8,
  GRB_X16,
  MMIO_BLT,
  SR6,
  SR6_KEY,
  SR6_KEY_MASK,
  SR6_LOCKED,
  SR7,
  SR7_EXTENDED,
  SR10,
  SR10_FINE,
  SR11,
  SR11_FINE,
  SR12,
  SR12_CURSOR_PALETTE,
  SR17,
  SR17_MMIO,
  SR17_MMIO_LINEAR,
} from './registers.js';
import { createState, resetState, type VgaState, VRAM_MASK, VRAM_SIZE } from './state.js';

/** GRB: X16 addressing takes the extended write modes too. */
const X16_WRITES = GRB_X16 | GRB_EXTENDED_WRITE;

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
    super(createState(), CIRRUS_REGISTERS);
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
    return (this.state.sr[SR7] & SR7_EXTENDED) !== 0;
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
    if (!(s.sr[SR12] & SR12_CURSOR_PALETTE)) return super.readDacByte();
    return s.hiddenPalette[(s.dacReadIndex & 0x0f) * 3 + s.dacSubIndex];
  }

  protected override storeDacEntry(): void {
    const s = this.state;
    if (s.sr[SR12] & SR12_CURSOR_PALETTE) s.hiddenPalette.set(s.dacCache, (s.dacWriteIndex & 0x0f) * 3);
    else super.storeDacEntry();
  }

  protected override readSr(i: number): number {
    // The cursor position registers decode their index's top three bits as the position's low bits.
    const low = i & 0x1f;
    if (low === SR10 || low === SR11) return this.state.sr[low];
    return super.readSr(i);
  }

  protected override writeSr(i: number, value: number): void {
    const s = this.state;
    const low = i & 0x1f;
    // SR6 reads back whether the key unlocked the extensions, not what was written; the rest go by the table.
    if (i === SR6) s.sr[SR6] = (value & SR6_KEY_MASK) === SR6_KEY ? SR6_KEY : SR6_LOCKED;
    else if (low === SR10 || low === SR11) {
      s.sr[low] = value;
      s.sr[low === SR10 ? SR10_FINE : SR11_FINE] = i >> 5;
    } else {
      super.writeSr(i, value);
      return;
    }
    this.dirty.invalidate();
  }

  protected override readGr(i: number): number {
    const s = this.state;
    if (i === GR0) return s.shadowGr0;
    if (i === GR1) return s.shadowGr1;
    return super.readGr(i);
  }

  override writeGr(i: number, value: number): void {
    const s = this.state;
    if (i === GR31) {
      this.blt.writeControl(value);
      return;
    }
    super.writeGr(i, value);
    // GR0 and GR1 keep 4 bits for the VGA and the whole byte as the BLT colours' byte 0.
    if (i === GR0) s.shadowGr0 = value;
    else if (i === GR1) s.shadowGr1 = value;
    else if (i === GR2A && s.gr[GR31] & BLT_AUTOSTART) this.blt.start();
  }

  protected override readCr(i: number): number {
    const s = this.state;
    if (i === CR24) return s.arFlipFlop ? 0x80 : 0;
    if (i === CR26) return s.arIndex & 0x3f;
    return super.readCr(i);
  }

  // --- memory ---------------------------------------------------------------

  /** The Cirrus bank window: the video-memory address of window offset `addr` (0-0xFFFF), or -1. */
  private bankAddress(addr: number): number {
    const gr = this.state.gr;
    const index = addr >> 15;
    let offset = addr & 0x7fff;
    const dual = (gr[GRB] & GRB_DUAL_BANK) !== 0;
    let base = gr[dual ? GR9 + index : GR9];
    base = gr[GRB] & GRB_16K ? base << 14 : base << 12;
    if (!dual && index === 1) base += 0x8000;
    if (base >= VRAM_SIZE) return -1;
    offset += base;
    return this.scale(offset);
  }

  /** GRB bits 1 and 4: the X8 and X16 addressing of mode-4/5 writes. */
  private scale(addr: number): number {
    const gr = this.state.gr;
    if ((gr[GRB] & X16_WRITES) === X16_WRITES) addr <<= 4;
    else if (gr[GRB] & GRB_X8) addr <<= 3;
    return addr & VRAM_MASK;
  }

  private mmioBltEnabled(viaLinear: boolean): boolean {
    const where = SR17_MMIO | SR17_MMIO_LINEAR;
    return (this.state.sr[SR17] & where) === (viaLinear ? where : SR17_MMIO);
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
      if (offset < 0x1000000 && !this.mmioBltEnabled(true) && !(this.state.gr[GRB] & (GRB_X8 | GRB_X16))) {
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
    const mode = s.gr[GR5] & 7;
    // Text modes keep their fonts in plane 2, which these writes reach byte by byte.
    this.dirty.font = true;
    if (mode < 4 || mode > 5 || !(s.gr[GRB] & GRB_EXTENDED_WRITE)) {
      s.vram[addr] = value;
      this.dirty.mark(addr);
      return;
    }
    const wide = (s.gr[GRB] & X16_WRITES) === X16_WRITES;
    this.dirty.markSpan(addr, wide ? 16 : 8);
    for (let x = 0; x < 8; x++, value <<= 1) {
      const at = (addr + x * (wide ? 2 : 1)) & VRAM_MASK;
      if (value & 0x80) {
        s.vram[at] = s.shadowGr1;
        if (wide) s.vram[(at + 1) & VRAM_MASK] = s.gr[GR11];
      } else if (mode === 5) {
        s.vram[at] = s.shadowGr0;
        if (wide) s.vram[(at + 1) & VRAM_MASK] = s.gr[GR10];
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
