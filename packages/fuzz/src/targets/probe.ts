import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDrive } from '@plugboard/block';
import { UserError } from '@plugboard/core';
import { imageFormats } from '@plugboard/disk-vmdk';

/**
 * Format probing as `-hda FILE` / `-cdrom FILE` do it (raw, ISO, VMDK by
 * their magic), on a file a guest could have written. The input is the
 * file; it sits in its own directory beside nothing, while a host file lies
 * one level up: whatever the input names, that file must stay unread and
 * unwritten (a changed hash is a finding, not a refusal). The guest then
 * writes the input's first sectors back at sector 0, which a probed raw image
 * must refuse when they would change what the next probe sees.
 */
const root = mkdtempSync(join(tmpdir(), 'pb-fuzz-probe-'));
const vmDir = join(root, 'vm');
mkdirSync(vmDir);
const image = join(vmDir, 'guest.img');
const host = join(root, 'host-file.bin');
writeFileSync(host, new Uint8Array(64 * 1024).fill(0x5a));
const hostHash = createHash('sha256').update(readFileSync(host)).digest('hex');

function clean(err: unknown): void {
  if (!(err instanceof UserError)) throw err;
}

export const target = {
  name: 'probe',
  seeds(): Uint8Array[] {
    const raw = new Uint8Array(64 * 1024);
    raw[510] = 0x55;
    raw[511] = 0xaa;
    const iso = new Uint8Array(40 * 1024);
    iso.set(new TextEncoder().encode('\x01CD001\x01'), 0x8000);
    const outward = new Uint8Array(8 * 1024);
    outward.set(
      new TextEncoder().encode(
        '# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=2\ncreateType="monolithicFlat"\n' +
          'parentFileNameHint="../host-file.bin"\nRW 16 FLAT "../host-file.bin" 0\n',
      ),
    );
    const kdmv = new Uint8Array(4096);
    kdmv.set([0x4b, 0x44, 0x4d, 0x56, 1, 0, 0, 0]);
    return [raw, iso, outward, kdmv];
  },
  run(input: Uint8Array): void {
    writeFileSync(image, input);
    for (const readOnly of [true, false]) {
      try {
        const { image: drive } = openDrive(image, { format: 'auto', readOnly }, imageFormats);
        try {
          const n = Math.min(drive.sectorCount, 16);
          const buf = new Uint8Array(n * drive.sectorSize);
          drive.read(0, buf);
          if (!drive.readOnly && n > 0) {
            const head = input.subarray(0, Math.min(input.length, buf.length));
            buf.set(head.subarray(0, head.length - (head.length % drive.sectorSize)));
            try {
              drive.write(0, buf);
            } catch (err) {
              clean(err);
            }
          }
        } finally {
          drive.close();
        }
      } catch (err) {
        clean(err);
      }
    }
    if (createHash('sha256').update(readFileSync(host)).digest('hex') !== hostHash)
      throw new Error(`probing ${image} changed ${host}, a file outside the image's directory`);
  },
};
