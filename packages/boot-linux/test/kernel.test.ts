import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseBzImage } from '../src/bzimage.js';
import { prepareKernel } from '../src/load.js';
import { decompressKernel } from '../src/payload.js';
import { bzImage, elf32, withSize, xz } from './fixtures.js';

const MiB = 1 << 20;
const text = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
const vmlinux = elf32(0x1000000, [
  { physical: 0x1000000, data: text, memorySize: text.length },
  { physical: 0x1002000, data: Uint8Array.of(1, 2, 3), memorySize: 0x3000 },
]);

describe('the kernel payload', () => {
  it('decompresses an XZ payload with the x86 BCJ filter into the vmlinux segments', async () => {
    const payload = withSize(xz(vmlinux), vmlinux.length);
    const result = await decompressKernel(parseBzImage(bzImage(payload), 'vmlinuz'), 'vmlinuz');
    if (!('elf' in result)) throw new Error(result.reason);
    expect(result.elf.entry).toBe(0x1000000);
    expect(result.elf.segments.map((s) => [s.physical, s.data.length, s.memorySize])).toEqual([
      [0x1000000, 4096, 4096],
      [0x1002000, 3, 0x3000],
    ]);
    expect([...result.elf.segments[0].data.subarray(0, 4)]).toEqual([0, 7, 14, 21]);
  });

  it('decompresses a gzip payload through DecompressionStream', async () => {
    const result = await decompressKernel(parseBzImage(bzImage(gzipSync(vmlinux)), 'vmlinuz'), 'vmlinuz');
    expect('elf' in result && result.elf.segments.length).toBe(2);
  });

  it('falls back, with the reason, on a format it cannot decompress or a size that disagrees', async () => {
    const lz4 = withSize(Uint8Array.of(0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0), 100);
    expect(await decompressKernel(parseBzImage(bzImage(lz4), 'vmlinuz'), 'vmlinuz')).toEqual({
      reason: 'the payload is neither XZ nor gzip',
    });
    const wrongSize = withSize(xz(vmlinux), vmlinux.length + 1);
    const result = await decompressKernel(parseBzImage(bzImage(wrongSize), 'vmlinuz'), 'vmlinuz');
    expect('reason' in result && result.reason).toMatch(/not the \d+ its trailer says/);
  });

  it('rejects what is not a bzImage, naming the file and offset', () => {
    expect(() => parseBzImage(new Uint8Array(0x1000), 'k.bin')).toThrow(/k\.bin: offset 0x202: no "HdrS"/);
    const old = bzImage(new Uint8Array(8), { protocol: 0x201 });
    expect(() => parseBzImage(old, 'old')).toThrow(/old: offset 0x206: boot protocol 201/);
  });
});

describe('kernel placement', () => {
  const image = parseBzImage(bzImage(new Uint8Array(8)), 'vmlinuz');
  const elf = { entry: 0x1000000, segments: [{ physical: 0x1000000, data: text, memorySize: 2 * MiB }] };

  it('puts the initrd page-aligned at the top of RAM, or below initrd_addr_max', () => {
    const k = prepareKernel(image, elf, new Uint8Array(5000), 'console=ttyS0', 64 * MiB, { kernel: 'k' });
    expect(k.initrdAddress).toBe(64 * MiB - 8192);
    expect(k.entry).toBe(0x1000000);
    expect([...k.cmdline.subarray(-2)]).toEqual(['0'.charCodeAt(0), 0]);
    const low = parseBzImage(bzImage(new Uint8Array(8), { initrdAddrMax: 32 * MiB - 1 }), 'vmlinuz');
    expect(prepareKernel(low, elf, new Uint8Array(5000), '', 64 * MiB, { kernel: 'k' }).initrdAddress).toBe(
      32 * MiB - 8192,
    );
  });

  it('refuses an initrd that would overlap the kernel, and a command line over cmdline_size', () => {
    expect(() =>
      prepareKernel(image, elf, new Uint8Array(20 * MiB), '', 32 * MiB, { kernel: 'k', initrd: 'big.img' }),
    ).toThrow(/big\.img: 20971520 bytes do not fit/);
    expect(() => prepareKernel(image, elf, null, 'x'.repeat(2048), 64 * MiB, { kernel: 'k' })).toThrow(
      /k: the command line's 2048 bytes exceed the kernel's cmdline_size 2047/,
    );
  });

  it('enters the compressed kernel at code32_start when there is no vmlinux', () => {
    const k = prepareKernel(image, null, null, '', 64 * MiB, { kernel: 'k' });
    expect(k.entry).toBe(0x100000);
    expect(() => prepareKernel(image, null, null, '', 16 * MiB, { kernel: 'k' })).toThrow(
      /needs RAM up to 0x1100000/,
    );
  });
});
