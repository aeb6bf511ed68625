import { type MmioHandler, objectState, type PortHandler } from '@plugboard/core';
import { VgaCard } from '@plugboard/vga';
import {
  dispiEnabled,
  fixup,
  VBE_DISPI_8BIT_DAC,
  VBE_DISPI_ENABLED,
  VBE_DISPI_GETCAPS,
  VBE_DISPI_ID0,
  VBE_DISPI_ID5,
  VBE_DISPI_INDEX_BANK,
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_ID,
  VBE_DISPI_INDEX_NB,
  VBE_DISPI_INDEX_VIDEO_MEMORY_64K,
  VBE_DISPI_INDEX_VIRT_WIDTH,
  VBE_DISPI_INDEX_X_OFFSET,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_Y_OFFSET,
  VBE_DISPI_INDEX_YRES,
  VBE_DISPI_MAX_BPP,
  VBE_DISPI_MAX_XRES,
  VBE_DISPI_MAX_YRES,
  VBE_DISPI_NOCLEARMEM,
} from './dispi.js';
import { createState, resetState, type StdVgaState } from './state.js';

/** BAR2's regions (QEMU's docs/specs/standard-vga.rst). */
const MMIO_VGA_PORTS = 0x400;
const MMIO_VGA_PORTS_END = 0x420;
const MMIO_DISPI = 0x500;
const MMIO_DISPI_END = MMIO_DISPI + VBE_DISPI_INDEX_VIDEO_MEMORY_64K * 2 + 2;
const MMIO_QEXT = 0x600;
/** The QEMU extended registers: their size, and the framebuffer byte order (little endian only here). */
const QEXT_SIZE = 8;
const QEXT_LITTLE_ENDIAN = 0x1e1e1e1e;
export const MMIO_BAR_SIZE = 4096;

/** Video memory QEMU gives `-vga std` (its vgamem_mb default). */
export const DEFAULT_VRAM_MB = 16;

/**
 * QEMU's standard VGA: the VGA core at 0x3B0-0x3DF and 0xA0000, the Bochs
 * VBE dispi registers at 0x1CE/0x1CF, video memory as a linear framebuffer
 * (BAR0), and the same registers memory-mapped in BAR2.
 */
export class StdVga extends VgaCard<StdVgaState> {
  private readonly bankMask: number;

  constructor(vramBytes = DEFAULT_VRAM_MB << 20) {
    super(createState(vramBytes));
    this.bankMask = (vramBytes >>> 16) - 1;
    this.reset();
  }

  /**
   * Everything that is state is in `state`; after a load the mode is fixed up
   * again (a snapshot file is not trusted to hold a mode that fits video
   * memory) and the picture is redrawn whole.
   */
  readonly vmstate = objectState(
    { card: this.state },
    {
      version: 1,
      afterLoad: () => {
        const s = this.state;
        s.vbe[VBE_DISPI_INDEX_BANK] &= this.bankMask;
        s.bankOffset = s.vbe[VBE_DISPI_INDEX_BANK] << 16;
        fixup(s, s.vram.length);
        this.dirty.invalidate();
        this.generation++;
      },
    },
  );

  reset(): void {
    resetState(this.state);
    this.dirty.invalidate();
    this.generation++;
  }

  get vbeEnabled(): boolean {
    return dispiEnabled(this.state);
  }

  /** VBE_DISPI_8BIT_DAC: DAC data keeps 8 bits. */
  protected override dacMask(): number {
    return this.state.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC ? 0xff : 0x3f;
  }

  // --- dispi ---------------------------------------------------------------

  readDispi(): number {
    const s = this.state;
    const i = s.vbeIndex;
    if (i < VBE_DISPI_INDEX_NB) {
      if (s.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        if (i === VBE_DISPI_INDEX_XRES) return VBE_DISPI_MAX_XRES;
        if (i === VBE_DISPI_INDEX_YRES) return VBE_DISPI_MAX_YRES;
        if (i === VBE_DISPI_INDEX_BPP) return VBE_DISPI_MAX_BPP;
      }
      return s.vbe[i];
    }
    if (i === VBE_DISPI_INDEX_VIDEO_MEMORY_64K) return s.vram.length >>> 16;
    return 0;
  }

