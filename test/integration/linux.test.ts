import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '@plugboard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { machine, runUntil } from './boot.js';

/**
 * Debian's 686 kernel and the test guest's initramfs (`npm run guests`, built
 * into the cache by `npm run setup`) boot on puredarwin-xmas through SeaBIOS
 * and fw_cfg, as QEMU's -kernel does. The guest reports what its real
 * drivers found; the run stops once the NIC driver has bound, before any
 * host networking, so it is deterministic.
 */
const cache =
  process.env.PLUGBOARD_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? '/root', '.cache'), 'plugboard');
const guests = join(cache, 'guests');
const manifest = JSON.parse(readFileSync(join(guests, 'manifest.json'), 'utf8')) as { kernelRelease: string };

/** The seed's table: vendor:device and class of every PCI function. */
const SEED_PCI = [
  'pci 8086:1237 060000',
  'pci 8086:7000 060100',
  'pci 8086:7010 010180',
  'pci 8086:7113 068000',
  'pci 1013:00b8 030000',
  'pci 10ec:8139 020000',
];

describe('Linux on puredarwin-xmas', () => {
  let m: Machine | null = null;
  afterAll(async () => {
    await m?.destroy();
  });

  it("boots, sees exactly the seed machine's PCI devices, and binds 8139cp to the RTL8139C+", {
    timeout: 1_800_000,
  }, async () => {
    m = await machine('puredarwin-xmas', [
      {
        devices: {
          bios: {
            config: {
              kernel: join(guests, 'vmlinuz'),
              initrd: join(guests, 'initrd.gz'),
              append: 'console=ttyS0 panic=-1 quiet',
            },
          },
          com1: { config: { backend: { type: 'memory' } } },
        },
      },
    ]);
    const facts = () =>
      m!
        .device<{ backend: { text(): string } }>('com1')!
        .backend.text()
        .split(/\r?\n/)
        .filter((l) => l.startsWith('PLUGBOARD '))
        .map((l) => l.slice('PLUGBOARD '.length).trim());
    await runUntil(m, () => facts().some((f) => f.startsWith('nic ')), 20_000_000_000, 50_000_000);
    const reported = facts();
    expect(reported[0]).toBe(`booted ${manifest.kernelRelease}`);
    expect(reported.filter((f) => f.startsWith('pci ')).sort()).toEqual([...SEED_PCI].sort());
    expect(reported.find((f) => f.startsWith('nic '))).toBe('nic eth0 8139cp 52:54:00:12:34:56');
  });
});
