import type { AddressInfo, Server } from 'node:net';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBlob } from './blob.mjs';
import { composeProfile, guests, qemuFacts, runCli, testGuestBios } from './guest.js';

/**
 * Debian's 686 kernel and the test guest (`npm run guests`) on
 * puredarwin-xmas, through the CLI as users run it. Every test compares what
 * the guest reports, line by line, with what the same guest reported on
 * qemu-system-i386 (test/fixtures/linux, scripts/record-linux-reference.sh).
 * The boots run two at a time (guest.ts), the longest first.
 */

let http: Server;
let blobUrl = '';
beforeAll(async () => {
  http = (await serveBlob()) as Server;
  blobUrl = `http://10.0.2.2:${(http.address() as AddressInfo).port}/blob`;
});
afterAll(() => new Promise<void>((r) => http.close(() => r())));

const BOOT_TIMEOUT = 1_800_000;

describe.concurrent('Linux on puredarwin-xmas', () => {
  /**
   * The seed's command line, pasted as an OS hobbyist would: SeaBIOS boots
   * the ISO from the CD-ROM (isolinux), with the VMDK as the hard disk. The
   * guest sees both drives with the right first-MiB checksums; the ISO's
   * kernel command line asks for no download and no forwarded port.
   */
  it('boots the ISO through SeaBIOS with -hda VMDK -cdrom ISO -boot d', {
    timeout: BOOT_TIMEOUT,
  }, async () => {
    const run = await runCli(
      [
        'qemu',
        ...[
          '-hda',
          join(guests, 'guest.vmdk'),
          '-cdrom',
          join(guests, 'guest.iso'),
          '-boot',
          'd',
          '-m',
          '512',
        ],
        ...['-snapshot', '-display', 'none', '-serial', 'stdio'],
      ],
      () => {},
      BOOT_TIMEOUT,
    );
    const expected = qemuFacts('rtl8139').filter((f) => !/^(http|listen|served) /.test(f));
    expect(run.facts, run.output.slice(-4000)).toEqual(expected);
    expect(run.exitCode).toBe(0);
  });

  /**
   * Real drivers on every NIC model, through the profile a driver developer
   * swaps, booted by the built-in direct boot (linux-direct, no BIOS): the
   * driver gets a DHCP lease from net-slirp, downloads the test blob from a
   * host HTTP server and answers a request through a forwarded port. QEMU has
   * no RTL8139C, so 8139too's run is held to the RTL8139C+ reference with its
   * driver's name in the NIC line.
   */
  it.for([
    { profile: 'puredarwin-xmas', reference: 'rtl8139', driver: '8139cp' },
    { profile: 'puredarwin-xmas-rtl8139c', reference: 'rtl8139', driver: '8139too' },
    { profile: 'puredarwin-xmas-i82557b', reference: 'i82557b', driver: 'e100' },
    { profile: 'puredarwin-xmas-i82551', reference: 'i82551', driver: 'e100' },
    { profile: 'puredarwin-xmas-i82559er', reference: 'i82559er', driver: 'e100' },
  ])(
    '$profile: $driver gets a lease, downloads the blob and answers through a forwarded port',
    {
      timeout: BOOT_TIMEOUT,
    },
    async ({ profile, reference, driver }) => {
      const guestPort = 8080;
      const hostPort = 20000 + Math.floor(Math.random() * 20000);
      const file = composeProfile(profile, {
        drives: {
          hd0: { type: 'file', config: { file: join(guests, 'guest.vmdk'), snapshot: true } },
          cd0: { type: 'file', config: { file: join(guests, 'guest.iso'), readOnly: true } },
        },
        netdevs: { net0: { config: { hostfwd: [`tcp:127.0.0.1:${hostPort}-:${guestPort}`] } } },
        devices: {
          bios: testGuestBios(
            `console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.url=${blobUrl} plugboard.listen=${guestPort}`,
          ),
          ide: {
            config: {
              primary: { master: { drive: 'hd0' } },
              secondary: { master: { drive: 'cd0', media: 'cdrom' } },
            },
          },
          com1: { config: { backend: { type: 'stdio' } } },
        },
      });
      let page: Promise<string> = Promise.resolve('');
      const run = await runCli(
        ['run', file],
        (fact) => {
          if (fact.startsWith('listen ')) page = fetchForwarded(hostPort);
        },
        BOOT_TIMEOUT,
      );
      const expected = qemuFacts(reference).map((f) =>
        f.startsWith('nic ') ? f.replace(/ \S+ (\S+)$/, ` ${driver} $1`) : f,
      );
      expect(run.facts, run.output.slice(-4000)).toEqual(expected);
      expect(await page).toContain('plugboard-guest');
      expect(run.exitCode).toBe(0);
    },
  );
});

/** Asks the guest's page through the forwarded port, retrying until its nc listens. */
async function fetchForwarded(port: number): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const answer = await new Promise<string>((resolve) => {
      const socket = new Socket();
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        text += d;
      });
      socket.on('error', () => resolve(''));
      socket.on('close', () => resolve(text));
      socket.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    });
    if (answer.includes('plugboard-guest')) return answer;
    await new Promise((r) => setTimeout(r, 500));
  }
  return '';
}
