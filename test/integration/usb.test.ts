import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { guests, runCli } from './guest.js';

/**
 * `plugboard qemu -usb -usbdevice tablet` boots the test guest, whose init
 * loads uhci_hcd, usbhid and hid_generic when it finds a UHCI controller and
 * reports every USB device and input device: the guest must see the tablet
 * as on qemu-system-i386 with the same guest.
 */

/** The recipe hash build-guests.sh stamps into the guest's manifest. */
function recipe(): string {
  const dir = join(root, 'scripts/guests');
  const text = ['build-guests.sh', 'init', 'guest-page', 'udhcpc.script'].map((f) =>
    readFileSync(join(dir, f)),
  );
  return createHash('sha256').update(Buffer.concat(text)).digest('hex').slice(0, 16);
}

const built = (dir: string) =>
  existsSync(join(dir, 'manifest.json')) &&
  readFileSync(join(dir, 'manifest.json'), 'utf8').includes(`"recipe": "${recipe()}"`);

/**
 * The shared guest when it is built from these scripts; otherwise this
 * guest built into a cache of the test's own (never the shared one), its
 * apt lists seeded from the shared cache.
 */
function usbGuest(): string {
  if (built(guests)) return guests;
  const cache = join(tmpdir(), 'plugboard-usb-guest');
  const apt = join(guests, '..', 'apt-i386');
  if (!existsSync(join(cache, 'apt-i386')) && existsSync(apt))
    cpSync(apt, join(cache, 'apt-i386'), { recursive: true });
  execFileSync('bash', [join(root, 'scripts/guests/build-guests.sh')], {
    env: { ...process.env, PLUGBOARD_CACHE: cache },
    stdio: 'ignore',
  });
  return join(cache, 'guests');
}

const APPEND = 'console=ttyS0,115200 panic=-1 quiet cryptomgr.notests';
const usbFacts = (facts: string[]) => facts.filter((f) => f.startsWith('usb ') || f.startsWith('input '));

describe('USB tablet in the Linux test guest', () => {
  it(
    'is enumerated by uhci_hcd and usbhid and becomes an input device, as on QEMU',
    async () => {
      const dir = usbGuest();
      const args = [
        ...['-M', 'pc', '-m', '512', '-vga', 'cirrus', '-usb', '-usbdevice', 'tablet'],
        ...['-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.gz'), '-append', APPEND],
        ...['-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-net', 'none'],
      ];
      const run = await runCli(['qemu', ...args], () => {}, 30 * 60_000);
      expect(run.facts, run.output).toContain('done');
      expect(run.exitCode).toBe(0);
      expect(run.facts).toContain('pci 8086:7020 0c0300');
      expect(usbFacts(run.facts)).toEqual(
        expect.arrayContaining([
          'usb 1-1 0627:0001 2.00 28754-0000:00:01.2-1 QEMU USB Tablet',
          'usb usb1 1d6b:0001 1.10 0000:00:01.2 UHCI Host Controller',
          'input QEMU QEMU USB Tablet',
        ]),
      );
      // The reference: qemu-system-i386 with the same guest and options.
      const qemu = spawnSync('qemu-system-i386', args, { encoding: 'utf8', timeout: 5 * 60_000 });
      const reference = qemu.stdout
        .split('\n')
        .filter((l) => l.includes('PLUGBOARD '))
        .map((l) => l.slice(l.indexOf('PLUGBOARD ') + 'PLUGBOARD '.length).trim());
      expect(reference).toContain('done');
      expect(usbFacts(run.facts)).toEqual(usbFacts(reference));
    },
    40 * 60_000,
  );
});
