import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createVmdk, runImg, StreamOptimizedWriter, VmdkImage } from '../src/index.js';
import { collector, readAll, tempDir, testContent } from './helpers.js';

/** Hash and mtime of every file in `dir`: a hostile image must leave all of them alone. */
function snapshot(dir: string): string {
  return readdirSync(dir)
    .filter((f) => !f.endsWith('.lock'))
    .sort()
    .map(
      (f) =>
        `${f}:${statSync(join(dir, f)).mtimeMs}:${createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex')}`,
    )
    .join('\n');
}

/** A 1 MiB monolithicSparse disk with its first 8 grains written; returns its path. */
function sparseDisk(dir: string, name = 'disk.vmdk'): string {
  const path = join(dir, name);
  createVmdk(path, 1024 * 1024, {});
  const img = VmdkImage.open(path);
  img.write(
    0,
    testContent(8 * 65536, 5).map((b) => b | 1),
  );
  img.close();
  return path;
}

function patch(path: string, offset: number, bytes: number[] | Uint8Array): void {
  const data = new Uint8Array(readFileSync(path));
  data.set(bytes, offset);
  writeFileSync(path, data);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

/** Opens (read-only, then for writing) and reads everything: expects a BlockError matching `message`, and no file changed. */
async function expectRefused(dir: string, path: string, message: RegExp): Promise<void> {
  const before = snapshot(dir);
  for (const readOnly of [true, false]) {
    let error: unknown = null;
    try {
      const img = VmdkImage.open(path, { readOnly });
      try {
        readAll(img);
      } finally {
        img.close();
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BlockError);
    // Opening for writing may stop earlier (a streamOptimized disk is read-only), still naming the file.
    expect((error as Error).message).toMatch(readOnly ? message : /vmdk/);
  }
  const c = collector();
  expect(await runImg(['check', path], c.io)).toBe(2);
  expect(c.out()).toMatch(/^ERROR: .*vmdk/);
  expect(snapshot(dir)).toBe(before);
}

// Layout of a 1 MiB monolithicSparse as createVmdk writes it: header, descriptor at 1 (20 sectors),
// redundant directory at 21, its table at 22, directory at 26, table at 27, grains from 128.
const GD = 26 * 512;
const GT = 27 * 512;

describe('hostile VMDK images are refused with a clear error, untouched', () => {
  it('a file truncated inside its header', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    writeFileSync(path, readFileSync(path).subarray(0, 300));
    await expectRefused(dir, path, /disk\.vmdk.*(too short|past the end)/);
  });

  it('a file truncated inside its grains', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    writeFileSync(path, readFileSync(path).subarray(0, 128 * 512 + 3 * 65536));
    await expectRefused(
      dir,
      path,
      /disk\.vmdk: grain table 0 entry 3 at offset \d+ points to sector \d+, past the end of the file/,
    );
  });

  it('a grain directory entry past the end of the file', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, GD, u32(0x00ffff00));
    await expectRefused(
      dir,
      path,
      new RegExp(`grain directory entry 0 at offset ${GD} points to sector ${0xffff00}, outside the file`),
    );
  });

  it('a grain table entry pointing into the metadata', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, GT + 4, u32(21));
    await expectRefused(
      dir,
      path,
      new RegExp(
        `grain table 0 entry 1 at offset ${GT + 4} points to sector 21, inside the extent's metadata`,
      ),
    );
  });

  it('a grain directory entry pointing into the embedded descriptor', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, GD, u32(2));
    await expectRefused(
      dir,
      path,
      /disk\.vmdk: embedded descriptor overlaps grain table 0 of the grain directory/,
    );
  });

  it('two directory entries sharing one grain table', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.vmdk');
    createVmdk(path, 64 * 1024 * 1024, {});
    // 64 MiB: 2 tables; point the second directory entry at the first table.
    const data = new Uint8Array(readFileSync(path));
    const dv = new DataView(data.buffer);
    const gd = Number(dv.getBigUint64(56, true)) * 512;
    dv.setUint32(gd + 4, dv.getUint32(gd, true), true);
    writeFileSync(path, data);
    await expectRefused(
      dir,
      path,
      /big\.vmdk: grain table 0 of the grain directory overlaps grain table 1 of the grain directory/,
    );
  });

  it('an absurd capacity', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, 12, [0, 0, 0, 0, 0, 2, 0, 0]);
    await expectRefused(dir, path, /disk\.vmdk: header at offset 12: capacity \d+ sectors is absurd/);
  });

  it('a capacity whose grain directory cannot fit in the file', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, 12, [0, 0, 0, 0, 0x10, 0, 0, 0]);
    await expectRefused(
      dir,
      path,
      /disk\.vmdk: (descriptor says|grain directory at sector|header at offset 12: capacity \d+ sectors in grains)/,
    );
  });

  it('a grain size that is not a power of two', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, 20, [100, 0, 0, 0]);
    await expectRefused(dir, path, /header at offset 20: grainSize 100/);
  });

  it('descriptor garbage', async () => {
    const dir = tempDir();
    const path = sparseDisk(dir);
    patch(path, 512 + 60, new TextEncoder().encode('\x01\x02garbage here!\n'));
    await expectRefused(
      dir,
      path,
      /disk\.vmdk \(descriptor at offset 512\): descriptor line \d+: expected key=value/,
    );
  });

  it('a descriptor file that lists no extents or an unknown createType', async () => {
    const dir = tempDir();
    const path = join(dir, 'text.vmdk');
    writeFileSync(
      path,
      '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\n',
    );
    await expectRefused(dir, path, /text\.vmdk: descriptor lists no extents/);
    writeFileSync(path, '# Disk DescriptorFile\ncreateType="fullDevice"\nRW 100 FLAT "x" 0\n');
    await expectRefused(dir, path, /createType "fullDevice" is not supported/);
  });

  it('a descriptor that is its own extent, lists one file twice, or lists too many extents', async () => {
    const dir = tempDir();
    const path = join(dir, 'text.vmdk');
    writeFileSync(join(dir, 'data.bin'), new Uint8Array(65536));
    const head = '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\n';
    writeFileSync(path, `${head}RW 8 FLAT "text.vmdk" 0\n`);
    await expectRefused(dir, path, /text\.vmdk: extent file text\.vmdk is the descriptor itself/);
    writeFileSync(path, `${head}RW 8 FLAT "data.bin" 0\nRW 8 FLAT "data.bin" 8\n`);
    await expectRefused(dir, path, /text\.vmdk: extent file data\.bin is listed twice/);
    writeFileSync(path, `${head}${'RW 1 ZERO\n'.repeat(5000)}`);
    await expectRefused(dir, path, /text\.vmdk: descriptor lists 5000 extents \(limit 4096\)/);
  });

  it('a compressed grain that inflates beyond a grain', async () => {
    const dir = tempDir();
    const path = join(dir, 'stream.vmdk');
    const w = new StreamOptimizedWriter(
      path,
      2048,
      '# Disk DescriptorFile\ncreateType="streamOptimized"\nRW 2048 SPARSE "stream.vmdk"\n',
    );
    w.writeGrain(
      0,
      testContent(65536, 3).map((b) => b | 1),
    );
    w.finish();
    // Grain 0's marker is at sector 128: swap its data for a stream that inflates to two grains.
    const bomb = deflateSync(new Uint8Array(2 * 65536));
    patch(path, 128 * 512 + 8, [...u32(bomb.length), ...bomb]);
    await expectRefused(
      dir,
      path,
      new RegExp(
        `stream\\.vmdk: compressed grain 0 at offset ${128 * 512}: inflates beyond a grain \\(65536 bytes\\)`,
      ),
    );
  });

  it('a parent chain that loops', async () => {
    const dir = tempDir();
    const a = sparseDisk(dir, 'a.vmdk');
    const b = sparseDisk(dir, 'b.vmdk');
    const setParent = (path: string, hint: string) => {
      const data = new Uint8Array(readFileSync(path));
      const text = new TextDecoder().decode(data.subarray(512, 512 * 21)).replace(/\0+$/, '');
      const withParent = text
        .replace(/parentCID=ffffffff/, 'parentCID=00000000')
        .replace(/CID=[0-9a-f]+\n/, 'CID=00000000\n')
        .replace(
          'createType="monolithicSparse"',
          `createType="monolithicSparse"\nparentFileNameHint="${hint}"`,
        );
      const area = new Uint8Array(20 * 512);
      area.set(new TextEncoder().encode(withParent));
      data.set(area, 512);
      writeFileSync(path, data);
    };
    setParent(a, 'b.vmdk');
    setParent(b, 'a.vmdk');
    await expectRefused(
      dir,
      a,
      /a\.vmdk: parent chain loops back on itself: .*a\.vmdk -> .*b\.vmdk -> .*a\.vmdk/,
    );
  });

  it('a parent whose CID no longer matches', async () => {
    const dir = tempDir();
    const base = sparseDisk(dir, 'base.vmdk');
    const child = join(dir, 'child.vmdk');
    createVmdk(child, 1024 * 1024, { backingFile: base });
    const img = VmdkImage.open(base);
    img.write(0, new Uint8Array(512).fill(7));
    img.close();
    await expectRefused(
      dir,
      child,
      /child\.vmdk: CID mismatch: parentCID=[0-9a-f]{8} but parent .*base\.vmdk has CID=/,
    );
  });
});
