import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { CowOverlay, RawImage } from '../src/index.js';

function tempFile(bytes: Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pb-block-')), 'disk.img');
  writeFileSync(path, bytes);
  return path;
}

function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('RawImage', () => {
  it('reads and writes many sectors in one call', () => {
    const data = pattern(64 * 512);
    const path = tempFile(data);
    const img = new RawImage(path);
    expect(img.sectorCount).toBe(64);
    const buf = new Uint8Array(10 * 512);
    img.read(5, buf);
    expect(buf).toEqual(data.subarray(5 * 512, 15 * 512));
    const src = pattern(3 * 512, 7);
    img.write(60, src);
    img.flush();
    img.close();
    expect(new Uint8Array(readFileSync(path)).subarray(60 * 512, 63 * 512)).toEqual(src);
  });

  it('rounds a partial last sector up and reads its missing tail as zeros, as QEMU does', () => {
    const data = pattern(1000);
    const img = new RawImage(tempFile(data), { readOnly: true });
    expect(img.sectorCount).toBe(2);
    expect(img.partialLastSector).toBe(true);
    const buf = new Uint8Array(1024).fill(0xee);
    img.read(0, buf);
    expect(buf.subarray(0, 1000)).toEqual(data);
    expect(buf.subarray(1000).every((b) => b === 0)).toBe(true);
    img.close();
  });

  it('refuses out-of-range, partial-sector and read-only accesses with BlockError', () => {
    const path = tempFile(pattern(8 * 512));
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const img = new RawImage(path, { readOnly: true });
    expect(() => img.read(7, new Uint8Array(1024))).toThrow(BlockError);
    expect(() => img.read(-1, new Uint8Array(512))).toThrow(/outside the image/);
    expect(() => img.read(0, new Uint8Array(100))).toThrow(BlockError);
    expect(() => img.write(0, new Uint8Array(512))).toThrow(/read-only/);
    img.close();
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
  });

  it('names the file when it cannot be opened', () => {
    expect(() => new RawImage('/nonexistent/x.img', { readOnly: true })).toThrow(
      /\/nonexistent\/x.img: cannot open: no such file/,
    );
  });

  it('exposes 2048-byte sectors for CD images', () => {
    const img = new RawImage(tempFile(pattern(5 * 2048)), { readOnly: true, sectorSize: 2048 });
    expect(img.sectorSize).toBe(2048);
    expect(img.sectorCount).toBe(5);
    img.close();
  });
});

describe('CowOverlay', () => {
  it('keeps writes in memory, reads through elsewhere, and never touches the base', () => {
    const data = pattern(40 * 512 + 512);
    const path = tempFile(data);
    const mtime = statSync(path).mtimeMs;
    const cow = new CowOverlay(new RawImage(path, { readOnly: true }));
    const expected = data.slice();
    const writes: [number, number][] = [
      [0, 1],
      [3, 2],
      [7, 10],
      [39, 2],
      [16, 1],
    ];
    for (const [sector, count] of writes) {
      const src = pattern(count * 512, sector + 100);
      cow.write(sector, src);
      expected.set(src, sector * 512);
    }
    const all = new Uint8Array(41 * 512);
    cow.read(0, all);
    expect(all).toEqual(expected);
    const mid = new Uint8Array(5 * 512);
    cow.read(5, mid);
    expect(mid).toEqual(expected.subarray(5 * 512, 10 * 512));
    expect(cow.bytesHeld).toBeGreaterThan(0);
    cow.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(data);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });
});
