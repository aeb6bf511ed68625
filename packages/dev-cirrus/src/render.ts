import { type CursorBox, six, VgaRenderer } from '@plugboard/vga';
import {
  CR1B,
  CR1B_OFFSET_8,
  CR1B_START_16,
  CR1B_START_17_18,
  CR1D,
  CR1D_START_19,
  CR13,
  SR7,
  SR7_DEPTH,
  SR7_DEPTH_8,
  SR7_DEPTH_24,
  SR7_DEPTH_32,
  SR7_EXTENDED,
  SR10,
  SR10_FINE,
  SR11,
  SR11_FINE,
  SR12,
  SR12_CURSOR_64,
  SR12_CURSOR_ENABLE,
  SR13,
} from './registers.js';
import { CURSOR_AREA, type VgaState } from './state.js';

/**
 * The VGA renderer with the Cirrus packed modes at 8, 15, 16, 24 and 32 bits
 * per pixel (SR7 and the hidden DAC), the extended start address and line
 * offset (CR1B, CR1D), and the hardware cursor on top. SR1's screen-off bit
 * is not honoured, as in QEMU: the Cirrus VGA BIOS leaves it set in every
 * extended mode it programs (its mode tables write SR1 = 0x21) and QEMU
 * shows those modes.
 */
export class Renderer extends VgaRenderer<VgaState> {
  /** SR7 and the hidden DAC: the bits per pixel of the Cirrus packed mode. */
  protected override packedBits(): number {
    const s = this.s;
    if (!(s.sr[SR7] & SR7_EXTENDED)) return 0;
    const mode = s.sr[SR7] & SR7_DEPTH;
    if (mode === SR7_DEPTH_8) return 8;
    if (mode === SR7_DEPTH_24) return 24;
    if (mode === SR7_DEPTH_32) return 32;
    return (s.hiddenDac & 0x0f) === 1 ? 16 : 15;
  }

  protected override startAddress(): number {
    const cr = this.s.cr;
    return (
      (super.startAddress() |
        ((cr[CR1B] & CR1B_START_16) << 16) |
        ((cr[CR1B] & CR1B_START_17_18) << 15) |
        ((cr[CR1D] & CR1D_START_19) << 12)) >>>
      0
    );
  }

  protected override lineOffset(): number {
    const cr = this.s.cr;
    return (cr[CR13] | ((cr[CR1B] & CR1B_OFFSET_8) << 4)) << 3;
  }

  /** The hardware cursor's place, size and pattern bytes (SR10-SR13), when SR12 shows it. */
  protected override cursor(): CursorBox | null {
    const s = this.s;
    if (!(s.sr[SR7] & SR7_EXTENDED && s.sr[SR12] & SR12_CURSOR_ENABLE)) return null;
    const large = (s.sr[SR12] & SR12_CURSOR_64) !== 0;
    return {
      x: (s.sr[SR10] << 3) | (s.sr[SR10_FINE] & 7),
      y: (s.sr[SR11] << 3) | (s.sr[SR11_FINE] & 7),
      size: large ? 64 : 32,
      base: CURSOR_AREA + (large ? s.sr[SR13] & 0x3c : s.sr[SR13] & 0x3f) * 256,
      bytes: large ? 1024 : 256,
    };
  }

  /** The hardware cursor: two planes; colours from the hidden DAC entries 0 and 15. */
  protected override drawCursor(c: CursorBox, width: number, height: number): void {
    const s = this.s;
    const mask = this.vramMask;
    const rgba = this.rgba;
    const large = c.size === 64;
    const h = s.hiddenPalette;
    const c0 = six(h[0]) | (six(h[1]) << 8) | (six(h[2]) << 16);
    const c1 = six(h[45]) | (six(h[46]) << 8) | (six(h[47]) << 16);
    for (let y = 0; y < c.size && c.y + y < height; y++) {
      const line = c.base + y * (large ? 16 : 4);
      const plane1 = large ? 8 : 128;
      for (let x = 0; x < c.size && c.x + x < width; x++) {
        const b0 = (s.vram[(line + (x >> 3)) & mask] >> (7 - (x & 7))) & 1;
        const b1 = (s.vram[(line + plane1 + (x >> 3)) & mask] >> (7 - (x & 7))) & 1;
        const i = ((c.y + y) * width + c.x + x) * 4;
        if (b0 && !b1) {
          rgba[i] ^= 0xff;
          rgba[i + 1] ^= 0xff;
          rgba[i + 2] ^= 0xff;
        } else if (b1) {
          const color = b0 ? c1 : c0;
          rgba[i] = color & 0xff;
          rgba[i + 1] = (color >> 8) & 0xff;
          rgba[i + 2] = (color >> 16) & 0xff;
        }
      }
    }
  }
}
