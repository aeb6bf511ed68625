import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { MemorySource, OverlayDrive } from '../src/url-disk.js';

const image = () => Uint8Array.from({ length: 8 * 512 }, (_, i) => (i * 7) & 0xff);

describe('OverlayDrive', () => {
  it('reads the image, keeps writes in its overlay and never writes the image', () => {
    const base = image();
    const drive = new OverlayDrive('disk', new MemorySource(base), 512, false);
    expect(drive.sectorCount).toBe(8);
    drive.write(3, new Uint8Array(1024).fill(0xaa));
    const out = new Uint8Array(4 * 512);
    drive.read(2, out);
    expect(out.subarray(0, 512)).toEqual(base.subarray(1024, 1536));
    expect(out.subarray(512, 1536).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(1536)).toEqual(base.subarray(2560, 3072));
    expect(base).toEqual(image());
    const changed = drive.changedImage();
    expect(changed.subarray(1536, 2560).every((b) => b === 0xaa)).toBe(true);
    expect(changed.subarray(0, 1536)).toEqual(base.subarray(0, 1536));
    expect(drive.changedSectors).toBe(2);
  });

  it('refuses sectors outside the image, partial sectors and writes to a read-only drive', () => {
    const drive = new OverlayDrive('disk', new MemorySource(image()), 512, false);
    expect(() => drive.read(7, new Uint8Array(1024))).toThrow(BlockError);
    expect(() => drive.read(-1, new Uint8Array(512))).toThrow(BlockError);
    expect(() => drive.write(0, new Uint8Array(100))).toThrow(BlockError);
    const readOnly = new OverlayDrive('cd', new MemorySource(image()), 2048, true);
    expect(readOnly.sectorCount).toBe(2);
    expect(() => readOnly.write(0, new Uint8Array(2048))).toThrow(/read-only/);
  });
});
