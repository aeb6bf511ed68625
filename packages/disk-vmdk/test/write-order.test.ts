import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createVmdk, parseSparseHeader, VmdkImage } from '../src/index.js';
import { tempDir } from './helpers.js';

// Every file write of the VMDK code goes through block's writeFully: record where each lands.
const log = vi.hoisted(() => [] as { pos: number; length: number }[]);
vi.mock('@plugboard/block', async (importOriginal) => {
  const real = await importOriginal<typeof import('@plugboard/block')>();
  return {
    ...real,
    writeFully(...args: Parameters<typeof real.writeFully>) {
      const [, src, pos, , offset = 0, length = src.length - offset] = args;
      log.push({ pos, length });
      real.writeFully(...args);
    },
  };
});

/**
 * The order that keeps a killed writer's image consistent: a new grain table
 * is zeroed before the directory entry points at it, grain data is written
 * before the table entry that points at it, the primary entry before the
 * redundant one. (crash-points.test.ts cuts the sequence after every write.)
 */
describe('sparse writes land in crash-safe order', () => {
  it('table before directory entry, data before table entry, primary before redundant', () => {
    const dir = tempDir('pb-order-');
    const path = join(dir, 'disk.vmdk');
    createVmdk(path, 4 * 1024 * 1024, {});
    // Make grain table 0 unallocated in both directories, as VMware's lazily allocated disks have it.
    const bytes = new Uint8Array(readFileSync(path));
    const h = parseSparseHeader(bytes.subarray(0, 512), path);
    const v = new DataView(bytes.buffer);
    v.setUint32(h.gdOffset * 512, 0, true);
    v.setUint32(h.rgdOffset * 512, 0, true);
    writeFileSync(path, bytes);
    const fileEnd = bytes.length;

    const img = VmdkImage.open(path);
    log.length = 0;
    img.write(3, new Uint8Array(1024).fill(7));
    img.close();

    const at = (pred: (w: { pos: number; length: number }) => boolean) => {
      const i = log.findIndex(pred);
      expect(i, JSON.stringify(log)).toBeGreaterThanOrEqual(0);
      return i;
    };
    const gdEntry = at((w) => w.pos === h.gdOffset * 512 && w.length === 4);
    const rgdEntry = at((w) => w.pos === h.rgdOffset * 512 && w.length === 4);
    const newTables = log.filter((w) => w.pos >= fileEnd && w.length === 2048);
    expect(newTables).toHaveLength(2);
    const [gt, rgt] = newTables as [{ pos: number }, { pos: number }];
    const gtZeroed = log.indexOf(newTables[0]!);
    const rgtZeroed = log.indexOf(newTables[1]!);
    const data = at((w) => w.length === 65536);
    const gtEntry = at((w) => w.pos === gt.pos && w.length === 4);
    const rgtEntry = at((w) => w.pos === rgt.pos && w.length === 4);
    expect(gtZeroed).toBeLessThan(gdEntry);
    expect(rgtZeroed).toBeLessThan(rgdEntry);
    expect(data).toBeLessThan(gtEntry);
    expect(gtEntry).toBeLessThan(rgtEntry);
    const back = VmdkImage.open(path, { readOnly: true });
    const got = new Uint8Array(1024);
    back.read(3, got);
    back.close();
    expect(got.every((b) => b === 7)).toBe(true);
  });
});
