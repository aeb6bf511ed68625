import { describe, expect, it } from 'vitest';
import { ByteRing } from '../src/byte-ring.js';

describe('ByteRing', () => {
  it('keeps bytes in order across wrap-around and growth, and never holds more than its capacity', () => {
    const ring = new ByteRing(100000);
    let written = 0;
    let read = 0;
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const chunk = new Uint8Array(rand(9000)).map((_, j) => (written + j) & 255);
      const n = ring.push(chunk);
      written += n;
      expect(ring.length).toBeLessThanOrEqual(100000);
      const take = Math.min(ring.length, rand(9000));
      const out = new Uint8Array(take);
      ring.copy(0, take, out, 0);
      const wrong = out.findIndex((v, j) => v !== ((read + j) & 255));
      expect(wrong).toBe(-1);
      ring.consume(take);
      read += take;
    }
    const room = ring.capacity - ring.length;
    expect(ring.push(new Uint8Array(200000))).toBe(room);
    expect(ring.length).toBe(ring.capacity);
  });
});
