import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createFilePlugin, isoFormat, rawFormat } from '../src/index.js';

const system = { requestReset() {}, requestShutdown() {} };

describe('file drive plugin', () => {
  const plugin = createFilePlugin([isoFormat, rawFormat]);
  const dir = mkdtempSync(join(tmpdir(), 'pb-file-'));
  const iso = new Uint8Array(20 * 2048);
  iso.set(new TextEncoder().encode('\x01CD001'), 0x8000);
  writeFileSync(join(dir, 'cd.iso'), iso);
  writeFileSync(join(dir, 'hd.img'), new Uint8Array(8192).fill(0x5a));

  function build(config: Record<string, unknown>) {
    const registry = new PluginRegistry();
    registry.add(plugin);
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const ctx = createDeviceContext(parts, system, { id: 'hd0', baseDir: dir });
    return plugin.create(ctx, registry.validateConfig('file', config, '/drives/hd0/config') as never);
  }

  it('probes ISO by CD001 at 0x8001 and reports 2048-byte sectors', async () => {
    const drive = await build({ file: 'cd.iso' });
    expect(drive.format).toBe('iso');
    expect(drive.readOnly).toBe(true);
    expect(() => drive.write(0, new Uint8Array(2048))).toThrow(/read-only/);
    expect(drive.sectorSize).toBe(2048);
    expect(drive.sectorCount).toBe(20);
    drive.destroy();
  });

  it('falls back to raw, and snapshot writes do not reach the file', async () => {
    const drive = await build({ file: 'hd.img', snapshot: true });
    expect(drive.format).toBe('raw');
    expect(drive.readOnly).toBe(false);
    drive.write(0, new Uint8Array(512));
    drive.destroy();
    const again = await build({ file: 'hd.img', readOnly: true });
    const buf = new Uint8Array(512);
    again.read(0, buf);
    expect(buf[0]).toBe(0x5a);
    expect(again.info()).toMatch(/raw, 16 sectors of 512 bytes/);
    again.destroy();
  });

  it('rejects unknown config keys and formats', () => {
    const registry = new PluginRegistry();
    registry.add(plugin);
    expect(() => registry.validateConfig('file', { file: 'x', cache: 1 }, '/drives/hd0/config')).toThrow(
      /cache/,
    );
    expect(() =>
      registry.validateConfig('file', { file: 'x', format: 'qcow2' }, '/drives/hd0/config'),
    ).toThrow(/format/);
  });
});
