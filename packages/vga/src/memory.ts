import type { DirtyPages } from './dirty.js';
import {
  GR0,
  GR1,
  GR2,
  GR3,
  GR4,
  GR5,
  GR5_ODD_EVEN,
  GR5_READ_COMPARE,
  GR5_WRITE_MODE,
  GR6,
  GR7,
  GR8,
  SR2,
  SR4,
  SR4_CHAIN4,
} from './registers.js';
import type { VgaRegisters } from './state.js';

/** For each 4-bit plane set, a dword with 0xFF in the bytes of those planes. */
const PLANES = (() => {
  const t = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    t[i] =
      ((i & 1 ? 0xff : 0) | (i & 2 ? 0xff00 : 0) | (i & 4 ? 0xff0000 : 0) | (i & 8 ? 0xff000000 : 0)) >>> 0;
  }
  return t;
})();

/**
 * Standard VGA access to the legacy window, the way the sequencer and
 * graphics controller route a CPU byte to the four planes. Video memory holds
 * the planes interleaved: plane p of dword n is byte 4n+p, so chain-4 (mode
 * 13h) addresses bytes directly and planar modes address dwords.
 */
export class VgaMemory {
  private readonly vram32: Uint32Array;

  constructor(
    private readonly s: VgaRegisters,
    private readonly dirty: DirtyPages,
  ) {
    this.vram32 = new Uint32Array(s.vram.buffer, s.vram.byteOffset, s.vram.byteLength >> 2);
  }

  /** The CPU offset within the window GR6 selects, or -1 where the window does not decode. */
  windowOffset(addr: number): number {
    switch ((this.s.gr[GR6] >> 2) & 3) {
      case 0:
        return addr;
      case 1:
        return addr < 0x10000 ? addr : -1;
      case 2:
        return addr >= 0x10000 && addr < 0x18000 ? addr - 0x10000 : -1;
      default:
        return addr >= 0x18000 ? addr - 0x18000 : -1;
    }
  }

  read(addr: number): number {
    const s = this.s;
    const offset = this.windowOffset(addr);
    if (offset < 0) return 0xff;
    if (s.sr[SR4] & SR4_CHAIN4) return s.vram[offset];
    if (s.gr[GR5] & GR5_ODD_EVEN) {
      // Odd/even: the low address bit picks the plane pair.
      const plane = (s.gr[GR4] & 2) | (offset & 1);
      return s.vram[((offset & ~1) << 1) | plane];
    }
    const word = this.vram32[offset];
    const latch = s.latch;
    latch[0] = word & 0xff;
    latch[1] = (word >>> 8) & 0xff;
    latch[2] = (word >>> 16) & 0xff;
    latch[3] = word >>> 24;
    if (!(s.gr[GR5] & GR5_READ_COMPARE)) return latch[s.gr[GR4] & 3];
    // Read mode 1: colour compare against GR2 over the planes GR7 cares about.
    const compare = PLANES[s.gr[GR2] & 0x0f];
    const care = PLANES[s.gr[GR7] & 0x0f];
    let diff = (word ^ compare) & care;
    diff |= diff >>> 16;
    diff |= diff >>> 8;
    return ~diff & 0xff;
  }

  write(addr: number, value: number): void {
    const s = this.s;
    const offset = this.windowOffset(addr);
    if (offset < 0) return;
    const planeMask = s.sr[SR2] & 0x0f;
    const dirty = this.dirty;
    if (s.sr[SR4] & SR4_CHAIN4) {
      if (planeMask & (1 << (offset & 3))) {
        s.vram[offset] = value;
        dirty.mark(offset);
        if ((offset & 3) === 2) dirty.font = true;
      }
      return;
    }
    if (s.gr[GR5] & GR5_ODD_EVEN) {
      const plane = (s.gr[GR4] & 2) | (offset & 1);
      if (planeMask & (1 << plane)) {
        const a = ((offset & ~1) << 1) | plane;
        s.vram[a] = value;
        dirty.mark(a);
        if (plane === 2) dirty.font = true;
      }
      return;
    }
    dirty.mark(offset << 2);
    if (planeMask & 4) dirty.font = true;
    const latch = (s.latch[0] | (s.latch[1] << 8) | (s.latch[2] << 16) | (s.latch[3] << 24)) >>> 0;
    let v: number;
    let bitMask = s.gr[GR8];
    switch (s.gr[GR5] & GR5_WRITE_MODE) {
      case 0: {
        const b = s.gr[GR3] & 7;
        value = ((value >> b) | (value << (8 - b))) & 0xff;
        v = value * 0x01010101;
        const setReset = PLANES[s.gr[GR1] & 0x0f];
        v = ((v & ~setReset) | (PLANES[s.gr[GR0] & 0x0f] & setReset)) >>> 0;
        break;
      }
      case 1:
        this.vram32[offset] =
          ((this.vram32[offset] & ~PLANES[planeMask]) | (latch & PLANES[planeMask])) >>> 0;
        return;
      case 2:
        v = PLANES[value & 0x0f];
        break;
      default: {
        const b = s.gr[GR3] & 7;
        value = ((value >> b) | (value << (8 - b))) & 0xff;
        bitMask &= value;
        v = PLANES[s.gr[GR0] & 0x0f];
        break;
      }
    }
    switch ((s.gr[GR3] >> 3) & 3) {
      case 1:
        v &= latch;
        break;
      case 2:
        v |= latch;
        break;
      case 3:
        v ^= latch;
        break;
      default:
        break;
    }
    const m = bitMask * 0x01010101;
    v = ((v & m) | (latch & ~m)) >>> 0;
    const w = PLANES[planeMask];
    this.vram32[offset] = ((this.vram32[offset] & ~w) | (v & w)) >>> 0;
  }
}
