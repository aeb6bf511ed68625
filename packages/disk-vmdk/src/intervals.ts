/** Sorted, non-overlapping sector ranges with an overlap query: where a sparse extent's metadata lives. */
export class SectorIntervals {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Builds from `[start, end, name]` ranges; returns the first overlapping pair's names instead when two overlap. */
  static build(ranges: [number, number, string][]): SectorIntervals | [string, string] {
    const sorted = ranges.filter((r) => r[1] > r[0]).sort((a, b) => a[0] - b[0]);
    const out = new SectorIntervals();
    for (let i = 0; i < sorted.length; i++) {
      const [start, end, name] = sorted[i]!;
      if (i > 0 && start < sorted[i - 1]![1]) return [sorted[i - 1]![2], name];
      out.starts.push(start);
      out.ends.push(end);
    }
    return out;
  }

  /** True when [start, end) meets any range. */
  overlaps(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.starts.length;
    // First range whose end is past `start`.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.starts.length && this.starts[lo]! < end;
  }

  /** The sector just past the last range. */
  get end(): number {
    let end = 0;
    for (const e of this.ends) if (e > end) end = e;
    return end;
  }
}