  writeDispi(value: number): void {
    const s = this.state;
    const r = s.vbe;
    const i = s.vbeIndex;
    value &= 0xffff;
    this.generation++;
    this.dirty.invalidate();
    switch (i) {
      case VBE_DISPI_INDEX_ID:
        if (value >= VBE_DISPI_ID0 && value <= VBE_DISPI_ID5) r[i] = value;
        break;
      case VBE_DISPI_INDEX_XRES:
      case VBE_DISPI_INDEX_YRES:
      case VBE_DISPI_INDEX_BPP:
      case VBE_DISPI_INDEX_VIRT_WIDTH:
      case VBE_DISPI_INDEX_X_OFFSET:
      case VBE_DISPI_INDEX_Y_OFFSET:
        r[i] = value;
        fixup(s, s.vram.length);
        break;
      case VBE_DISPI_INDEX_BANK:
        r[i] = value & this.bankMask;
        s.bankOffset = r[i] << 16;
        break;
      case VBE_DISPI_INDEX_ENABLE:
        if (value & VBE_DISPI_ENABLED && !(r[i] & VBE_DISPI_ENABLED)) {
          // Enabling starts from the visible size: no virtual width, no panning.
          r[VBE_DISPI_INDEX_VIRT_WIDTH] = 0;
          r[VBE_DISPI_INDEX_X_OFFSET] = 0;
          r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
          r[i] |= VBE_DISPI_ENABLED;
          fixup(s, s.vram.length);
          if (!(value & VBE_DISPI_NOCLEARMEM)) {
            const bytes = r[VBE_DISPI_INDEX_YRES] * s.vbeLineOffset;
            s.vram.fill(0, 0, bytes);
            this.dirty.markSpan(0, bytes);
          }
        } else {
          s.bankOffset = 0;
        }
        r[i] = value;
        break;
      default:
        break;
    }
  }

  /**
   * Ports 0x1CE (index) and 0x1CF (data), 16 bits wide; a byte access reaches
   * the low byte. The block takes 0x1D0 as well, with nothing behind it, so
   * that the port bus hands a 16-bit access to 0x1CF to this handler whole
   * rather than in bytes.
   */
  readonly dispiPorts: PortHandler = {
    read8: (offset) => (offset === 0 ? this.state.vbeIndex : offset === 1 ? this.readDispi() : 0xff) & 0xff,
    write8: (offset, value) => {
      if (offset === 0) this.state.vbeIndex = value & 0xff;
      else if (offset === 1) this.writeDispi(value);
    },
    read16: (offset) => (offset === 0 ? this.state.vbeIndex : offset === 1 ? this.readDispi() : 0xffff),
    write16: (offset, value) => {
      if (offset === 0) this.state.vbeIndex = value & 0xffff;
      else if (offset === 1) this.writeDispi(value);
    },
  };

  // --- memory --------------------------------------------------------------

  /** 0xA0000-0xBFFFF: the VGA's window, or in a VBE mode 64 KiB of video memory from the bank. */
  readonly legacyWindow: MmioHandler = {
    read8: (addr) => {
      if (!this.vbeEnabled) return this.memory.read(addr);
      return addr < 0x10000 ? this.state.vram[this.state.bankOffset + addr] : 0xff;
    },
    write8: (addr, value) => {
      this.generation++;
      if (!this.vbeEnabled) {
        this.memory.write(addr, value);
        return;
      }
      if (addr >= 0x10000) return;
      const a = this.state.bankOffset + addr;
      this.state.vram[a] = value;
      this.dirty.mark(a);
    },
  };

