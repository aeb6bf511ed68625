export const DIRTY_PAGE_SHIFT = 12;

/**
 * What changed in video memory since the renderer last drew: one byte per
 * 4 KiB page, set by every path that writes video memory; `all` when a
 * register change (mode, palette, start address, cursor) makes the whole
 * frame stale; `font` when plane 2, where text modes keep their fonts, may
 * have been written. Video memory is a power of two of at least 4 KiB;
 * addresses wrap at its end.
 */
export class DirtyPages {
  readonly pages: Uint8Array;
  all = true;
  font = true;
  private readonly vramMask: number;
  private readonly pageMask: number;

  constructor(vramBytes: number) {
    if (vramBytes < 1 << DIRTY_PAGE_SHIFT || (vramBytes & (vramBytes - 1)) !== 0)
      throw new RangeError(`video memory of ${vramBytes} bytes is not a power of two of at least 4 KiB`);
    this.pages = new Uint8Array(vramBytes >>> DIRTY_PAGE_SHIFT);
    this.vramMask = vramBytes - 1;
    this.pageMask = this.pages.length - 1;
  }

  /** The byte at video-memory address `addr` was written. */
  mark(addr: number): void {
    this.pages[(addr & this.vramMask) >>> DIRTY_PAGE_SHIFT] = 1;
  }

  /** `length` bytes from `start` were written, wrapping at the end of video memory. */
  markSpan(start: number, length: number): void {
    if (length <= 0) return;
    const first = (start & this.vramMask) >>> DIRTY_PAGE_SHIFT;
    const count = Math.min(
      this.pages.length,
      (((start & this.vramMask) + length - 1) >>> DIRTY_PAGE_SHIFT) - first + 1,
    );
    for (let i = 0; i < count; i++) this.pages[(first + i) & this.pageMask] = 1;
  }

  /** Whether any of the `length` bytes from `start` (wrapping) lies in a written page. */
  touched(start: number, length: number): boolean {
    if (length <= 0) return false;
    const first = (start & this.vramMask) >>> DIRTY_PAGE_SHIFT;
    const count = Math.min(
      this.pages.length,
      (((start & this.vramMask) + length - 1) >>> DIRTY_PAGE_SHIFT) - first + 1,
    );
    for (let i = 0; i < count; i++) if (this.pages[(first + i) & this.pageMask]) return true;
    return false;
  }

  /** The whole frame is stale. */
  invalidate(): void {
    this.all = true;
  }

  clear(): void {
    this.pages.fill(0);
    this.all = false;
    this.font = false;
  }
}
