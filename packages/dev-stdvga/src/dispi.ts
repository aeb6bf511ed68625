/**
 * The Bochs VBE "dispi" interface: an index register at port 0x1CE and a
 * data register at 0x1CF (QEMU's include/hw/display/bochs-vbe.h names).
 */
export const VBE_DISPI_IOPORT_INDEX = 0x1ce;
export const VBE_DISPI_INDEX_ID = 0x0;
export const VBE_DISPI_INDEX_XRES = 0x1;
export const VBE_DISPI_INDEX_YRES = 0x2;
export const VBE_DISPI_INDEX_BPP = 0x3;
export const VBE_DISPI_INDEX_ENABLE = 0x4;
export const VBE_DISPI_INDEX_BANK = 0x5;
export const VBE_DISPI_INDEX_VIRT_WIDTH = 0x6;
export const VBE_DISPI_INDEX_VIRT_HEIGHT = 0x7;
export const VBE_DISPI_INDEX_X_OFFSET = 0x8;
export const VBE_DISPI_INDEX_Y_OFFSET = 0x9;
/** Read-only: video memory in 64 KiB units. */
export const VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 0xa;
/** Registers 0-9 are stored; 0xA is computed. */
export const VBE_DISPI_INDEX_NB = 0xa;

/** The interface versions a guest may write to ID; the card reports the last. */
export const VBE_DISPI_ID0 = 0xb0c0;
export const VBE_DISPI_ID5 = 0xb0c5;

export const VBE_DISPI_MAX_XRES = 16000;
export const VBE_DISPI_MAX_YRES = 12000;
export const VBE_DISPI_MAX_BPP = 32;

/** ENABLE bits. */
export const VBE_DISPI_ENABLED = 0x01;
export const VBE_DISPI_GETCAPS = 0x02;
export const VBE_DISPI_8BIT_DAC = 0x20;
export const VBE_DISPI_LFB_ENABLED = 0x40;
export const VBE_DISPI_NOCLEARMEM = 0x80;

/** The dispi registers and what the card derives from them. */
export interface DispiState {
  /** Registers 0-9 by VBE_DISPI_INDEX_*. */
  vbe: Uint16Array;
  vbeIndex: number;
  /** The picture's first dword and the bytes from one line to the next, from `fixup`. */
  vbeStartAddress: number;
  vbeLineOffset: number;
  /** BANK << 16: the video memory the 64 KiB window at 0xA0000 shows in a VBE mode. */
  bankOffset: number;
}

export function createDispi(): DispiState {
  const vbe = new Uint16Array(VBE_DISPI_INDEX_NB);
  vbe[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
  return { vbe, vbeIndex: 0, vbeStartAddress: 0, vbeLineOffset: 0, bankOffset: 0 };
}

export function dispiEnabled(d: DispiState): boolean {
  return (d.vbe[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) !== 0;
}

/**
 * Makes the guest's mode fit the card, as QEMU's vbe_fixup_regs: a supported
 * depth (else 8), a width that is a multiple of 8 within the maximum, a
 * virtual width at least the width, no more lines than video memory holds,
 * and offsets that keep the whole picture inside video memory (else 0).
 * Every address the renderer reads then lies within video memory.
 */
export function fixup(d: DispiState, vramBytes: number): void {
  const r = d.vbe;
  if (!dispiEnabled(d)) return;
  let bits: number;
  switch (r[VBE_DISPI_INDEX_BPP]) {
    case 4:
    case 8:
    case 16:
    case 24:
    case 32:
      bits = r[VBE_DISPI_INDEX_BPP];
      break;
    case 15:
      bits = 16;
      break;
    default:
      bits = r[VBE_DISPI_INDEX_BPP] = 8;
  }
  r[VBE_DISPI_INDEX_XRES] &= ~7;
  if (r[VBE_DISPI_INDEX_XRES] === 0) r[VBE_DISPI_INDEX_XRES] = 8;
  if (r[VBE_DISPI_INDEX_XRES] > VBE_DISPI_MAX_XRES) r[VBE_DISPI_INDEX_XRES] = VBE_DISPI_MAX_XRES;
  r[VBE_DISPI_INDEX_VIRT_WIDTH] &= ~7;
  if (r[VBE_DISPI_INDEX_VIRT_WIDTH] > VBE_DISPI_MAX_XRES) r[VBE_DISPI_INDEX_VIRT_WIDTH] = VBE_DISPI_MAX_XRES;
  if (r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES])
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];

  const lineLength = (r[VBE_DISPI_INDEX_VIRT_WIDTH] * bits) >>> 3;
  const maxY = Math.floor(vramBytes / lineLength);
  if (r[VBE_DISPI_INDEX_YRES] === 0) r[VBE_DISPI_INDEX_YRES] = 1;
  if (r[VBE_DISPI_INDEX_YRES] > VBE_DISPI_MAX_YRES) r[VBE_DISPI_INDEX_YRES] = VBE_DISPI_MAX_YRES;
  if (r[VBE_DISPI_INDEX_YRES] > maxY) r[VBE_DISPI_INDEX_YRES] = maxY;

  if (r[VBE_DISPI_INDEX_X_OFFSET] > VBE_DISPI_MAX_XRES) r[VBE_DISPI_INDEX_X_OFFSET] = VBE_DISPI_MAX_XRES;
  if (r[VBE_DISPI_INDEX_Y_OFFSET] > VBE_DISPI_MAX_YRES) r[VBE_DISPI_INDEX_Y_OFFSET] = VBE_DISPI_MAX_YRES;
  const picture = r[VBE_DISPI_INDEX_YRES] * lineLength;
  let offset = ((r[VBE_DISPI_INDEX_X_OFFSET] * bits) >>> 3) + r[VBE_DISPI_INDEX_Y_OFFSET] * lineLength;
  if (offset + picture > vramBytes) {
    r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    offset = (r[VBE_DISPI_INDEX_X_OFFSET] * bits) >>> 3;
    if (offset + picture > vramBytes) {
      r[VBE_DISPI_INDEX_X_OFFSET] = 0;
      offset = 0;
    }
  }
  r[VBE_DISPI_INDEX_VIRT_HEIGHT] = Math.min(maxY, 0xffff);
  d.vbeLineOffset = lineLength;
  d.vbeStartAddress = offset >>> 2;
}
