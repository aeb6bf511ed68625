import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { checkVmdk } from '../src/img/check.js';
import { createVmdk, StreamOptimizedWriter, VmdkImage } from '../src/index.js';
import { prng, qemuImgOk, tempDir, testContent, writeRaw } from './helpers.js';

const CASES_PER_BASE = 500;

/** Opens a mutated image and reads its start and end; anything but success or a BlockError fails the test. */
function probe(path: string): 'ok' | 'refused' {
  try {
    const img = VmdkImage.open(path, { readOnly: true });
    try {
      const head = new Uint8Array(Math.min(img.sectorCount, 1024) * 512);
      img.read(0, head);
      if (img.sectorCount >= 8) img.read(img.sectorCount - 8, new Uint8Array(8 * 512));
    } finally {
      img.close();
    }
    checkVmdk(path);
    return 'ok';
  } catch (err) {
    if (err instanceof BlockError) return 'refused';
    throw new Error(`${path}: ${(err as Error).stack}`);
  }
}

describe('fuzz: mutated images open and read, or throw a BlockError', () => {
  const dir = tempDir('pb-fuzz-');
  const data = testContent(512 * 1024, 42).map((b, i) => (i % 4096 < 2048 ? b | 1 : b));
  const sparse = join(dir, 'sparse.vmdk');
  createVmdk(sparse, data.length, {});
  const s = VmdkImage.open(sparse);
  s.write(0, data);
  s.close();
  const stream = join(dir, 'stream.vmdk');
  const w = new StreamOptimizedWriter(
    stream,
    data.length / 512,
    '# Disk DescriptorFile\ncreateType="streamOptimized"\nRW 1024 SPARSE "stream.vmdk"\n',
  );
  for (let g = 0; g < 8; g++) w.writeGrain(g, data.subarray(g * 65536, (g + 1) * 65536));
  w.finish();
  const raw = join(dir, 'data.raw');
  writeRaw(raw, data);
  const qstream = join(dir, 'qstream.vmdk');
  qemuImgOk(['convert', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, qstream]);
  const flat = join(dir, 'flat.vmdk');
  createVmdk(flat, data.length, { subformat: 'twoGbMaxExtentFlat' });
  // A child of `sparse.vmdk`, so mutations reach the parent link too.
  const child = join(dir, 'child.vmdk');
  createVmdk(child, data.length, { backingFile: sparse });
  const c = VmdkImage.open(child);
  c.write(300, data.subarray(0, 200 * 512));
  c.close();

  it.each([
    ['sparse.vmdk', 128 * 512],
    ['stream.vmdk', 0],
    ['qstream.vmdk', 128 * 512],
    ['flat.vmdk', 0],
    ['child.vmdk', 128 * 512],
  ])('%s', (name, metadataBytes) => {
    const original = new Uint8Array(readFileSync(join(dir, name)));
    const victim = join(dir, `m-${name}`);
    if (name === 'flat.vmdk') copyFileSync(join(dir, 'flat-f001.vmdk'), join(dir, 'm-flat-f001.vmdk'));
    const next = prng(0xf00d + name.length);
    const tally = { ok: 0, refused: 0 };
    for (let n = 0; n < CASES_PER_BASE; n++) {
      let bytes = original.slice();
      if (name === 'flat.vmdk') {
        bytes = new TextEncoder().encode(
          new TextDecoder().decode(bytes).replace('"flat-f001', '"m-flat-f001'),
        );
      }
      const edits = 1 + (next() % 6);
      for (let e = 0; e < edits; e++) {
        const r = next();
        // Mostly metadata: the header and tables at the front, the footer and tables at the back.
        const region = r % 4;
        const span = metadataBytes || bytes.length;
        let at: number;
        if (region === 0) at = next() % bytes.length;
        else if (region === 1 && name.includes('stream')) at = bytes.length - 1 - (next() % 4096);
        else at = next() % Math.min(span, bytes.length);
        const kind = next() % 3;
        bytes[at] =
          kind === 0
            ? next() & 0xff
            : kind === 1
              ? bytes[at]! ^ (1 << (next() % 8))
              : [0, 0xff, 0x7f][next() % 3]!;
      }
      if (next() % 16 === 0) bytes = bytes.subarray(0, next() % bytes.length);
      writeFileSync(victim, bytes);
      tally[probe(victim)]++;
    }
    // The mutations must exercise both outcomes, or they test nothing.
    expect(tally.ok).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });
});