  /** BAR0: video memory. */
  readonly framebuffer: MmioHandler = {
    read8: (offset) => this.state.vram[offset & (this.state.vram.length - 1)],
    write8: (offset, value) => {
      const a = offset & (this.state.vram.length - 1);
      this.generation++;
      this.state.vram[a] = value;
      this.dirty.mark(a);
      // Text modes keep their fonts in plane 2, which the framebuffer reaches byte by byte.
      this.dirty.font = true;
    },
    read32: (offset) => {
      const v = this.state.vram;
      const m = v.length - 1;
      const a = offset & m;
      return (v[a] | (v[(a + 1) & m] << 8) | (v[(a + 2) & m] << 16) | (v[(a + 3) & m] << 24)) >>> 0;
    },
    write32: (offset, value) => {
      const v = this.state.vram;
      const m = v.length - 1;
      const a = offset & m;
      this.generation++;
      v[a] = value;
      v[(a + 1) & m] = value >>> 8;
      v[(a + 2) & m] = value >>> 16;
      v[(a + 3) & m] = value >>> 24;
      this.dirty.markSpan(a, 4);
      this.dirty.font = true;
    },
  };

  /** BAR2: VGA ports 0x3C0-0x3DF at 0x400, the dispi registers at 0x500 (16 bits each), QEMU's extended registers at 0x600. */
  readonly mmio: MmioHandler = {
    read8: (offset) => {
      if (offset >= MMIO_VGA_PORTS && offset < MMIO_VGA_PORTS_END)
        return this.readPort(0x3c0 + offset - MMIO_VGA_PORTS);
      const v = this.mmio.read16?.(offset & ~1) ?? 0xffff;
      return offset & 1 ? v >>> 8 : v & 0xff;
    },
    write8: (offset, value) => {
      if (offset >= MMIO_VGA_PORTS && offset < MMIO_VGA_PORTS_END)
        this.writePort(0x3c0 + offset - MMIO_VGA_PORTS, value);
      else if (offset >= MMIO_DISPI && offset < MMIO_DISPI_END)
        this.writeDispiAt(offset & ~1, offset & 1 ? value << 8 : value);
    },
    read16: (offset) => {
      if (offset >= MMIO_VGA_PORTS && offset < MMIO_VGA_PORTS_END - 1)
        return this.mmio.read8(offset) | (this.mmio.read8(offset + 1) << 8);
      if (offset >= MMIO_DISPI && offset < MMIO_DISPI_END && !(offset & 1)) {
        this.state.vbeIndex = (offset - MMIO_DISPI) >>> 1;
        return this.readDispi();
      }
      const q = this.qext(offset & ~3);
      return offset & 2 ? q >>> 16 : q & 0xffff;
    },
    write16: (offset, value) => {
      if (offset >= MMIO_VGA_PORTS && offset < MMIO_VGA_PORTS_END - 1) {
        this.mmio.write8(offset, value & 0xff);
        this.mmio.write8(offset + 1, value >>> 8);
      } else if (offset >= MMIO_DISPI && offset < MMIO_DISPI_END && !(offset & 1)) {
        this.writeDispiAt(offset, value);
      }
    },
    read32: (offset) => {
      if (offset >= MMIO_QEXT) return this.qext(offset);
      const r = this.mmio.read16 as (o: number) => number;
      return (r(offset) | (r(offset + 2) << 16)) >>> 0;
    },
    write32: (offset, value) => {
      if (offset >= MMIO_QEXT) return;
      const w = this.mmio.write16 as (o: number, v: number) => void;
      w(offset, value & 0xffff);
      w(offset + 2, value >>> 16);
    },
  };

  private writeDispiAt(offset: number, value: number): void {
    this.state.vbeIndex = (offset - MMIO_DISPI) >>> 1;
    this.writeDispi(value);
  }

  /** QEMU's extended registers: the region's size, then the byte order (writes ignored: little endian only). */
  private qext(offset: number): number {
    if (offset === MMIO_QEXT) return QEXT_SIZE;
    if (offset === MMIO_QEXT + 4) return QEXT_LITTLE_ENDIAN;
    return 0xffffffff;
  }
}
