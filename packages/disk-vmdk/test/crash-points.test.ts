import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkVmdk } from '../src/img/check.js';
import { createVmdk, VmdkImage } from '../src/index.js';
import { qemuImg, tempDir, testContent } from './helpers.js';

// Every file write of the VMDK code goes through block's writeFully: let the test cut the sequence short.
const budget = vi.hoisted(() => ({ left: Number.POSITIVE_INFINITY, used: 0 }));
vi.mock('@plugboard/block', async (importOriginal) => {
  const real = await importOriginal<typeof import('@plugboard/block')>();
  return {
    ...real,
    writeFully(...args: Parameters<typeof real.writeFully>) {
      if (budget.left <= 0) throw new Error('simulated crash');
      budget.left--;
      budget.used++;
      real.writeFully(...args);
    },
  };
});

const GRAIN = 128;
/** Writes that allocate one partial grain, a run of whole grains, and overwrite in place. */
const WORKLOAD: [number, Uint8Array][] = [
  [5 * GRAIN + 3, testContent(7 * 512, 1).map((b) => b | 1)],
  [8 * GRAIN, testContent(3 * GRAIN * 512, 2).map((b) => b | 1)],
  [0, testContent(2 * 512, 3).map((b) => b | 1)],
  [40 * GRAIN - 2, testContent(4 * 512, 4).map((b) => b | 1)],
];

describe('a crash after any single file write leaves a consistent image', () => {
  it('every prefix of the write sequence checks clean and keeps every completed write', () => {
    const dir = tempDir('pb-points-');
    const pristine = join(dir, 'pristine.vmdk');
    createVmdk(pristine, 8 * 1024 * 1024, {});
    const old = testContent(GRAIN * 512, 9).map((b) => b | 1);
    const seed = VmdkImage.open(pristine);
    seed.write(0, old);
    seed.close();

    // Count the writes of the whole workload first.
    const path = join(dir, 'disk.vmdk');
    copyFileSync(pristine, path);
    budget.used = 0;
    const full = VmdkImage.open(path);
    for (const [sector, data] of WORKLOAD) full.write(sector, data);
    full.close();
    const total = budget.used;
    expect(total).toBeGreaterThan(8);

    for (let cut = 0; cut < total; cut++) {
      copyFileSync(pristine, path);
      budget.left = cut;
      const img = VmdkImage.open(path);
      let done = 0;
      try {
        for (const [sector, data] of WORKLOAD) {
          img.write(sector, data);
          done++;
        }
      } catch (err) {
        expect((err as Error).message).toBe('simulated crash');
      }
      budget.left = Number.POSITIVE_INFINITY;
      img.close();
      const q = qemuImg(['check', path]);
      expect(q.status, `cut after ${cut} writes: ${q.stdout}${q.stderr}`).toBe(0);
      expect(checkVmdk(path).messages, `cut after ${cut} writes`).toEqual([]);
      const back = VmdkImage.open(path, { readOnly: true });
      const expected = new Uint8Array(64 * GRAIN * 512);
      expected.set(old);
      for (const [sector, data] of WORKLOAD.slice(0, done)) expected.set(data, sector * 512);
      const got = new Uint8Array(expected.length);
      back.read(0, got);
      back.close();
      for (const [sector, data] of WORKLOAD.slice(0, done)) {
        expect(
          Buffer.compare(got.subarray(sector * 512, sector * 512 + data.length), data),
          `cut ${cut}`,
        ).toBe(0);
      }
      // Sectors no completed write touched hold the old content or, where the interrupted write got through, its data.
      const interrupted = WORKLOAD[done];
      for (let s = 0; s < expected.length / 512; s++) {
        const inFlight =
          interrupted && s >= interrupted[0] && s < interrupted[0] + interrupted[1].length / 512;
        if (inFlight) continue;
        expect(
          Buffer.compare(got.subarray(s * 512, s * 512 + 512), expected.subarray(s * 512, s * 512 + 512)),
          `cut ${cut} sector ${s}`,
        ).toBe(0);
      }
    }
  });
});
