import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VmdkImage } from '../src/index.js';
import { firstDiff, qemuImgOk, readAll, tempDir, testContent, writeRaw } from './helpers.js';

const SIZE = 3 * 1024 * 1024 + 512 * 7;

const CASES: string[] = [
  'subformat=monolithicSparse',
  'subformat=monolithicFlat',
  'subformat=twoGbMaxExtentSparse',
  'subformat=twoGbMaxExtentFlat',
  'subformat=streamOptimized',
  'subformat=monolithicSparse,adapter_type=lsilogic',
  'subformat=monolithicSparse,adapter_type=ide,hwversion=4',
  'subformat=streamOptimized,adapter_type=lsilogic,hwversion=6',
  'subformat=twoGbMaxExtentSparse,compat6',
  'subformat=monolithicSparse,zeroed_grain=on',
  'subformat=monolithicFlat,adapter_type=buslogic,compat6',
];

describe('images written by qemu-img read back byte for byte', () => {
  const dir = tempDir();
  const raw = join(dir, 'source.raw');
  const content = testContent(SIZE, 0x1234);
  writeRaw(raw, content);

  it.each(CASES)('%s', (options) => {
    const out = join(dir, `${options.replace(/[=,]/g, '_')}.vmdk`);
    qemuImgOk(['convert', '-f', 'raw', '-O', 'vmdk', '-o', options, raw, out]);
    const img = VmdkImage.open(out, { readOnly: true });
    expect(img.sectorCount * 512).toBe(SIZE);
    expect(firstDiff(readAll(img), content)).toBe(-1);
    img.close();
  });

  it('splits a sparse disk over 2 GiB into 2 GiB extents and reads data placed across the splits', () => {
    const big = join(dir, 'big.raw');
    const bigSize = 5 * 1024 ** 3 + 3 * 65536;
    const blocks: [number, Uint8Array][] = [
      [0, testContent(65536 * 3, 1)],
      [2 * 1024 ** 3 - 65536, testContent(3 * 65536, 2)],
      [4 * 1024 ** 3 - 4096, testContent(65536, 3)],
      [bigSize - 65536 * 2, testContent(65536 * 2, 4)],
    ];
    writeSparse(big, bigSize, blocks);
    const out = join(dir, 'big.vmdk');
    qemuImgOk(['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', big, out]);
    const img = VmdkImage.open(out, { readOnly: true });
    expect(img.extents.length).toBe(3);
    expect(img.sectorCount * 512).toBe(bigSize);
    for (const [offset, data] of blocks) {
      const got = new Uint8Array(data.length + 2 * 65536);
      const start = Math.max(0, offset - 65536);
      const len = Math.min(got.length, bigSize - start);
      img.read(start / 512, got.subarray(0, len));
      const expected = new Uint8Array(len);
      for (const [o, d] of blocks) {
        const from = Math.max(o, start);
        const to = Math.min(o + d.length, start + len);
        if (from < to) expected.set(d.subarray(from - o, to - o), from - start);
      }
      expect(firstDiff(got.subarray(0, len), expected)).toBe(-1);
    }
    img.close();
  });
});

function writeSparse(path: string, size: number, blocks: [number, Uint8Array][]): void {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  for (const [offset, data] of blocks) writeSync(fd, data, 0, data.length, offset);
  closeSync(fd);
}
