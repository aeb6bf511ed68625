import type { Rect } from '@plugboard/core';

export type { Rect };

/**
 * What one client has not been sent yet: per line of its screen, the span of
 * columns [from, to) that changed since its last update. The graphics card's
 * frames say what they changed (`Frame.damage`); the frame source adds that
 * here for every client, and an update takes what lies in the area asked for.
 */
export class Damage {
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private lines = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.from = new Int32Array(height).fill(width);
    this.to = new Int32Array(height);
  }

  /** True when nothing is waiting to be sent. */
  get empty(): boolean {
    return this.lines === 0;
  }

  /** `r` (clipped to the screen) changed. */
  add(r: Rect): void {
    const x0 = Math.max(0, r.x);
    const x1 = Math.min(this.width, r.x + r.w);
    if (x1 <= x0) return;
    for (let y = Math.max(0, r.y); y < Math.min(this.height, r.y + r.h); y++) {
      if (this.to[y] === 0) this.lines++;
      if (x0 < this.from[y]) this.from[y] = x0;
      if (x1 > this.to[y]) this.to[y] = x1;
    }
  }

  /** Everything changed. */
  addAll(): void {
    this.add({ x: 0, y: 0, w: this.width, h: this.height });
  }

  /**
   * The changes inside `area` as rectangles (lines with the same span merge),
   * forgotten once taken. A line whose change reaches outside `area` stays
   * waiting whole, to be sent when an update covers it.
   */
  take(area: Rect): Rect[] {
    const rects: Rect[] = [];
    const ax0 = Math.max(0, area.x);
    const ax1 = Math.min(this.width, area.x + area.w);
    const y1 = Math.min(this.height, area.y + area.h);
    let open: Rect | null = null;
    for (let y = Math.max(0, area.y); y < y1; y++) {
      const x0 = Math.max(ax0, this.from[y]);
      const x1 = Math.min(ax1, this.to[y]);
      if (x1 <= x0) {
        open = null;
        continue;
      }
      if (open && open.x === x0 && open.x + open.w === x1 && open.y + open.h === y) open.h++;
      else {
        open = { x: x0, y, w: x1 - x0, h: 1 };
        rects.push(open);
      }
      if (this.from[y] >= ax0 && this.to[y] <= ax1) {
        this.from[y] = this.width;
        this.to[y] = 0;
        this.lines--;
      }
    }
    return rects;
  }
}
