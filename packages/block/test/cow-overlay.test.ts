import { createHash } from 'node:crypto';
import { fstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CowOverlay, RawImage } from '../src/index.js';

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The descriptors this process holds on deleted snapshot spill files. */
function spillFds(): number[] {
  return readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => {
      try {
        return /plugboard-snapshot-.*\(deleted\)$/.test(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        return false;
      }
    });
}

describe('CowOverlay spills to a temporary file past its memory budget', () => {
  it('keeps memory bounded, reads every write back, and never touches the base', () => {
    const size = 8 * 1024 * 1024;
    const baseBytes = pattern(size, 7);
    const path = join(mkdtempSync(join(tmpdir(), 'pb-cow-')), 'base.img');
    writeFileSync(path, baseBytes);
    const baseHash = createHash('sha256').update(baseBytes).digest('hex');
    const budget = 256 * 1024;
    const overlay = new CowOverlay(new RawImage(path, { readOnly: true }), budget);
    const expected = baseBytes.slice();
    const before = spillFds().length;
    // 4 MiB of writes, 16 times the budget: partial chunks (3 sectors at odd places) and whole runs.
    let seed = 1;
    for (let sector = 1; sector < 16384; sector += 13) {
      const data = pattern(3 * 512, seed++);
      if (sector + 3 > 16384) break;
      overlay.write(sector, data);
      expected.set(data, sector * 512);
    }
    const run = pattern(64 * 1024, 99);
    overlay.write(4096, run);
    expected.set(run, 4096 * 512);
    // Rewrites of chunks already spilled and already in memory.
    const again = pattern(512, 1234);
    for (const sector of [1, 9000, 16000]) {
      overlay.write(sector, again);
      expected.set(again, sector * 512);
    }
    expect(overlay.bytesHeld).toBeLessThanOrEqual(budget);
    expect(overlay.bytesSpilled).toBeGreaterThan(3 * 1024 * 1024);
    const got = new Uint8Array(size);
    overlay.read(0, got);
    expect(Buffer.compare(got, expected)).toBe(0);
    // Odd-sized reads across memory chunks, spilled chunks and the base.
    const piece = new Uint8Array(77 * 512);
    overlay.read(8999, piece);
    expect(Buffer.compare(piece, expected.subarray(8999 * 512, (8999 + 77) * 512))).toBe(0);

    const fds = spillFds();
    expect(fds.length).toBe(before + 1);
    expect(fstatSync(fds[fds.length - 1]!).mode & 0o777).toBe(0o600);
    overlay.close();
    expect(spillFds().length).toBe(before);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(baseHash);
  });

  it('stays in memory, without a file, while the writes fit the budget', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pb-cow-')), 'base.img');
    writeFileSync(path, new Uint8Array(1024 * 1024));
    const before = spillFds().length;
    const overlay = new CowOverlay(new RawImage(path, { readOnly: true }), 64 * 1024);
    overlay.write(0, new Uint8Array(64 * 1024).fill(3));
    expect(overlay.bytesHeld).toBe(64 * 1024);
    expect(overlay.bytesSpilled).toBe(0);
    expect(spillFds().length).toBe(before);
    overlay.close();
  });
});

describe('CowOverlay writes as data (machine snapshots with -snapshot)', () => {
  const image = (size: number) => {
    const path = join(mkdtempSync(join(tmpdir(), 'pb-cow-')), 'base.img');
    writeFileSync(path, pattern(size, 3));
    return path;
  };

  it('saves every written chunk, in memory or spilled, and loads them into a fresh overlay, replacing what it held', () => {
    // 4 KiB + 512 bytes past a chunk boundary: the disk's last chunk is one sector.
    const path = image(64 * 4096 + 512);
    const a = new CowOverlay(new RawImage(path, { readOnly: true }), 8192);
    a.write(1, pattern(512, 1));
    a.write(40, pattern(4096 * 3, 2));
    a.write(512, pattern(512, 3));
    const saved = a.heldWrites.save();
    expect([...saved.chunks]).toEqual([0, 5, 6, 7, 64]);
    expect(saved.data.length).toBe(4 * 4096 + 512);
    const b = new CowOverlay(new RawImage(path, { readOnly: true }), 8192);
    b.write(100, pattern(512, 9));
    b.heldWrites.load(saved);
    const all = (o: CowOverlay) => {
      const out = new Uint8Array(64 * 4096 + 512);
      o.read(0, out);
      return out;
    };
    expect(Buffer.from(all(b)).equals(Buffer.from(all(a)))).toBe(true);
    expect([...b.heldWrites.save().chunks]).toEqual([0, 5, 6, 7, 64]);
    a.close();
    b.close();
  });

  it('refuses writes that do not fit this disk, leaving what it held', () => {
    const path = image(16 * 4096);
    const o = new CowOverlay(new RawImage(path, { readOnly: true }));
    o.write(0, pattern(512, 5));
    const before = o.heldWrites.save();
    const chunk = new Uint8Array(4096);
    expect(() => o.heldWrites.load({ chunkBytes: 4096, chunks: Float64Array.of(16), data: chunk })).toThrow(
      /chunk 16 after -1: expected increasing indices below 16/,
    );
    expect(() => o.heldWrites.load({ chunkBytes: 4096, chunks: Float64Array.of(3, 2), data: chunk })).toThrow(
      /expected increasing indices/,
    );
    expect(() =>
      o.heldWrites.load({ chunkBytes: 4096, chunks: Float64Array.of(2), data: new Uint8Array(10) }),
    ).toThrow(/10 bytes of data for chunks that hold 4096/);
    expect(() => o.heldWrites.load({ chunkBytes: 512, chunks: Float64Array.of(2), data: chunk })).toThrow(
      /chunks of 512 bytes, this overlay's are 4096/,
    );
    const after = o.heldWrites.save();
    expect([...after.chunks]).toEqual([...before.chunks]);
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    o.close();
  });
});
