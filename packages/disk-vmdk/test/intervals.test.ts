import { describe, expect, it } from 'vitest';
import { SectorIntervals } from '../src/intervals.js';

describe('SectorIntervals', () => {
  it('answers overlap queries and names the first overlapping pair', () => {
    const set = SectorIntervals.build([
      [10, 20, 'b'],
      [0, 1, 'a'],
      [30, 34, 'c'],
    ]) as SectorIntervals;
    expect(set.overlaps(1, 10)).toBe(false);
    expect(set.overlaps(19, 21)).toBe(true);
    expect(set.overlaps(20, 30)).toBe(false);
    expect(set.overlaps(33, 100)).toBe(true);
    expect(set.end).toBe(34);
    expect(
      SectorIntervals.build([
        [0, 5, 'x'],
        [4, 6, 'y'],
      ]),
    ).toEqual(['x', 'y']);
  });

  it('copes with the table count of a multi-terabyte disk', () => {
    const ranges: [number, number, string][] = [];
    for (let i = 0; i < 300_000; i++) ranges.push([100 + i * 4, 104 + i * 4, `t${i}`]);
    const set = SectorIntervals.build(ranges) as SectorIntervals;
    expect(set.end).toBe(100 + 300_000 * 4);
    expect(set.overlaps(100 + 150_000 * 4 + 2, 100 + 150_000 * 4 + 3)).toBe(true);
  });
});
