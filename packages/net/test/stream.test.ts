import { describe, expect, it } from 'vitest';
import { frameForStream, MAX_STREAM_FRAME, parseHostPort, StreamDeframer } from '../src/index.js';

describe('QEMU stream framing', () => {
  it('prefixes a 4-byte big-endian length', () => {
    expect([...frameForStream(new Uint8Array([9, 8, 7]))]).toEqual([0, 0, 0, 3, 9, 8, 7]);
  });

  it('reassembles frames split at every byte boundary and packed together', () => {
    const frames = [new Uint8Array(60).fill(1), new Uint8Array(0), new Uint8Array(1514).fill(3)];
    const stream = Buffer.concat(frames.map((f) => frameForStream(f)));
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new StreamDeframer();
      const got: number[][] = [];
      const on = (f: Uint8Array) => got.push([f.length, f[0] ?? -1]);
      expect(d.push(stream.subarray(0, cut), on)).toBe(true);
      expect(d.push(stream.subarray(cut), on)).toBe(true);
      expect(got).toEqual([
        [60, 1],
        [0, -1],
        [1514, 3],
      ]);
    }
  });

  it('refuses a length beyond QEMU limit', () => {
    const d = new StreamDeframer();
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(MAX_STREAM_FRAME + 1, 0);
    expect(d.push(bad, () => {})).toBe(false);
    bad.writeUInt32BE(0xffffffff, 0);
    expect(new StreamDeframer().push(bad, () => {})).toBe(false);
  });

  it('parses host:port spellings', () => {
    expect(parseHostPort(':1234', 'listen')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(parseHostPort('[::1]:80', 'x')).toEqual({ host: '::1', port: 80 });
    expect(() => parseHostPort('nope', 'connect')).toThrow(/connect: expected host:port/);
    expect(() => parseHostPort('a:70000', 'connect')).toThrow();
  });
});
