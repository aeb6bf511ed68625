const SLOTS = 256;

/**
 * A tile's palette: pixel value -> index, for up to 128 colours, as an
 * open-addressed table cleared in O(1) per tile (a Map costs too much per run).
 */
export class Palette {
  readonly values: number[] = [];
  private readonly keys = new Uint32Array(SLOTS);
  private readonly indices = new Uint8Array(SLOTS);
  private readonly stamps = new Uint32Array(SLOTS);
  private epoch = 1;

  clear(): void {
    this.values.length = 0;
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }

  get size(): number {
    return this.values.length;
  }

  /** The index of `value`, adding it when new; -1 once the table holds `limit` colours. */
  add(value: number, limit: number): number {
    let slot = Math.imul(value, 0x9e3779b1) >>> 24;
    for (;;) {
      if (this.stamps[slot] !== this.epoch) {
        if (this.values.length >= limit) return -1;
        this.stamps[slot] = this.epoch;
        this.keys[slot] = value;
        this.indices[slot] = this.values.length;
        this.values.push(value);
        return this.indices[slot];
      }
      if (this.keys[slot] === value) return this.indices[slot];
      slot = (slot + 1) & (SLOTS - 1);
    }
  }
}
