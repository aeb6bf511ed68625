import { describe, expect, it } from 'vitest';
import { unxz } from '../src/xz/unxz.js';
import { xz } from './fixtures.js';

/**
 * Code-like bytes: near CALLs and JMPs (E8/E9) with displacements of every
 * sign and size, in runs that overlap as real code's do, between filler.
 * A fixed LCG, so a failure reproduces.
 */
function codeLike(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  for (let i = 0; i < length; ) {
    const r = next() % 16;
    if (r < 5 && i + 5 <= length) {
      out[i] = r & 1 ? 0xe8 : 0xe9;
      const d = r < 3 ? (next() % 0x20000) - 0x10000 : next() << 8;
      out[i + 1] = d & 0xff;
      out[i + 2] = (d >>> 8) & 0xff;
      out[i + 3] = (d >>> 16) & 0xff;
      out[i + 4] = r === 4 ? next() & 0xff : (d >>> 24) & 0xff;
      i += r === 2 ? 2 : 5;
    } else out[i++] = next() & 0xff;
  }
  return out;
}

const data = codeLike(300_000);

describe('unxz', () => {
  it('decodes x86 BCJ + LZMA2 with CRC32, as the kernel build writes it, byte for byte what xz -d gives', async () => {
    expect(await unxz(xz(data), data.length)).toEqual(data);
  });

  it('decodes LZMA2 alone, several blocks, and no check', async () => {
    expect(await unxz(xz(data, ['--check=none', '--lzma2', '--block-size=65536']), data.length)).toEqual(
      data,
    );
    expect(
      await unxz(xz(data, ['--check=crc32', '--x86', '--lzma2', '--block-size=100000']), data.length),
    ).toEqual(data);
  });

  it('refuses what it does not decode, and damaged or oversized streams, with the reason', async () => {
    await expect(unxz(xz(data, ['--check=crc64']), data.length)).rejects.toThrow(
      /check type 4 is not supported/,
    );
    await expect(unxz(xz(data, ['--check=crc32', '--arm', '--lzma2']), data.length)).rejects.toThrow(
      /filter chain 0x7, 0x21 is not supported/,
    );
    await expect(unxz(xz(data), data.length - 1)).rejects.toThrow(/more than/);
    await expect(unxz(Uint8Array.of(1, 2, 3), 10)).rejects.toThrow(/no \.xz stream header/);
    const stream = xz(data);
    await expect(unxz(stream.subarray(0, stream.length - 100), data.length)).rejects.toThrow(/footer|index/);
    // A flipped byte in the compressed data: LZMA2 fails, or the block's CRC32 does.
    const flipped = stream.slice();
    flipped[stream.length >> 1] ^= 0x40;
    await expect(unxz(flipped, data.length)).rejects.toThrow();
    // The index claims a block far larger than the data: refused before anything is allocated.
    await expect(unxz(stream, 16)).rejects.toThrow(/more than 16/);
  });
});
