import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, type MachineParts } from '@plugboard/core';
import {
  FirmwareError,
  firmwareCacheDir,
  loadOptionRom,
  resolveFirmware,
  romPlugin,
  type SeabiosDevice,
  seabiosPlugin,
} from '@plugboard/firmware';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const system = { requestReset: () => {}, requestShutdown: () => {} };
let dir: string;
let parts: MachineParts;
const savedCache = process.env.PLUGBOARD_CACHE;

/** A synthetic image: each 64 KiB block starts with its index, the last 16 bytes are a marker. */
function image(size: number): Uint8Array {
  const img = new Uint8Array(size);
  for (let i = 0; i < size; i += 0x10000) img[i] = i / 0x10000;
  img.set([0xea, 0x5b, 0xe0, 0x00, 0xf0], size - 16);
  return img;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugboard-fw-'));
  process.env.PLUGBOARD_CACHE = join(dir, 'cache');
  mkdirSync(firmwareCacheDir(), { recursive: true });
  parts = createMachineParts({ memoryBytes: 2 * 1024 * 1024 });
});

afterEach(() => {
  if (savedCache === undefined) delete process.env.PLUGBOARD_CACHE;
  else process.env.PLUGBOARD_CACHE = savedCache;
});

function ctx(id = 'bios') {
  return createDeviceContext(parts, system, { id, baseDir: dir });
}

describe('seabios plugin', () => {
  it('maps the image below 4 GiB and its last 128 KiB at 0xE0000, read-only', () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    seabiosPlugin.create(ctx(), { bios: 'bios-256k.bin', bootorder: [] });
    const m = parts.memory;
    expect(m.read8(0xfffc0000)).toBe(0);
    expect(m.read8(0xfffd0000)).toBe(1);
    expect(m.read8(0xfffffff0)).toBe(0xea);
    expect(m.read8(0xffff0)).toBe(0xea);
    expect(m.read8(0xe0000)).toBe(2);
    expect(m.read8(0xf0000)).toBe(3);
    m.write8(0xffff0, 0x90);
    m.write8(0xfffffff0, 0x90);
    expect(m.read8(0xffff0)).toBe(0xea);
    expect(m.read8(0xfffffff0)).toBe(0xea);
    expect(m.read8(0xdffff)).toBe(0);
  });

  it('maps a 128 KiB image whole in both places', () => {
    writeFileSync(join(dir, 'bios.bin'), image(0x20000));
    seabiosPlugin.create(ctx(), { bios: './bios.bin', bootorder: [] });
    expect(parts.memory.read8(0xfffe0000)).toBe(0);
    expect(parts.memory.read8(0xe0000)).toBe(0);
    expect(parts.memory.read8(0xf0000)).toBe(1);
  });

  it('looks in the -L directory before the cache', () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    mkdirSync(join(dir, 'L'));
    const other = image(0x40000);
    other[0] = 0x77;
    writeFileSync(join(dir, 'L', 'bios-256k.bin'), other);
    const bios = seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      path: 'L',
      bootorder: [],
    }) as SeabiosDevice;
    expect(bios.file).toBe(join(dir, 'L', 'bios-256k.bin'));
    expect(parts.memory.read8(0xfffc0000)).toBe(0x77);
  });

  it('names the fetch command when the image is missing', () => {
    expect(() => seabiosPlugin.create(ctx(), { bios: 'no-such-bios.bin', bootorder: [] })).toThrow(
      /no-such-bios\.bin" not found in .*npm run fetch/,
    );
  });

  it('rejects an image that is not whole 64 KiB blocks', () => {
    writeFileSync(join(dir, 'odd.bin'), new Uint8Array(0x10001));
    expect(() => seabiosPlugin.create(ctx(), { bios: 'odd.bin', path: '.', bootorder: [] })).toThrow(
      /odd\.bin: firmware size 65537 bytes is not a multiple of 64 KiB/,
    );
  });

  it('puts bootorder into fw_cfg in realize', () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    const files = new Map<string, Uint8Array>();
    parts.container
      .bind(Symbol.for('plugboard.fwcfg'))
      .toConstantValue({ addFile: (n: string, d: Uint8Array) => files.set(n, d) });
    const bios = seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      bootorder: ['/pci@i0cf8/ide@1,1/drive@0/disk@0', '/rom@genroms/pxe'],
    }) as SeabiosDevice;
    bios.realize();
    expect(new TextDecoder().decode(files.get('bootorder'))).toBe(
      '/pci@i0cf8/ide@1,1/drive@0/disk@0\n/rom@genroms/pxe\n',
    );
  });
});

describe('rom plugin', () => {
  it('ends an odd-sized ROM at 0xFFFFFFFF, padded with 0xFF, and aliases it below 1 MiB', () => {
    const rom = new Uint8Array(5000).fill(0x11);
    rom[4999] = 0xf4;
    writeFileSync(join(dir, 'boot.rom'), rom);
    romPlugin.create(ctx('rom'), { image: 'boot.rom' });
    expect(parts.memory.read8(0xffffffff)).toBe(0xf4);
    expect(parts.memory.read8(0xffffffff - 4999)).toBe(0x11);
    expect(parts.memory.read8(0xffffffff - 5000)).toBe(0xff);
    expect(parts.memory.read8(0xfffff)).toBe(0xf4);
    expect(parts.memory.read8(0xfe000)).toBe(0xff);
  });

  it('says which file is missing', () => {
    expect(() => romPlugin.create(ctx('rom'), { image: 'nope.rom' })).toThrow(FirmwareError);
    expect(() => romPlugin.create(ctx('rom'), { image: 'nope.rom' })).toThrow(/nope\.rom/);
  });
});

describe('resolveFirmware and loadOptionRom', () => {
  it('finds option ROMs in the cache and returns their bytes', () => {
    writeFileSync(join(firmwareCacheDir(), 'efi-rtl8139.rom'), Uint8Array.of(0x55, 0xaa, 4));
    expect(resolveFirmware('efi-rtl8139.rom')).toBe(join(firmwareCacheDir(), 'efi-rtl8139.rom'));
    expect(Array.from(loadOptionRom('efi-rtl8139.rom'))).toEqual([0x55, 0xaa, 4]);
  });

  it('takes a path with a slash as a path, relative to the base directory', () => {
    writeFileSync(join(dir, 'x.rom'), Uint8Array.of(1));
    expect(resolveFirmware('./x.rom', [], dir)).toBe(join(dir, 'x.rom'));
    expect(() => resolveFirmware('./y.rom', [], dir)).toThrow(/y\.rom does not exist/);
  });

  it('derives the cache from PLUGBOARD_CACHE, then XDG_CACHE_HOME', () => {
    expect(firmwareCacheDir({ PLUGBOARD_CACHE: '/c' })).toBe('/c/firmware');
    expect(firmwareCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/plugboard/firmware');
  });
});
