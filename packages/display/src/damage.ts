export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The side of the square tiles changes are found in. */
export const DAMAGE_TILE = 64;

/**
 * What a client was last sent, to find what changed since: the screen is
 * compared in 64x64 tiles, and a row of changed tiles becomes one rectangle.
 */
export class SentFrame {
  private rgba: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
  }

  /** Rectangles inside `area` where `rgba` (same size) differs from what was sent. */
  changes(rgba: Uint8Array, area: Rect): Rect[] {
    const rects: Rect[] = [];
    const stride = this.width * 4;
    const old = Buffer.from(this.rgba.buffer, this.rgba.byteOffset, this.rgba.byteLength);
    const now = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    const x0 = area.x;
    const x1 = area.x + area.w;
    const columns = Math.ceil(area.w / DAMAGE_TILE);
    const dirty = new Uint8Array(columns);
    for (let ty = area.y; ty < area.y + area.h; ty += DAMAGE_TILE) {
      const th = Math.min(DAMAGE_TILE, area.y + area.h - ty);
      dirty.fill(0);
      let any = false;
      for (let row = ty; row < ty + th; row++) {
        const start = row * stride + x0 * 4;
        const end = row * stride + x1 * 4;
        if (old.compare(now, start, end, start, end) === 0) continue;
        for (let c = 0; c < columns; c++) {
          if (dirty[c]) continue;
          const s = start + c * DAMAGE_TILE * 4;
          const e = Math.min(end, s + DAMAGE_TILE * 4);
          if (old.compare(now, s, e, s, e) !== 0) {
            dirty[c] = 1;
            any = true;
          }
        }
      }
      if (!any) continue;
      for (let c = 0; c < columns; ) {
        if (!dirty[c]) {
          c++;
          continue;
        }
        let e = c;
        while (e < columns && dirty[e]) e++;
        const x = x0 + c * DAMAGE_TILE;
        rects.push({ x, y: ty, w: Math.min(x1, x0 + e * DAMAGE_TILE) - x, h: th });
        c = e;
      }
    }
    return rects;
  }

  /** Records that the rectangle `r` of `rgba` has been sent. */
  record(rgba: Uint8Array, r: Rect): void {
    const stride = this.width * 4;
    for (let row = r.y; row < r.y + r.h; row++) {
      const s = row * stride + r.x * 4;
      this.rgba.set(rgba.subarray(s, s + r.w * 4), s);
    }
  }
}
