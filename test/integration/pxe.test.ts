import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine, ShutdownEvent } from '@plugboard/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { machine, root } from './boot.js';

/**
 * Network boot (`-boot n`) on puredarwin-xmas: SeaBIOS runs the NIC's iPXE
 * option ROM (Debian's ipxe-qemu build of 2019-01-25), iPXE takes a DHCP
 * lease from net-slirp, loads nbp.asm over TFTP as a PXE NBP at 0000:7C00
 * and runs it; the NBP checks the PXENV+ and !PXE structures it was handed,
 * prints its line to the debug console and COM1, and switches the machine
 * off through the PIIX4 PM block.
 *
 * iPXE busy-waits in virtual time: about 3 s for ProxyDHCP offers after the
 * DHCPOFFER, about 13 s until its IPv6 router solicitations give up (slirp
 * offers no IPv6), polling the NIC's ISR between timer ticks, and every udelay
 * polls PIT channel 2 through port 0x61. At 1 ns per instruction that would
 * be some 16 billion instructions; the clock's fast-forward (on by default)
 * skips the waits, and each boot is well under 100 million instructions.
 */
const NBP_LINE = 'plugboard NBP: !PXE ok, PXENV+ ok';
const LIMIT = 200_000_000;

let tftp = '';
let nbpSize = 0;
beforeAll(() => {
  tftp = mkdtempSync(join(tmpdir(), 'plugboard-tftp-'));
  const nbp = join(tftp, 'plugboard.0');
  execFileSync('nasm', ['-f', 'bin', '-o', nbp, join(root, 'test/integration/nbp.asm')]);
  nbpSize = statSync(nbp).size;
});

interface Boot {
  event: ShutdownEvent;
  debugcon: string;
  com1: string;
}

async function networkBoot(nic: string, romfile: string): Promise<Boot> {
  let m: Machine | null = null;
  try {
    m = await machine('puredarwin-xmas', [
      {
        netdevs: { net0: { type: 'slirp', config: { tftp, bootfile: 'plugboard.0' } } },
        devices: {
          bios: { config: { boot: 'n' } },
          nic: { type: nic, config: { netdev: 'net0', romfile } },
          com1: { config: { backend: { type: 'memory' } } },
          'fw-cfg': { config: { sercon: true } },
          debugcon: { type: 'debugcon', config: { iobase: 0x402, output: 'memory' } },
        },
      },
    ]);
    const event = await m.run({ maxInstructions: LIMIT });
    return {
      event,
      debugcon: m.device<{ text(): string }>('debugcon')!.text(),
      com1: m.device<{ backend: { text(): string } }>('com1')!.backend.text(),
    };
  } finally {
    await m?.destroy();
  }
}

describe('network boot through iPXE', () => {
  for (const [nic, romfile] of [
    ['rtl8139', 'efi-rtl8139.rom'],
    ['i82557b', 'pxe-eepro100.rom'],
  ]) {
    it(`${nic}: DHCP and TFTP through slirp, then the NBP runs and powers off`, async () => {
      const boot = await networkBoot(nic, romfile);
      expect(boot.com1).toContain('iPXE initialising devices...ok');
      expect(boot.com1).toMatch(/net0: 10\.0\.2\.15\/255\.255\.255\.0 gw 10\.0\.2\.2/);
      expect(boot.com1).toContain('Filename: plugboard.0');
      // iPXE's closing `]` reaches COM1 through SeaBIOS's serial console; at 1 ns per
      // instruction the NBP powers off before it comes out (at 5 us it did: timer ticks came between).
      expect(boot.com1).toContain(`plugboard.0 : ${nbpSize} bytes [PXE-NBP`);
      expect(boot.com1).toContain(NBP_LINE);
      expect(boot.debugcon).toContain(NBP_LINE);
      expect(boot.event.reason).toBe('ACPI S5 soft-off');
    }, 300_000);
  }

  /**
   * Fast-forward and translation decide from the instruction stream alone:
   * the seed's command line, run twice through the CLI and once more on the
   * interpreter alone (`-accel tcg,one-insn-per-tb=on`), prints the same
   * transcript and retires the same number of instructions.
   */
  it('is deterministic with fast-forward and translation: three runs of the CLI, the same transcript and count', () => {
    const args = [
      join(root, 'packages/cli/dist/bin.js'),
      ...['qemu', '-M', 'pc', '-m', '512', '-vga', 'cirrus', '-nographic', '-no-reboot'],
      ...['-net', 'nic,model=rtl8139', '-net', `user,tftp=${tftp},bootfile=plugboard.0`, '-boot', 'n'],
    ];
    const runs = [[], [], ['-accel', 'tcg,one-insn-per-tb=on']].map((extra) =>
      spawnSync(process.execPath, [...args, ...extra], { encoding: 'utf8', timeout: 240_000 }),
    );
    for (const run of runs) {
      expect(run.stdout).toContain(NBP_LINE);
      expect(run.stderr).toMatch(/stopped: ACPI S5 soft-off after \d+ instructions/);
    }
    for (const run of runs.slice(1)) {
      expect(run.stdout).toBe(runs[0].stdout);
      expect(run.stderr).toBe(runs[0].stderr);
    }
  }, 900_000);
});
