import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@plugboard/core';
import { createVmdk, runImg, StreamOptimizedWriter, VmdkImage } from '@plugboard/disk-vmdk';

/**
 * The VMDK opener and `plugboard img info|check` on a hostile file: a sparse
 * extent (header, directories, tables, markers, embedded descriptor) or a
 * descriptor file naming a flat extent beside it. Opened read-only and read
 * at bounded places, then opened for writing and written, then checked; a
 * clean refusal is a UserError (BlockError). Time per input is bounded by the
 * input's size and a fixed number of reads, memory by the header limits.
 */
const dir = mkdtempSync(join(tmpdir(), 'pb-fuzz-vmdk-'));
const disk = join(dir, 'disk.vmdk');
const flat = join(dir, 'disk-flat.vmdk');
const flatContent = new Uint8Array(64 * 1024).fill(0xa5);
const quiet = { stdout: { write: () => true }, stderr: { write: () => true } } as never;

function clean(err: unknown): void {
  if (!(err instanceof UserError)) throw err;
}

/** Reads the first 64 KiB, the last sector and 32 places spread over the disk: bounded work on any capacity. */
function sample(img: VmdkImage): void {
  const buf = new Uint8Array(64 * 1024);
  const sectors = img.sectorCount;
  if (sectors === 0) return;
  img.read(0, buf.subarray(0, Math.min(sectors, 128) * 512));
  img.read(sectors - 1, buf.subarray(0, 512));
  for (let i = 1; i < 32; i++) img.read(Math.floor((sectors * i) / 32), buf.subarray(0, 512));
}

function seedFile(make: (path: string) => void): Uint8Array {
  const path = join(dir, 'seed.vmdk');
  make(path);
  return new Uint8Array(readFileSync(path));
}

export const target = {
  name: 'vmdk',
  seeds(): Uint8Array[] {
    const data = new Uint8Array(65536);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const sparse = seedFile((path) => {
      createVmdk(path, 2 * 1024 * 1024, {});
      const img = VmdkImage.open(path);
      img.write(128, data);
      img.write(2048, data.subarray(0, 1024));
      img.close();
    });
    const stream = seedFile((path) => {
      const w = new StreamOptimizedWriter(
        path,
        4096,
        '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="streamOptimized"\n\nRW 4096 SPARSE "seed.vmdk"\n',
      );
      w.writeGrain(1, data);
      w.writeGrain(3, data.subarray(0, 4096));
      w.finish();
    });
    const descriptor = new TextEncoder().encode(
      '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\n' +
        'RW 128 FLAT "disk-flat.vmdk" 0\n\nddb.adapterType = "ide"\n',
    );
    return [sparse, stream, descriptor];
  },
  async run(input: Uint8Array): Promise<void> {
    writeFileSync(disk, input);
    writeFileSync(flat, flatContent);
    try {
      const img = VmdkImage.open(disk, { readOnly: true });
      try {
        sample(img);
      } finally {
        img.close();
      }
    } catch (err) {
      clean(err);
    }
    try {
      const img = VmdkImage.open(disk);
      try {
        const data = new Uint8Array(4096).fill(0x3c);
        img.write(0, data.subarray(0, Math.min(img.sectorCount, 8) * 512));
        if (img.sectorCount > 300) img.write(Math.floor(img.sectorCount / 2), data);
        sample(img);
      } finally {
        img.close();
      }
    } catch (err) {
      clean(err);
    }
    // img info and check return exit codes for refusals; anything else they throw is a finding.
    await runImg(['info', disk], quiet);
    await runImg(['info', '--output=json', disk], quiet);
    await runImg(['check', disk], quiet);
    // The opener must not leave its file open: reopening for writing takes the lock again.
    closeSync(openSync(disk, 'r+'));
  },
};
