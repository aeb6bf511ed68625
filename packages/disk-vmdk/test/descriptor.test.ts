import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { writeSparseExtent } from '../src/create.js';
import { createVmdk, parseDescriptor, serializeDescriptor, VmdkImage } from '../src/index.js';
import { readAll, tempDir, testContent } from './helpers.js';

describe('descriptors', () => {
  it('round-trips keys, extents and the disk database', () => {
    const text = `# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=12345678
createType="vmfs"
parentFileNameHint="../base.vmdk"

# Extent description
RW 2048 VMFS "a-flat.vmdk" 0
RDONLY 1024 ZERO
RW 4096 FLAT "b.bin" 128

#DDB
ddb.adapterType = "lsilogic"
`;
    const d = parseDescriptor(text, 'x.vmdk');
    expect(d).toMatchObject({
      cid: 0xfffffffe,
      parentCid: 0x12345678,
      createType: 'vmfs',
      parentFileNameHint: '../base.vmdk',
    });
    expect(d.extents).toEqual([
      { access: 'RW', sectors: 2048, type: 'VMFS', file: 'a-flat.vmdk', offset: 0 },
      { access: 'RDONLY', sectors: 1024, type: 'ZERO', file: null, offset: 0 },
      { access: 'RW', sectors: 4096, type: 'FLAT', file: 'b.bin', offset: 128 },
    ]);
    expect(parseDescriptor(serializeDescriptor(d), 'y.vmdk')).toEqual(d);
  });

  it('names the file and line of a bad line', () => {
    expect(() => parseDescriptor('createType="vmfs"\nRW 10 SPARSE\n', 'x.vmdk')).toThrow(
      /x\.vmdk: descriptor line 2: a SPARSE extent needs a quoted file name/,
    );
    expect(() => parseDescriptor('createType="vmfs"\nCID=xyz\nRW 1 ZERO\n', 'x.vmdk')).toThrow(
      /CID=xyz is not a 32-bit hex number/,
    );
    expect(() => parseDescriptor('createType="vmfs"\nRW 1 SESPARSE "a"\n', 'x.vmdk')).toThrow(BlockError);
  });

  it('a vmfs disk of VMFS, ZERO and FLAT-with-offset extents reads and writes each as it should', () => {
    const dir = tempDir();
    const a = testContent(2048 * 512, 1);
    const b = testContent((4096 + 128) * 512, 2);
    writeFileSync(join(dir, 'a-flat.vmdk'), a);
    writeFileSync(join(dir, 'b.bin'), b);
    const path = join(dir, 'x.vmdk');
    writeFileSync(
      path,
      '# Disk DescriptorFile\nversion=1\nCID=00000001\nparentCID=ffffffff\ncreateType="vmfs"\nRW 2048 VMFS "a-flat.vmdk" 0\nRDONLY 1024 ZERO\nRW 4096 FLAT "b.bin" 128\n',
    );
    const img = VmdkImage.open(path);
    expect(img.sectorCount).toBe(2048 + 1024 + 4096);
    const all = readAll(img);
    expect(Buffer.compare(all.subarray(0, 2048 * 512), a)).toBe(0);
    expect(all.subarray(2048 * 512, 3072 * 512).every((x) => x === 0)).toBe(true);
    expect(Buffer.compare(all.subarray(3072 * 512), b.subarray(128 * 512))).toBe(0);
    expect(() => img.write(2500, new Uint8Array(512))).toThrow(/ZERO extent/);
    img.write(3072, new Uint8Array(1024).fill(4));
    const back = new Uint8Array(1024);
    img.read(3072, back);
    expect(back.every((x) => x === 4)).toBe(true);
    img.close();
  });
});

describe('CID on first write', () => {
  it('changes only the CID digits of an embedded or separate descriptor, and only once', () => {
    const dir = tempDir();
    for (const subformat of ['monolithicSparse', 'monolithicFlat'] as const) {
      const path = join(dir, `${subformat}.vmdk`);
      createVmdk(path, 1024 * 1024, { subformat });
      const before = readFileSync(path).toString('latin1');
      const img = VmdkImage.open(path);
      const oldCid = img.descriptor.cid;
      img.read(0, new Uint8Array(512));
      expect(readFileSync(path).toString('latin1')).toBe(before);
      img.write(0, new Uint8Array(512).fill(1));
      const newCid = img.descriptor.cid;
      img.write(1, new Uint8Array(512).fill(1));
      img.close();
      expect(newCid).not.toBe(oldCid);
      const after = readFileSync(path).toString('latin1');
      const hex = (n: number) => n.toString(16).padStart(8, '0');
      expect(after.slice(0, 4096)).toBe(
        before.slice(0, 4096).replace(`CID=${hex(oldCid)}`, `CID=${hex(newCid)}`),
      );
      const again = VmdkImage.open(path, { readOnly: true });
      expect(again.descriptor.cid).toBe(newCid);
      again.close();
    }
  });
});

describe('a monolithicSparse file is its own extent', () => {
  it('opens after a rename, as in QEMU, without touching the file its descriptor names', () => {
    const dir = tempDir();
    const original = join(dir, 'original.vmdk');
    createVmdk(original, 1024 * 1024, {});
    const img = VmdkImage.open(original);
    img.write(0, new Uint8Array(512).fill(5));
    img.close();
    const copy = join(dir, 'renamed.vmdk');
    writeFileSync(copy, readFileSync(original));
    const renamed = VmdkImage.open(copy);
    renamed.write(1, new Uint8Array(512).fill(6));
    const back = new Uint8Array(1024);
    renamed.read(0, back);
    renamed.close();
    expect([back[0], back[512]]).toEqual([5, 6]);
    const first = VmdkImage.open(original, { readOnly: true });
    first.read(0, back);
    first.close();
    expect([back[0], back[512]]).toEqual([5, 0]);
  });
});

describe('vmfsSparse', () => {
  it('reads and writes a VMFSSPARSE extent that is a hosted sparse file', () => {
    const dir = tempDir();
    writeSparseExtent(join(dir, 'x-delta.vmdk'), 4096, null, false);
    const path = join(dir, 'x.vmdk');
    writeFileSync(
      path,
      '# Disk DescriptorFile\nCID=0000abcd\ncreateType="vmfsSparse"\nRW 4096 VMFSSPARSE "x-delta.vmdk"\n',
    );
    const img = VmdkImage.open(path);
    img.write(7, new Uint8Array(512).fill(3));
    img.close();
    const again = VmdkImage.open(path, { readOnly: true });
    const back = new Uint8Array(1024);
    again.read(6, back);
    again.close();
    expect([back[0], back[512]]).toEqual([0, 3]);
    expect(readFileSync(path, 'latin1')).toMatch(/CID=[0-9a-f]{8}\n/);
    expect(readFileSync(path, 'latin1')).not.toContain('CID=0000abcd');
  });
});
