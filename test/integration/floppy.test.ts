import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { runCli } from './guest.js';

/**
 * SeaBIOS boots a 1.44 MB floppy image through `plugboard qemu -fda`, as on
 * qemu-system-i386: the boot sector (floppy-boot.asm) prints what INT 13h
 * says of drive A: (CMOS type 4, 80 cylinders, 18 sectors, 2 heads), reads
 * sector 2 and the disk's last sector (C79 H1 S18, the second side), writes
 * itself to sector 3, reads it back and powers off. Every byte goes through
 * the 82077AA, ISA DMA channel 2 and IRQ 6.
 */
const TIMEOUT = 120_000;
const SECTOR = 512;
const FLOPPY_BYTES = 1_474_560;
const FACTS = [
  'floppy: boot sector from drive 00',
  'floppy: type 04 last cylinder 4f sectors 12 last head 01',
  'floppy: sector 2 says hello',
  'floppy: the last sector says goodbye',
  'floppy: sector 3 written and read back',
];

let dir = '';
let image = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugboard-floppy-'));
  const boot = join(dir, 'boot.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', boot, join(root, 'test/integration/floppy-boot.asm')]);
  const img = new Uint8Array(FLOPPY_BYTES);
  img.set(readFileSync(boot), 0);
  const text = (s: string, lba: number) =>
    img.set(new TextEncoder().encode(`PLUGBOARD ${s}\r\n\0`), lba * SECTOR);
  text('floppy: sector 2 says hello', 1);
  text('floppy: the last sector says goodbye', FLOPPY_BYTES / SECTOR - 1);
  image = join(dir, 'floppy.img');
  writeFileSync(image, img);
});

/** A fresh copy of the image, so each run starts from the same disk. */
function copy(name: string): string {
  const path = join(dir, name);
  copyFileSync(image, path);
  return path;
}

/** The instruction count the CLI reports when the guest powers off. */
const instructions = (output: string) => /soft-off after (\d+) instructions/.exec(output)?.[1];

const sector = (path: string, lba: number) => readFileSync(path).subarray(lba * SECTOR, (lba + 1) * SECTOR);

describe('booting from a floppy', () => {
  it('-fda IMAGE -boot a: SeaBIOS loads the boot sector, which reads and writes the disk; -snapshot writes nowhere', {
    timeout: 2 * TIMEOUT,
  }, async () => {
    const disk = copy('rw.img');
    const args = ['-boot', 'a', '-display', 'none', '-serial', 'stdio'];
    const run = await runCli(['qemu', '-fda', disk, ...args], () => {}, TIMEOUT);
    expect(run.facts, run.output.slice(-3000)).toEqual(FACTS);
    expect(run.exitCode).toBe(0);
    expect(sector(disk, 2)).toEqual(sector(image, 0));

    const clean = copy('snapshot.img');
    const snap = await runCli(['qemu', '-fda', clean, '-snapshot', ...args], () => {}, TIMEOUT);
    expect(snap.facts, snap.output.slice(-3000)).toEqual(FACTS);
    expect(readFileSync(clean)).toEqual(readFileSync(image));
    // The guest sees the same machine with or without the overlay: the same run, instruction for instruction.
    expect(instructions(snap.output)).toBeDefined();
    expect(instructions(snap.output)).toBe(instructions(run.output));
  });

  it('a read-only drive refuses the write, as on QEMU', { timeout: TIMEOUT }, async () => {
    const disk = copy('readonly.img');
    const ro = await runCli(
      [
        'qemu',
        '-drive',
        `if=floppy,file=${disk},index=0,readonly=on,format=raw`,
        '-display',
        'none',
        '-serial',
        'stdio',
      ],
      () => {},
      TIMEOUT,
    );
    expect(ro.facts, ro.output.slice(-3000)).toEqual([...FACTS.slice(0, 4), 'floppy: INT 13h error 03']);
    expect(readFileSync(disk)).toEqual(readFileSync(image));
  });

  it('prints what qemu-system-i386 prints for the same image', () => {
    const qemu = spawnSync(
      'qemu-system-i386',
      ['-fda', copy('qemu.img'), '-boot', 'a', '-display', 'none', '-serial', 'stdio', '-no-reboot'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const facts = qemu.stdout
      .split('\n')
      .filter((l) => l.startsWith('PLUGBOARD '))
      .map((l) => l.slice('PLUGBOARD '.length).trim());
    expect(facts, qemu.stderr).toEqual(FACTS);
  });
});
