import { Mode, VgaRenderer } from '@plugboard/vga';
import {
  dispiEnabled,
  VBE_DISPI_8BIT_DAC,
  VBE_DISPI_INDEX_BPP,
  VBE_DISPI_INDEX_ENABLE,
  VBE_DISPI_INDEX_XRES,
  VBE_DISPI_INDEX_YRES,
} from './dispi.js';
import type { StdVgaState } from './state.js';

/**
 * The VGA renderer, and in a VBE mode the dispi registers' picture: XRES x
 * YRES at BPP (4 planar; 8 through the DAC; 15, 16, 24, 32 direct), from the
 * start address and line length `fixup` derived (virtual width, X and Y
 * offsets), whatever the VGA registers say meanwhile: as in QEMU since
 * CVE-2016-3712, a guest cannot steer a VBE mode into the VGA's paths.
 */
export class StdVgaRenderer extends VgaRenderer<StdVgaState> {
  protected override mode(width: number, height: number): Mode {
    if (!dispiEnabled(this.s)) return super.mode(width, height);
    return this.s.vbe[VBE_DISPI_INDEX_BPP] === 4 ? Mode.Planar : Mode.Packed;
  }

  protected override packedBits(): number {
    const s = this.s;
    return dispiEnabled(s) && s.vbe[VBE_DISPI_INDEX_BPP] !== 4 ? s.vbe[VBE_DISPI_INDEX_BPP] : 0;
  }

  protected override dac8(): boolean {
    return (this.s.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC) !== 0;
  }

  protected override geometry(): { width: number; height: number } {
    const s = this.s;
    if (!dispiEnabled(s)) return super.geometry();
    return { width: s.vbe[VBE_DISPI_INDEX_XRES], height: s.vbe[VBE_DISPI_INDEX_YRES] };
  }

  protected override startAddress(): number {
    return dispiEnabled(this.s) ? this.s.vbeStartAddress : super.startAddress();
  }

  protected override lineOffset(): number {
    return dispiEnabled(this.s) ? this.s.vbeLineOffset : super.lineOffset();
  }
}
