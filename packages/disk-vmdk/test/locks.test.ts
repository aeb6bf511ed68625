import { linkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createVmdk, fileDrive, plugins } from '../src/index.js';
import { tempDir } from './helpers.js';

const system = { requestReset() {}, requestShutdown() {} };

/** A drive as the CLI builds it (`-hda`, `-cdrom` add `readOnly`, `-snapshot` adds `snapshot`). */
function drive(dir: string, id: string, config: Record<string, unknown>) {
  const registry = new PluginRegistry();
  registry.addPackage({ plugins });
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  const ctx = createDeviceContext(parts, system, { id, baseDir: dir });
  return fileDrive.create(ctx, registry.validateConfig('file', config, `/drives/${id}/config`) as never);
}

describe('image locks cover every file a drive uses', () => {
  it('a hard link to an open VMDK is refused as a second writer', async () => {
    const dir = tempDir('pb-locks-');
    createVmdk(join(dir, 'disk.vmdk'), 4 * 1024 * 1024, {});
    linkSync(join(dir, 'disk.vmdk'), join(dir, 'alias.vmdk'));
    const first = await drive(dir, 'hda', { file: 'disk.vmdk' });
    await expect(async () => drive(dir, 'hdb', { file: 'alias.vmdk' })).rejects.toThrow(
      /alias\.vmdk: image is already open for writing by this process/,
    );
    first.destroy();
    (await drive(dir, 'hdb', { file: 'alias.vmdk' })).destroy();
  });

  it('two disks whose descriptors name one extent cannot both write it', async () => {
    const dir = tempDir('pb-locks-');
    writeFileSync(join(dir, 'shared-flat.vmdk'), new Uint8Array(1024 * 1024));
    for (const name of ['a.vmdk', 'b.vmdk'])
      writeFileSync(
        join(dir, name),
        '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "shared-flat.vmdk" 0\n',
      );
    const a = await drive(dir, 'hda', { file: 'a.vmdk' });
    await expect(async () => drive(dir, 'hdb', { file: 'b.vmdk' })).rejects.toThrow(
      /shared-flat\.vmdk: image is already open for writing by this process/,
    );
    // Nor can the extent be opened directly as a raw disk, nor read as a snapshot base meanwhile.
    await expect(async () => drive(dir, 'hdc', { file: 'shared-flat.vmdk' })).rejects.toThrow(/already open/);
    a.destroy();
    const b = await drive(dir, 'hdb', { file: 'b.vmdk' });
    b.destroy();
  });

  it('the base of a snapshot drive is locked against writers', async () => {
    const dir = tempDir('pb-locks-');
    createVmdk(join(dir, 'base.vmdk'), 4 * 1024 * 1024, {});
    const snap = await drive(dir, 'hda', { file: 'base.vmdk', snapshot: true });
    await expect(async () => drive(dir, 'hdb', { file: 'base.vmdk' })).rejects.toThrow(
      /base\.vmdk: image is already open read-only by this process/,
    );
    snap.destroy();
    (await drive(dir, 'hdb', { file: 'base.vmdk' })).destroy();
  });

  it("the seed's line: one image as the disk and, read-only, the CD-ROM, which reads through the disk's open image", async () => {
    const dir = tempDir('pb-locks-');
    createVmdk(join(dir, 'x.vmdk'), 4 * 1024 * 1024, {});
    // plugboard qemu -hda x.vmdk -cdrom x.vmdk -boot d
    const hda = await drive(dir, 'hda', { file: 'x.vmdk' });
    const cdrom = await drive(dir, 'cdrom', { file: 'x.vmdk', readOnly: true });
    expect(cdrom.readOnly).toBe(true);
    expect(cdrom.format).toBe('vmdk');
    hda.write(64, new Uint8Array(512).fill(0x42));
    const seen = new Uint8Array(512);
    cdrom.read(64, seen);
    expect(seen.every((b) => b === 0x42)).toBe(true);
    expect(() => cdrom.write(0, new Uint8Array(512))).toThrow(/read-only/);
    cdrom.destroy();
    hda.destroy();
    // Everything released: a new writer gets it.
    (await drive(dir, 'hda', { file: 'x.vmdk' })).destroy();
  });
});
