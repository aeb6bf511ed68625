import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImg } from '../src/index.js';
import { encodeSparseHeader, type SparseExtentHeader } from '../src/sparse-header.js';
import { collector, tempDir } from './helpers.js';

const sane: SparseExtentHeader = {
  version: 1,
  flags: 3,
  capacity: 2048,
  grainSize: 128,
  descriptorOffset: 0,
  descriptorSize: 0,
  numGTEsPerGT: 512,
  rgdOffset: 0,
  gdOffset: 1,
  overHead: 8,
  uncleanShutdown: 0,
  compressAlgorithm: 0,
};

/** The heap and what lies outside it: grain tables are typed arrays, which heapUsed does not count. */
function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A bare sparse extent with `fields` changed, in a sparse file of `apparentBytes` (nothing but the header is stored). */
function hostileExtent(
  dir: string,
  name: string,
  fields: Partial<SparseExtentHeader>,
  apparentBytes: number,
) {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  writeSync(fd, encodeSparseHeader({ ...sane, ...fields }));
  ftruncateSync(fd, apparentBytes);
  closeSync(fd);
  return path;
}

/**
 * Header fields that size what opening allocates. Each file's apparent size
 * is large enough that the grain directory "fits", so only validating the
 * fields themselves keeps `img info` from allocating gigabytes (V8 aborts).
 */
describe('sparse header limits bound what opening allocates', () => {
  const dir = tempDir('pb-limits-');
  const cases: [string, Partial<SparseExtentHeader>, number, RegExp][] = [
    [
      'gtes1.vmdk',
      { numGTEsPerGT: 1, grainSize: 1, capacity: 2 ** 28 },
      2 ** 31,
      /gtes1\.vmdk: header at offset 44: numGTEsPerGT 1 is not 512/,
    ],
    [
      'grains.vmdk',
      { grainSize: 1, capacity: 2 ** 36 },
      2 ** 35,
      /grains\.vmdk: header at offset 12: capacity 68719476736 sectors in grains of 1 sectors is 68719476736 grains \(limit 67108864/,
    ],
    [
      'descriptor.vmdk',
      { descriptorOffset: 2 ** 40, descriptorSize: 20 },
      2 ** 20,
      /descriptor\.vmdk: embedded descriptor at offset \d+ \(10240 bytes\) runs past the end of the file/,
    ],
    ['gd0.vmdk', { gdOffset: 0 }, 2 ** 20, /gd0\.vmdk: header at offset 56: gdOffset 0 points at the header/],
    [
      'gdend.vmdk',
      { gdOffset: 2 ** 30 },
      2 ** 20,
      /gdend\.vmdk: grain directory at sector 1073741824 .* lies outside the file/,
    ],
  ];
  for (const [name, fields, apparent, message] of cases) {
    it(`${name}: ${JSON.stringify(fields)}`, async () => {
      const path = hostileExtent(dir, name, fields, apparent);
      const c = collector();
      const before = memoryInUse();
      expect(await runImg(['info', path], c.io)).toBe(1);
      expect(c.err()).toMatch(message);
      expect(memoryInUse() - before).toBeLessThan(64 * 1024 * 1024);
    });
  }
});
