import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, type MachineParts, Tokens } from '@plugboard/core';
import {
  FirmwareError,
  firmwareCacheDir,
  loadOptionRom,
  readSetupHeader,
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
  it('maps the image below 4 GiB and its last 128 KiB at 0xE0000, read-only', async () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    await seabiosPlugin.create(ctx(), { bios: 'bios-256k.bin', bootorder: [], append: '' });
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

  it('maps a 128 KiB image whole in both places', async () => {
    writeFileSync(join(dir, 'bios.bin'), image(0x20000));
    await seabiosPlugin.create(ctx(), { bios: './bios.bin', bootorder: [], append: '' });
    expect(parts.memory.read8(0xfffe0000)).toBe(0);
    expect(parts.memory.read8(0xe0000)).toBe(0);
    expect(parts.memory.read8(0xf0000)).toBe(1);
  });

  it('looks in the -L directory before the cache', async () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    mkdirSync(join(dir, 'L'));
    const other = image(0x40000);
    other[0] = 0x77;
    writeFileSync(join(dir, 'L', 'bios-256k.bin'), other);
    const bios = (await seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      path: 'L',
      bootorder: [],
      append: '',
    })) as SeabiosDevice;
    expect(bios.file).toBe(join(dir, 'L', 'bios-256k.bin'));
    expect(parts.memory.read8(0xfffc0000)).toBe(0x77);
  });

  it("uses the machine's firmware directories (ctx.findFirmware) before the cache", async () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    mkdirSync(join(dir, 'machine-fw'));
    const other = image(0x40000);
    other[0] = 0x42;
    writeFileSync(join(dir, 'machine-fw', 'bios-256k.bin'), other);
    const c = createDeviceContext(parts, system, { id: 'bios', baseDir: dir }, ['machine-fw']);
    const bios = (await seabiosPlugin.create(c, {
      bios: 'bios-256k.bin',
      bootorder: [],
      append: '',
    })) as SeabiosDevice;
    expect(bios.file).toBe(join(dir, 'machine-fw', 'bios-256k.bin'));
    expect(parts.memory.read8(0xfffc0000)).toBe(0x42);
  });

  it('names the fetch command when the image is missing', async () => {
    await expect(
      seabiosPlugin.create(ctx(), { bios: 'no-such-bios.bin', bootorder: [], append: '' }),
    ).rejects.toThrow(/no-such-bios\.bin" not found in .*plugboard fetch-firmware.*apt-get install seabios/);
  });

  it('rejects an image that is not whole 64 KiB blocks', async () => {
    writeFileSync(join(dir, 'odd.bin'), new Uint8Array(0x10001));
    await expect(
      seabiosPlugin.create(ctx(), { bios: 'odd.bin', path: '.', bootorder: [], append: '' }),
    ).rejects.toThrow(/odd\.bin: firmware size 65537 bytes is not a multiple of 64 KiB/);
  });

  it('puts bootorder into fw_cfg in realize', async () => {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    const files = new Map<string, Uint8Array>();
    parts.container
      .bind(Tokens.FirmwareConfig)
      .toConstantValue({ addFile: (n: string, d: Uint8Array) => files.set(n, d) });
    const bios = (await seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      bootorder: ['/pci@i0cf8/ide@1,1/drive@0/disk@0', '/rom@genroms/pxe'],
      append: '',
    })) as SeabiosDevice;
    bios.realize();
    expect(new TextDecoder().decode(files.get('bootorder'))).toBe(
      '/pci@i0cf8/ide@1,1/drive@0/disk@0\n/rom@genroms/pxe\n',
    );
  });
});

/** A minimal bzImage: 4 setup sectors after the boot sector, protocol 2.15, loaded high. */
function bzImage(bodySize: number): Uint8Array {
  const k = new Uint8Array(5 * 512 + bodySize);
  const v = new DataView(k.buffer);
  k[0x1f1] = 4;
  v.setUint16(0x1fe, 0xaa55, true);
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, 0x20f, true);
  k[0x211] = 0x01;
  v.setUint32(0x22c, 0x7fffffff, true);
  k.fill(0x77, 5 * 512);
  return k;
}

