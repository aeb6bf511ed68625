import { describe, expect, it } from 'vitest';
import { BOOT_PARAMS_SIZE, buildBootParams } from '../src/boot-params.js';
import { parseBzImage } from '../src/bzimage.js';
import { e820Map } from '../src/layout.js';
import { bzImage } from './fixtures.js';

const MiB = 1 << 20;

describe('boot_params', () => {
  const raw = bzImage(new Uint8Array(8));
  raw[0x211] |= 0x02; // KASLR_FLAG, as if left by a previous loader
  raw[0x23c] = 0; // hardware_subarch: the PC
  const kernel = parseBzImage(raw, 'vmlinuz');
  const e820 = e820Map(512 * MiB);
  const zp = buildBootParams({
    kernel,
    e820,
    ramSize: 512 * MiB,
    cmdlineAddress: 0x20000,
    initrd: { address: 0x1fe83000, size: 0x17d000 },
  });
  const v = new DataView(zp.buffer);

  it('carries the kernel setup header, patched as a boot loader does', () => {
    expect(zp.length).toBe(BOOT_PARAMS_SIZE);
    expect(v.getUint32(0x202, true)).toBe(0x53726448);
    expect(v.getUint16(0x206, true)).toBe(0x20f);
    expect(zp[0x210]).toBe(0xff); // type_of_loader: undefined
    expect(zp[0x211] & 0x01).toBe(0x01); // LOADED_HIGH
    expect(zp[0x211] & 0x02).toBe(0); // KASLR_FLAG clear: nothing was randomized
    expect(v.getUint32(0x228, true)).toBe(0x20000); // cmd_line_ptr
    expect(v.getUint32(0x218, true)).toBe(0x1fe83000); // ramdisk_image
    expect(v.getUint32(0x21c, true)).toBe(0x17d000); // ramdisk_size
    expect(v.getUint32(0x23c, true)).toBe(0); // hardware_subarch
    expect(zp[0x1ef]).toBe(0); // sentinel: the header was filled in by a loader that knows it
  });

  it('holds the e820 map and alt_mem_k', () => {
    expect(v.getUint32(0x1e0, true)).toBe(511 * 1024);
    expect(zp[0x1e8]).toBe(4);
    const entries = [0, 1, 2, 3].map((i) => ({
      address: Number(v.getBigUint64(0x2d0 + 20 * i, true)),
      size: Number(v.getBigUint64(0x2d0 + 20 * i + 8, true)),
      type: v.getUint32(0x2d0 + 20 * i + 16, true),
    }));
    expect(entries).toEqual([
      { address: 0, size: 0x9fc00, type: 1 },
      { address: 0x9fc00, size: 0x400, type: 2 },
      { address: 0xe0000, size: 0x20000, type: 2 },
      { address: MiB, size: 511 * MiB, type: 1 },
    ]);
  });

  it('leaves screen_info empty, so Linux picks no VGA console', () => {
    expect(zp.subarray(0, 0x40).every((b) => b === 0)).toBe(true);
  });
});
