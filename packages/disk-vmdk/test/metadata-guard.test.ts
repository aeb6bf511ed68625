import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createVmdk, parseSparseHeader, VmdkImage } from '../src/index.js';
import { tempDir } from './helpers.js';

/**
 * A grain table entry is data from the file: one that points into the
 * extent's own metadata (header, descriptor, directories, tables) or past its
 * end must never turn a guest write into a metadata overwrite.
 */
describe('a grain table entry pointing into metadata or past the end', () => {
  const dir = tempDir('pb-meta-');
  const pristine = join(dir, 'pristine.vmdk');
  createVmdk(pristine, 4 * 1024 * 1024, {});
  // Grains far into the disk make the file long enough that a grain at any metadata sector fits inside it.
  const seed = VmdkImage.open(pristine);
  seed.write(1024, new Uint8Array(8 * 65536).fill(0x11));
  seed.close();
  const bytes = new Uint8Array(readFileSync(pristine));
  const header = parseSparseHeader(bytes.subarray(0, 512), pristine);
  const view = new DataView(bytes.buffer);
  const gt0 = view.getUint32(header.gdOffset * 512, true);
  const rgt0 = view.getUint32(header.rgdOffset * 512, true);
  const metadataEnd = header.overHead * 512;
  // Entries 0 and 1 mean "unallocated" and "zeroed", so no entry names the header itself;
  // a grain starting one sector into the descriptor overlaps it.
  const targets: [string, number][] = [
    ['the embedded descriptor', header.descriptorOffset + 1],
    ['the grain directory', header.gdOffset],
    ['the redundant grain directory', header.rgdOffset],
    ['grain table 0', gt0],
    ['the redundant grain table 0', rgt0],
    ['past the end of the file', bytes.length / 512 + 64],
  ];
  for (const [name, sector] of targets) {
    it(`${name} (sector ${sector}): refused, and a guest write leaves the metadata byte for byte`, () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.vmdk`);
      const hostile = bytes.slice();
      new DataView(hostile.buffer).setUint32(gt0 * 512, sector, true);
      writeFileSync(path, hostile);
      const metadata = hostile.slice(0, metadataEnd);
      let error: unknown = null;
      try {
        const img = VmdkImage.open(path);
        try {
          img.write(0, new Uint8Array(64 * 1024).fill(0xee));
          img.flush();
        } finally {
          img.close();
        }
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BlockError);
      expect((error as Error).message).toMatch(
        /grain table 0 entry 0 at offset \d+ points to sector \d+, (inside the extent's metadata|past the end of the file)/,
      );
      const after = new Uint8Array(readFileSync(path));
      expect(Buffer.compare(after.subarray(0, metadataEnd), metadata)).toBe(0);
    });
  }
});
