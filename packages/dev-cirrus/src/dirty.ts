import { VRAM_MASK, VRAM_SIZE } from './state.js';

export const DIRTY_PAGE_SHIFT = 12;
const PAGES = VRAM_SIZE >>> DIRTY_PAGE_SHIFT;
const PAGE_INDEX_MASK = PAGES - 1;

/**
 * What changed in video memory since the renderer last drew: one byte per
 * 4 KiB page, set by every path that writes video memory; `all` when a
 * register change (mode, palette, start address, cursor) makes the whole
 * frame stale; `font` when plane 2, where text modes keep their fonts, may
 * have been written.
 */
export class DirtyPages {
  readonly pages = new Uint8Array(PAGES);
  all = true;
  font = true;

  /** The byte at video-memory address `addr` was written. */
  mark(addr: number): void {
    this.pages[(addr & VRAM_MASK) >>> DIRTY_PAGE_SHIFT] = 1;
  }

  /** `length` bytes from `start` were written, wrapping at the end of video memory. */
  markSpan(start: number, length: number): void {
    if (length <= 0) return;
    const first = (start & VRAM_MASK) >>> DIRTY_PAGE_SHIFT;
    const count = Math.min(PAGES, (((start & VRAM_MASK) + length - 1) >>> DIRTY_PAGE_SHIFT) - first + 1);
    for (let i = 0; i < count; i++) this.pages[(first + i) & PAGE_INDEX_MASK] = 1;
  }

  /** Whether any of the `length` bytes from `start` (wrapping) lies in a written page. */
  touched(start: number, length: number): boolean {
    if (length <= 0) return false;
    const first = (start & VRAM_MASK) >>> DIRTY_PAGE_SHIFT;
    const count = Math.min(PAGES, (((start & VRAM_MASK) + length - 1) >>> DIRTY_PAGE_SHIFT) - first + 1);
    for (let i = 0; i < count; i++) if (this.pages[(first + i) & PAGE_INDEX_MASK]) return true;
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
