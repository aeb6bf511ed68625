/** Whether a byte is 0x00 or 0xFF: the top byte of a near CALL/JMP displacement within ±16 MiB. */
const nearTop = (b: number) => ((b + 1) & 0xfe) === 0;

/** For the mask of the last E8/E9 bytes seen: whether a conversion may happen at all. */
const ALLOWED = [true, true, true, false, true, false, false, false];
/** For that mask: which displacement byte must be checked again after a conversion. */
const BYTE_TO_CHECK = [0, 1, 2, 2, 3, 3, 3, 3];

/**
 * Undoes XZ's x86 BCJ filter in place (start offset 0): the compressor made
 * the 32-bit displacements of CALL (E8) and JMP (E9) absolute, so code
 * compresses better; this turns them back into relative ones. The mask of
 * recent E8/E9 bytes decides, as the encoder did, which candidates were
 * converted (the .xz file format, filter ID 0x04). The last four bytes are
 * never candidates.
 */
export function decodeX86Bcj(buf: Uint8Array): void {
  let mask = 0;
  let last = -5;
  const limit = buf.length - 5;
  let i = 0;
  while (i <= limit) {
    const op = buf[i];
    if (op !== 0xe8 && op !== 0xe9) {
      i++;
      continue;
    }
    const gap = i - last;
    last = i;
    if (gap > 5) mask = 0;
    else for (let k = 0; k < gap; k++) mask = (mask & 0x77) << 1;
    let top = buf[i + 4];
    if (!nearTop(top) || !ALLOWED[(mask >>> 1) & 7] || mask >>> 1 >= 0x10) {
      i++;
      mask |= 1;
      if (nearTop(top)) mask |= 0x10;
      continue;
    }
    let src = ((top << 24) | (buf[i + 3] << 16) | (buf[i + 2] << 8) | buf[i + 1]) >>> 0;
    let dest: number;
    for (;;) {
      dest = (src - (i + 5)) >>> 0;
      if (mask === 0) break;
      const shift = 24 - BYTE_TO_CHECK[mask >>> 1] * 8;
      top = (dest >>> shift) & 0xff;
      if (!nearTop(top)) break;
      src = (dest ^ (2 ** (shift + 8) - 1)) >>> 0;
    }
    buf[i + 4] = (dest >>> 24) & 1 ? 0xff : 0;
    buf[i + 3] = (dest >>> 16) & 0xff;
    buf[i + 2] = (dest >>> 8) & 0xff;
    buf[i + 1] = dest & 0xff;
    i += 5;
    mask = 0;
  }
}
