import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVmdk, runImg, SUBFORMATS, VmdkImage } from '../src/index.js';
import {
  collector,
  firstDiff,
  prng,
  qemuImg,
  qemuImgOk,
  readAll,
  tempDir,
  testContent,
  writeRaw,
} from './helpers.js';

const SIZE = 4 * 1024 * 1024;

/** Random writes anywhere, crossing grain boundaries, some spanning many grains; mirrored into `expected`. */
function randomWrites(img: VmdkImage, expected: Uint8Array, seed: number, count: number): void {
  const next = prng(seed);
  const sectors = expected.length / 512;
  for (let i = 0; i < count; i++) {
    // Mostly small writes; one in eight spans many grains (whole-grain runs allocate together).
    const n = 1 + (next() % (i % 8 === 0 ? 2000 : 40));
    const at = next() % (sectors - n);
    const data = testContent(n * 512, next());
    img.write(at, data);
    expected.set(data, at * 512);
  }
}

describe('images Plugboard creates and writes pass qemu-img check and compare', () => {
  const dir = tempDir();
  const writable = SUBFORMATS.filter((s) => s !== 'streamOptimized');

  it.each(writable)('%s', (subformat) => {
    const path = join(dir, `${subformat}.vmdk`);
    createVmdk(path, SIZE, { subformat, adapterType: 'lsilogic' });
    const expected = new Uint8Array(SIZE);
    let img = VmdkImage.open(path);
    randomWrites(img, expected, 7, 300);
    img.close();
    img = VmdkImage.open(path);
    randomWrites(img, expected, 8, 100);
    img.flush();
    img.close();
    img = VmdkImage.open(path, { readOnly: true });
    expect(firstDiff(readAll(img), expected)).toBe(-1);
    img.close();
    const raw = join(dir, `${subformat}.expected.raw`);
    writeRaw(raw, expected);
    const check = qemuImg(['check', path]);
    expect(check.stdout + check.stderr).toContain('No errors were found');
    expect(check.status).toBe(0);
    expect(qemuImgOk(['compare', '-f', 'vmdk', '-F', 'raw', path, raw])).toContain('Images are identical');
  });

  it('writes into images qemu-img created (zeroed_grain included)', () => {
    for (const options of [
      'subformat=monolithicSparse',
      'subformat=monolithicSparse,zeroed_grain=on',
      'subformat=twoGbMaxExtentFlat',
    ]) {
      const path = join(dir, `q-${options.replace(/[=,]/g, '_')}.vmdk`);
      qemuImgOk(['create', '-f', 'vmdk', '-o', options, path, String(SIZE)]);
      const expected = new Uint8Array(SIZE);
      const img = VmdkImage.open(path);
      randomWrites(img, expected, 11, 200);
      img.close();
      const raw = join(dir, 'q.expected.raw');
      writeRaw(raw, expected);
      expect(qemuImg(['check', path]).status).toBe(0);
      expect(qemuImgOk(['compare', path, raw])).toContain('Images are identical');
    }
  });

  it('converts with plugboard img into every subformat, and qemu-img agrees on content', async () => {
    const raw = join(dir, 'content.raw');
    const content = testContent(SIZE, 99);
    writeRaw(raw, content);
    for (const subformat of SUBFORMATS) {
      const out = join(dir, `conv-${subformat}.vmdk`);
      const c = collector();
      const code = await runImg(
        ['convert', '-p', '-f', 'raw', '-O', 'vmdk', '-o', `subformat=${subformat}`, raw, out],
        c.io,
      );
      expect(code, c.err()).toBe(0);
      expect(c.out()).toContain('100/100%');
      expect(qemuImg(['check', out]).status).toBe(0);
      expect(qemuImgOk(['compare', out, raw])).toContain('Images are identical');
      // And back to raw through Plugboard again.
      const back = join(dir, `conv-${subformat}.raw`);
      expect(await runImg(['convert', '-O', 'raw', out, back], collector().io)).toBe(0);
      expect(firstDiff(new Uint8Array(readFileSync(back)), content)).toBe(-1);
    }
  });

  it('reads and writes zeroed grains (GTE = 1) that qemu-io made', () => {
    const path = join(dir, 'zeroed.vmdk');
    const expected = testContent(SIZE, 5).map((b) => b | 1);
    const raw = join(dir, 'zeroed.raw');
    writeRaw(raw, expected);
    qemuImgOk(['convert', '-O', 'vmdk', '-o', 'zeroed_grain=on', raw, path]);
    // Grains 3 and 4 become zeroed grains.
    execFileSync('qemu-io', ['-f', 'vmdk', '-c', `write -z ${3 * 65536} ${2 * 65536}`, path]);
    expected.fill(0, 3 * 65536, 5 * 65536);
    const img = VmdkImage.open(path);
    expect(firstDiff(readAll(img), expected)).toBe(-1);
    const part = testContent(3 * 512, 6);
    img.write(3 * 128 + 10, part);
    expected.set(part, (3 * 128 + 10) * 512);
    expect(firstDiff(readAll(img), expected)).toBe(-1);
    img.close();
    writeRaw(raw, expected);
    expect(qemuImg(['check', path]).status).toBe(0);
    expect(qemuImgOk(['compare', path, raw])).toContain('Images are identical');
  });

  it('child disks read through to their parent and qemu-img reads the chain the same', () => {
    const base = join(dir, 'base.vmdk');
    createVmdk(base, SIZE, {});
    const expected = new Uint8Array(SIZE);
    const b = VmdkImage.open(base);
    randomWrites(b, expected, 21, 100);
    b.close();
    const child = join(dir, 'child.vmdk');
    createVmdk(child, SIZE, { backingFile: 'base.vmdk' });
    const c = VmdkImage.open(child);
    expect(c.parent).not.toBeNull();
    randomWrites(c, expected, 22, 100);
    expect(firstDiff(readAll(c), expected)).toBe(-1);
    c.close();
    const raw = join(dir, 'chain.raw');
    writeRaw(raw, expected);
    expect(qemuImg(['check', child]).status).toBe(0);
    expect(qemuImgOk(['compare', child, raw])).toContain('Images are identical');
  });
});
