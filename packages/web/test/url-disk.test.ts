import { BlockError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import type { OverlayStore } from '../src/overlay-store.js';
import { MemorySource, OverlayDrive } from '../src/url-disk.js';

const image = () => Uint8Array.from({ length: 8 * 512 }, (_, i) => (i * 7) & 0xff);

describe('OverlayDrive', () => {
  it('reads the image, keeps writes in its overlay and never writes the image', async () => {
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
    const changed = await drive.changedImage();
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

  it('follows its writes into a store, and a drive opened later starts from what the store holds', async () => {
    const store = new MemoryStore();
    const drive = await OverlayDrive.open('disk', new MemorySource(image()), 512, false, store);
    drive.write(2, new Uint8Array(1024).fill(0x11));
    drive.write(3, new Uint8Array(512).fill(0x22));
    expect(drive.unsaved).toBe(2);
    await drive.saved();
    expect(drive.unsaved).toBe(0);
    expect([...store.sectors.keys()].sort()).toEqual([2, 3]);
    expect(store.sectors.get(3)!.every((b) => b === 0x22)).toBe(true);

    const again = await OverlayDrive.open('disk', new MemorySource(image()), 512, false, store);
    const out = new Uint8Array(3 * 512);
    again.read(1, out);
    expect(out.subarray(0, 512)).toEqual(image().subarray(512, 1024));
    expect(out.subarray(512, 1024).every((b) => b === 0x11)).toBe(true);
    expect(out.subarray(1024).every((b) => b === 0x22)).toBe(true);
    expect(again.changedSectors).toBe(2);
  });

  it('ignores stored sectors outside the image or of the wrong size (a store is not trusted)', async () => {
    const store = new MemoryStore();
    store.sectors.set(8, new Uint8Array(512).fill(1));
    store.sectors.set(-1, new Uint8Array(512).fill(1));
    store.sectors.set(1.5, new Uint8Array(512).fill(1));
    store.sectors.set(4, new Uint8Array(100).fill(1));
    store.sectors.set(5, new Uint8Array(512).fill(9));
    const drive = await OverlayDrive.open('disk', new MemorySource(image()), 512, false, store);
    expect(drive.changedSectors).toBe(1);
    const out = new Uint8Array(512);
    drive.read(4, out);
    expect(out).toEqual(image().subarray(2048, 2560));
    drive.read(5, out);
    expect(out.every((b) => b === 9)).toBe(true);
  });

  it('keeps the writes in memory when the store fails, and says why', async () => {
    const store = new MemoryStore();
    store.failing = true;
    const drive = await OverlayDrive.open('disk', new MemorySource(image()), 512, false, store);
    drive.write(0, new Uint8Array(512).fill(7));
    drive.flush();
    await drive.saved();
    expect(drive.storeError?.message).toBe('quota exceeded');
    const out = new Uint8Array(512);
    drive.read(0, out);
    expect(out.every((b) => b === 7)).toBe(true);
  });
});

/** An OverlayStore in memory, as IndexedDbOverlayStore keeps one in IndexedDB. */
class MemoryStore implements OverlayStore {
  readonly key = 'test';
  readonly sectors = new Map<number, Uint8Array>();
  failing = false;

  async load(): Promise<Map<number, Uint8Array>> {
    return new Map(this.sectors);
  }

  async save(sectors: [number, Uint8Array][]): Promise<void> {
    if (this.failing) throw new Error('quota exceeded');
    for (const [sector, bytes] of sectors) this.sectors.set(sector, bytes.slice());
  }

  async clear(): Promise<void> {
    this.sectors.clear();
  }
}
