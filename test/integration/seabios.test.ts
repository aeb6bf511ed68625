import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '@plugboard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyVmdk, machine, root, runUntil } from './boot.js';

/**
 * SeaBIOS 1.16.2 (Debian's seabios package, fetched by `npm run setup`) on
 * puredarwin-xmas, against its debug log (port 0x402) recorded from QEMU's
 * `pc` machine by scripts/record-seabios-reference.sh with the same devices,
 * ROMs, and the same empty 64 MiB VMDK as disk and CD-ROM.
 *
 * Lines both machines must print are compared exactly. Not compared, and why:
 * - ACPI: QEMU hands SeaBIOS its own tables through fw_cfg's etc/table-loader;
 *   Plugboard lets SeaBIOS build them. SeaBIOS moves the PM block to 0x600
 *   only when table-loader exists, so "Moving pm_base to 0x600" and the PM
 *   timer port (0x608 there, 0xb008 here) follow from that, as do the table
 *   copy addresses.
 * - The floppy drive and parallel port QEMU's pc adds and the seed's machine
 *   lacks (so QEMU also tries "Booting from Floppy...").
 * - The drive model strings: Plugboard's drives say PLUGBOARD, not QEMU.
 */
const reference = readFileSync(join(root, 'test/fixtures/seabios-pc-qemu.log'), 'latin1').split('\n');

const COMPARED = [
  /^SeaBIOS \(version /,
  /^Running on QEMU/,
  /^Found QEMU fw_cfg/,
  /^QEMU fw_cfg DMA interface supported/,
  /^qemu\/e820: /,
  /^Found \d+ PCI devices/,
  /^PCI: IO: /,
  /^PCI: 32: /,
  /^PCI: map device /,
  /^PCI: init bdf=/,
  /^PIIX3\/PIIX4 init: /,
  /^PCI: Using .* for primary VGA/,
  /^Start SeaVGABIOS/,
  /^cirrus init/,
  /^set VGA mode 3/,
  /^ATA controller \d at /,
  /^Booting from (?!Floppy)/,
];

const normalise = (line: string) => line.replace(/PLUGBOARD (HARDDISK|DVD-ROM)/, 'QEMU $1');
const compared = (lines: string[]) => lines.filter((l) => COMPARED.some((re) => re.test(l)));
const drives = (lines: string[]) =>
  lines.map(normalise).filter((l) => /^ata0-0: |^DVD\/CD \[ata1-0: /.test(l));

describe('SeaBIOS on puredarwin-xmas', () => {
  let m: Machine | null = null;
  afterAll(async () => {
    await m?.destroy();
  });

  it("finds, sets up and boots from the seed machine's devices as on QEMU's pc machine", async () => {
    const disk = await emptyVmdk('64M');
    m = await machine('puredarwin-xmas', [
      {
        drives: {
          hda: { type: 'file', config: { file: disk, snapshot: true } },
          cdrom: { type: 'file', config: { file: disk, readOnly: true } },
        },
        devices: {
          ide: {
            config: {
              primary: { master: { drive: 'hda' } },
              secondary: { master: { drive: 'cdrom', media: 'cdrom' } },
            },
          },
          bios: { config: { boot: 'd' } },
          debugcon: { type: 'debugcon', config: { iobase: 0x402, output: 'memory' } },
        },
      },
    ]);
    const log = () => (m!.device<{ text(): string }>('debugcon')!.text() ?? '').split('\n');
    const ran = await runUntil(m, () => log().some((l) => l.startsWith('Booting from ROM')), 2_000_000_000);
    const lines = log();
    expect(compared(lines)).toEqual(compared(reference));
    // The same drives, in either order: SeaBIOS probes each ATA channel in a thread of its own, and
    // the clock's fast-forward of those threads' status polls lets the CD-ROM's probe finish first
    // (with `clock.fastForward: false` the order is QEMU's, disk first).
    expect(drives(lines).sort()).toEqual(drives(reference).sort());
    expect(ran).toBeLessThan(2_000_000_000);
  });
});

describe('SeaBIOS with -nographic', () => {
  let m: Machine | null = null;
  afterAll(async () => {
    await m?.destroy();
  });

  it('mirrors its screen to COM1 through etc/sercon-port: banner, boot attempt, no bootable device', async () => {
    const disk = await emptyVmdk('16M');
    m = await machine('puredarwin-xmas', [
      {
        netdevs: { net0: null },
        drives: { hda: { type: 'file', config: { file: disk, snapshot: true } } },
        devices: {
          nic: null,
          ide: { config: { primary: { master: { drive: 'hda' } } } },
          com1: { config: { backend: { type: 'memory' } } },
          'fw-cfg': { config: { sercon: true } },
        },
      },
    ]);
    const serial = () => m!.device<{ backend: { text(): string } }>('com1')!.backend.text();
    await runUntil(m, () => serial().includes('No bootable device.'), 2_000_000_000);
    const text = serial();
    expect(text).toMatch(/SeaBIOS \(version 1\.16\.2-debian-1\.16\.2-1\)/);
    expect(text).toContain('Booting from Hard Disk...');
    expect(text).toContain('Boot failed: not a bootable disk');
    expect(text).toContain('No bootable device.');
  });
});
