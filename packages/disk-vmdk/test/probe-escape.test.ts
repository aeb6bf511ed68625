import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { fileDrive, plugins } from '../src/index.js';
import { tempDir } from './helpers.js';

const system = { requestReset() {}, requestShutdown() {} };

/** Builds a drive exactly as `-hda FILE` does: `{ type: "file", config: { file } }`, format probed. */
function hda(dir: string, config: Record<string, unknown>) {
  const registry = new PluginRegistry();
  registry.addPackage({ plugins });
  const parts = createMachineParts({ memoryBytes: 1 << 20 });
  const ctx = createDeviceContext(parts, system, { id: 'hda', baseDir: dir });
  return fileDrive.create(ctx, registry.validateConfig('file', config, '/drives/hda/config') as never);
}

const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A raw disk whose sector 0 a guest has filled with a VMDK descriptor. */
function rawWithDescriptor(path: string, lines: string[]): void {
  const disk = new Uint8Array(1024 * 1024);
  disk.set(new TextEncoder().encode(`# Disk DescriptorFile\n${lines.join('\n')}\n`));
  writeFileSync(path, disk);
}

describe('a probed image never reaches files outside its directory', () => {
  const root = tempDir('pb-escape-');
  const vmDir = join(root, 'vm');
  mkdirSync(vmDir);
  const secret = join(root, 'host-secret.bin');
  writeFileSync(secret, new Uint8Array(64 * 1024).fill(0x5a));

  it('refuses a FLAT extent naming a host file outside the directory, leaving the file untouched', async () => {
    const disk = join(vmDir, 'guest.img');
    rawWithDescriptor(disk, ['version=1', 'createType="monolithicFlat"', `RW 128 FLAT "${secret}" 0`]);
    const before = hash(secret);
    const mtime = statSync(secret).mtimeMs;
    await expect(async () => hda(vmDir, { file: 'guest.img' })).rejects.toThrow(
      /extent .*host-secret\.bin lies outside the image's directory/,
    );
    // A relative path that climbs out is the same escape.
    rawWithDescriptor(disk, [
      'version=1',
      'createType="monolithicFlat"',
      'RW 128 FLAT "../host-secret.bin" 0',
    ]);
    await expect(async () => hda(vmDir, { file: 'guest.img' })).rejects.toThrow(/lies outside/);
    expect(hash(secret)).toBe(before);
    expect(statSync(secret).mtimeMs).toBe(mtime);
  });

  it('refuses a parent outside the directory and a symlink inside it that leads out', async () => {
    const disk = join(vmDir, 'child.img');
    rawWithDescriptor(disk, [
      'version=1',
      'CID=12345678',
      'parentCID=fffffffe',
      'createType="monolithicFlat"',
      'parentFileNameHint="../host-secret.bin"',
      'RW 128 ZERO',
    ]);
    await expect(async () => hda(vmDir, { file: 'child.img' })).rejects.toThrow(/parent .* lies outside/);
    symlinkSync(secret, join(vmDir, 'innocent-flat.bin'));
    rawWithDescriptor(disk, [
      'version=1',
      'createType="monolithicFlat"',
      'RW 128 FLAT "innocent-flat.bin" 0',
    ]);
    await expect(async () => hda(vmDir, { file: 'child.img' })).rejects.toThrow(/lies outside/);
  });

  it('with the format named and externalFiles, a VMDK may name an outside extent; probing never may', async () => {
    const disk = join(vmDir, 'shared.vmdk');
    rawWithDescriptor(disk, ['version=1', 'createType="monolithicFlat"', `RDONLY 128 FLAT "${secret}" 0`]);
    await expect(async () => hda(vmDir, { file: 'shared.vmdk', externalFiles: true })).rejects.toThrow(
      /lies outside/,
    );
    const drive = await hda(vmDir, {
      file: 'shared.vmdk',
      format: 'vmdk',
      externalFiles: true,
      readOnly: true,
    });
    const got = new Uint8Array(512);
    drive.read(0, got);
    expect(got.every((b) => b === 0x5a)).toBe(true);
    drive.destroy();
  });

  it('refuses a guest write that would make a probed raw image open as VMDK next time', async () => {
    const disk = join(vmDir, 'plain.img');
    writeFileSync(disk, new Uint8Array(1024 * 1024));
    const drive = await hda(vmDir, { file: 'plain.img' });
    expect(drive.format).toBe('raw');
    const sector0 = new Uint8Array(512);
    sector0.set(new TextEncoder().encode(`# Disk DescriptorFile\nRW 128 FLAT "${secret}" 0\n`));
    expect(() => drive.write(0, sector0)).toThrow(/write to sector 0 refused: .* open as vmdk/);
    const kdmv = new Uint8Array(4096);
    kdmv.set([0x4b, 0x44, 0x4d, 0x56]);
    expect(() => drive.write(0, kdmv)).toThrow(/refused/);
    // An ordinary MBR write and writes past the probed bytes go through.
    const mbr = new Uint8Array(512);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    drive.write(0, mbr);
    drive.write(200, sector0);
    drive.destroy();
    const after = readFileSync(disk);
    expect(after[510]).toBe(0x55);
    expect(after.subarray(0, 21).toString()).not.toBe('# Disk DescriptorFile');
    // Naming the format lifts the guard: the user said the file is raw.
    const named = await hda(vmDir, { file: 'plain.img', format: 'raw' });
    named.write(0, sector0);
    named.destroy();
    expect(readFileSync(disk).subarray(0, 21).toString()).toBe('# Disk DescriptorFile');
  });
});
