import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BlockBackend,
  buildMachine,
  createDeviceContext,
  createMachineParts,
  loadProfile,
  PluginRegistry,
  Tokens,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createVmdk, fileDrive, plugins, VmdkImage } from '../src/index.js';
import { tempDir } from './helpers.js';

const system = { requestReset() {}, requestShutdown() {} };

function build(dir: string, config: Record<string, unknown>) {
  const registry = new PluginRegistry();
  registry.addPackage({ plugins });
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  const ctx = createDeviceContext(parts, system, { id: 'hd0', baseDir: dir });
  return fileDrive.create(ctx, registry.validateConfig('file', config, '/drives/hd0/config') as never);
}

describe('file drive plugin over VMDK', () => {
  const dir = tempDir('pb-drive-');
  createVmdk(join(dir, 'sparse.vmdk'), 8 * 1024 * 1024, {});
  createVmdk(join(dir, 'flat.vmdk'), 8 * 1024 * 1024, { subformat: 'monolithicFlat' });

  it('probes a sparse VMDK by its magic and a descriptor file by its first line', async () => {
    for (const name of ['sparse.vmdk', 'flat.vmdk']) {
      const drive = await build(dir, { file: name });
      expect(drive.format).toBe('vmdk');
      expect(drive.sectorCount).toBe(16384);
      drive.write(100, new Uint8Array(1024).fill(0x33));
      drive.flush();
      drive.destroy();
      const img = VmdkImage.open(join(dir, name), { readOnly: true });
      const got = new Uint8Array(1024);
      img.read(100, got);
      expect(got.every((b) => b === 0x33)).toBe(true);
      img.close();
    }
  });

  it('refuses a second writer of the same VMDK, as QEMU does', async () => {
    const first = await build(dir, { file: 'sparse.vmdk' });
    await expect(async () => build(dir, { file: 'sparse.vmdk' })).rejects.toThrow(
      /already open for writing by this process/,
    );
    first.destroy();
  });

  it('snapshot keeps the VMDK untouched, CID included', async () => {
    const path = join(dir, 'sparse.vmdk');
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const drive = await build(dir, { file: 'sparse.vmdk', snapshot: true });
    drive.write(0, new Uint8Array(65536 * 2).fill(9));
    const back = new Uint8Array(512);
    drive.read(1, back);
    expect(back[0]).toBe(9);
    drive.destroy();
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
  });

  it('a streamOptimized disk is read-only unless the drive is a snapshot', async () => {
    const path = join(dir, 'stream.vmdk');
    createVmdk(path, 1024 * 1024, { subformat: 'streamOptimized' });
    await expect(async () => build(dir, { file: 'stream.vmdk' })).rejects.toThrow(
      /streamOptimized.*read-only/,
    );
    const drive = await build(dir, { file: 'stream.vmdk', snapshot: true });
    drive.write(0, new Uint8Array(512).fill(1));
    drive.destroy();
  });
});

describe('file drives in a machine profile', () => {
  it('builds, binds the drive as a BlockBackend under its id, and releases the image on destroy', async () => {
    const dir = tempDir('pb-profile-');
    createVmdk(join(dir, 'disk.vmdk'), 4 * 1024 * 1024, { subformat: 'twoGbMaxExtentSparse' });
    const profile = join(dir, 'machine.json');
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'disks',
        memory: '1M',
        drives: { hd0: { type: 'file', config: { file: 'disk.vmdk' } } },
      }),
    );
    const registry = new PluginRegistry();
    registry.addPackage({ plugins });
    const machine = await buildMachine(loadProfile(profile), registry);
    const drive = machine.container.get<BlockBackend>(Tokens.BlockBackend, { name: 'hd0' });
    expect(drive.sectorCount).toBe(8192);
    drive.write(8191, new Uint8Array(512).fill(7));
    await machine.destroy();
    expect(existsSync(join(dir, 'disk.vmdk.lock'))).toBe(false);
    const img = VmdkImage.open(join(dir, 'disk.vmdk'), { readOnly: true });
    const back = new Uint8Array(512);
    img.read(8191, back);
    img.close();
    expect(back[0]).toBe(7);
  });
});