describe('seabios direct Linux boot and boot settings', () => {
  function withServices() {
    writeFileSync(join(firmwareCacheDir(), 'bios-256k.bin'), image(0x40000));
    writeFileSync(join(firmwareCacheDir(), 'linuxboot_dma.bin'), Uint8Array.of(0x55, 0xaa, 3));
    const files = new Map<string, Uint8Array>();
    const items = new Map<number, Uint8Array>();
    const boot: string[] = [];
    parts.container.bind(Tokens.FirmwareConfig).toConstantValue({
      addFile: (n: string, d: Uint8Array) => files.set(n, d),
      addItem: (k: number, d: Uint8Array) => items.set(k, d),
    });
    parts.container.bind(Tokens.Cmos).toConstantValue({ setBootOrder: (o: string) => boot.push(o) });
    return { files, items, boot };
  }
  const u32 = (d: Uint8Array | undefined) => new DataView(d!.buffer, d!.byteOffset).getUint32(0, true);

  it('splits a bzImage into fw_cfg items, patches the header and boots linuxboot_dma.bin first', async () => {
    const { files, items } = withServices();
    writeFileSync(join(dir, 'vmlinuz'), bzImage(3000));
    writeFileSync(join(dir, 'initrd.img'), new Uint8Array(10000).fill(9));
    const bios = (await seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      bootorder: [],
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      append: 'console=ttyS0 vga=0x317',
    })) as SeabiosDevice;
    bios.realize();
    expect(u32(items.get(0x07))).toBe(0x100000);
    expect(u32(items.get(0x08))).toBe(3000);
    expect(items.get(0x11)![0]).toBe(0x77);
    expect(u32(items.get(0x16))).toBe(0x10000);
    expect(u32(items.get(0x17))).toBe(5 * 512);
    const setup = items.get(0x18)!;
    const sv = new DataView(setup.buffer);
    expect(setup[0x210]).toBe(0xb0);
    expect(setup[0x211]).toBe(0x81);
    expect(sv.getUint16(0x224, true)).toBe(0x20000 - 0x10000 - 0x200);
    expect(sv.getUint32(0x228, true)).toBe(0x20000);
    expect(sv.getUint16(0x1fa, true)).toBe(0x317);
    // 2 MiB of RAM: the initrd ends below the ACPI reserve, page aligned.
    const initrdAddr = u32(items.get(0x0a));
    expect(initrdAddr % 4096).toBe(0);
    expect(initrdAddr + 10000).toBeLessThan(2 * 1024 * 1024 - 0x28000);
    expect(sv.getUint32(0x218, true)).toBe(initrdAddr);
    expect(sv.getUint32(0x21c, true)).toBe(10000);
    expect(new TextDecoder().decode(items.get(0x15))).toBe('console=ttyS0 vga=0x317\0');
    expect(u32(items.get(0x14))).toBe(24);
    expect(new TextDecoder().decode(files.get('bootorder'))).toBe('/rom@genroms/linuxboot_dma.bin\n');
    expect(Array.from(files.get('genroms/linuxboot_dma.bin')!)).toEqual([0x55, 0xaa, 3]);
  });

  it('names the file and offset of a kernel that is not a bzImage', async () => {
    withServices();
    writeFileSync(join(dir, 'vmlinux'), new Uint8Array(4096));
    await expect(
      seabiosPlugin.create(ctx(), { bios: 'bios-256k.bin', bootorder: [], kernel: 'vmlinux', append: '' }),
    ).rejects.toThrow(/vmlinux: offset 0x202: no "HdrS" setup header/);
  });

  it('rejects an initrd larger than the kernel and RAM allow', async () => {
    withServices();
    writeFileSync(join(dir, 'vmlinuz'), bzImage(100));
    writeFileSync(join(dir, 'big.img'), new Uint8Array(2 * 1024 * 1024));
    await expect(
      seabiosPlugin.create(ctx(), {
        bios: 'bios-256k.bin',
        bootorder: [],
        kernel: 'vmlinuz',
        initrd: 'big.img',
        append: '',
      }),
    ).rejects.toThrow(/big\.img: 2097152 bytes exceed/);
  });

  it('writes -boot order to CMOS and the boot menu to fw_cfg', async () => {
    const { files, items, boot } = withServices();
    const bios = (await seabiosPlugin.create(ctx(), {
      bios: 'bios-256k.bin',
      bootorder: [],
      boot: 'dc',
      bootMenu: true,
      append: '',
    })) as SeabiosDevice;
    bios.realize();
    expect(boot).toEqual(['dc']);
    expect(Array.from(items.get(0x0e)!)).toEqual([1, 0]);
    expect(Array.from(files.get('etc/show-boot-menu')!)).toEqual([1, 0]);
  });
});

describe('the Linux setup header both kernel loaders read', () => {
  it('refuses a short file, a missing signature, an old protocol and setup sectors past the end, by offset', () => {
    expect(() => readSetupHeader(new Uint8Array(0x100), 'k', 0x200, 'x')).toThrow(
      /k: 256 bytes is too short/,
    );
    expect(() => readSetupHeader(new Uint8Array(0x1000), 'k', 0x200, 'x')).toThrow(
      /k: offset 0x202: no "HdrS"/,
    );
    const old = bzImage(100);
    old[0x206] = 0x01;
    expect(() => readSetupHeader(old, 'k', 0x202, 'the 32-bit entry needs')).toThrow(
      'k: offset 0x206: boot protocol 201 is older than 2.02, which the 32-bit entry needs',
    );
    const long = bzImage(100);
    long[0x1f1] = 200;
    expect(() => readSetupHeader(long, 'k', 0x200, 'x')).toThrow(
      /k: offset 0x1f1: 200 setup sectors leave no protected-mode code in 2660 bytes/,
    );
    const ok = readSetupHeader(bzImage(100), 'k', 0x202, 'x');
    expect([ok.protocol, ok.setupSects, ok.setupSize]).toEqual([0x20f, 4, 2560]);
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
