import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine } from '@plugboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bzImage, elf32, withSize, xz } from '../../packages/boot-linux/test/fixtures.js';
import { machine } from './boot.js';
import { guests } from './guest.js';

/**
 * The built-in loader (`linux-direct`, no BIOS) on puredarwin-xmas with a
 * tiny kernel: an XZ-compressed vmlinux whose startup code checks ESI
 * (boot_params) and switches the machine off through the PM1a control
 * block the loader set up. What the platform set-up did is then read back
 * through PCI configuration space and memory, as an OS would find it.
 */
const STARTUP = [
  [0x81, 0xfe, 0x00, 0x00, 0x01, 0x00], // cmp esi, 0x10000
  [0x75, 0x0a], // jne spin
  [0x66, 0xba, 0x04, 0xb0], // mov dx, 0xb004 (PM1a_CNT)
  [0x66, 0xb8, 0x00, 0x20], // mov ax, SLP_EN | SLP_TYP 0
  [0x66, 0xef], // out dx, ax
  [0xeb, 0xfe], // spin: jmp spin
].flat();

function tinyKernel(): string {
  const vmlinux = elf32(0x1000000, [
    { physical: 0x1000000, data: Uint8Array.from(STARTUP), memorySize: 0x2000 },
  ]);
  const payload = withSize(xz(vmlinux), vmlinux.length);
  const path = join(mkdtempSync(join(tmpdir(), 'plugboard-kernel-')), 'vmlinuz');
  writeFileSync(path, bzImage(payload));
  return path;
}

const hex = (v: number) => v.toString(16);

describe('linux-direct on puredarwin-xmas', () => {
  let m: Machine | null = null;
  afterEach(async () => {
    await m?.destroy();
    m = null;
  });

  it('enters the decompressed kernel with ESI = boot_params, and its S5 write ends the run with 0', async () => {
    m = await machine('puredarwin-xmas', [
      { devices: { bios: { type: 'linux-direct', config: { kernel: tinyKernel(), append: 'quiet' } } } },
    ]);
    const event = await m.run({ maxInstructions: 1000 });
    expect(event).toEqual({ reason: 'ACPI S5 soft-off', exitCode: 0 });
  });

  it('assigns BARs as SeaBIOS does on QEMU, enables decoding and routes the PCI interrupts', async () => {
    m = await machine('puredarwin-xmas', [
      { devices: { bios: { type: 'linux-direct', config: { kernel: tinyKernel() } } } },
    ]);
    const cfg = (dev: number, fn: number, offset: number, size: 1 | 2 | 4) =>
      m!.pci.readConfig(0, (dev << 3) | fn, offset, size);
    // SeaBIOS's "PCI: map device" lines from test/fixtures/seabios-pc-qemu.log.
    expect(hex(cfg(3, 0, 0x10, 4))).toBe('c001');
    expect(hex(cfg(1, 1, 0x20, 4))).toBe('c101');
    expect(hex(cfg(3, 0, 0x30, 4))).toBe('feb80000');
    expect(hex(cfg(2, 0, 0x30, 4))).toBe('febc0000');
    expect(hex(cfg(2, 0, 0x14, 4))).toBe('febd0000');
    expect(hex(cfg(3, 0, 0x14, 4))).toBe('febd1000');
    expect(hex(cfg(2, 0, 0x10, 4))).toBe('fc000008');
    for (const [dev, fn] of [
      [1, 1],
      [2, 0],
      [3, 0],
    ])
      expect(cfg(dev, fn, 0x04, 2) & 3, `${dev}.${fn} COMMAND`).toBe(3);
    // PIRQA-D -> 10, 10, 11, 11; slot 3 INTA# is PIRQC; the PM's SCI is IRQ9.
    expect([0x60, 0x61, 0x62, 0x63].map((r) => cfg(1, 0, r, 1))).toEqual([10, 10, 11, 11]);
    expect(cfg(3, 0, 0x3c, 1)).toBe(11);
    expect(cfg(1, 3, 0x3c, 1)).toBe(9);
    expect(hex(cfg(1, 3, 0x40, 4))).toBe('b001');
    expect(m.ports.in8(0x4d1)).toBe(0x0c); // ELCR: IRQ10 and IRQ11 level-triggered
    // The PAM routes 0xE0000 to RAM, where the RSDP is.
    const rsdp = String.fromCharCode(...Array.from({ length: 8 }, (_, i) => m!.memory.read8(0xe0000 + i)));
    expect(rsdp).toBe('RSD PTR ');
    // The PM timer decodes at PMBA + 8 and counts in virtual time (3.579545 MHz).
    const t0 = m.ports.in32(0xb008);
    m.clock.advanceTo(m.clock.now + 1_000_000);
    expect([3579, 3580]).toContain(m.ports.in32(0xb008) - t0);
  });

  it('names the missing file in a clear error', async () => {
    await expect(
      machine('puredarwin-xmas', [
        { devices: { bios: { type: 'linux-direct', config: { kernel: '/nonexistent/vmlinuz' } } } },
      ]),
    ).rejects.toThrow(/\/nonexistent\/vmlinuz: cannot read a Linux kernel/);
  });
});

/**
 * Debian's 686 kernel (`npm run guests`): its XZ payload must decompress on
 * the host, or every boot pays the guest-side decompressor (billions of
 * instructions) without failing. test/integration/linux.test.ts boots it.
 */
describe('Debian Linux through linux-direct', () => {
  it('is decompressed on the host', async () => {
    const m = await machine('puredarwin-xmas', [
      {
        devices: {
          bios: {
            type: 'linux-direct',
            config: { kernel: join(guests, 'vmlinuz'), initrd: join(guests, 'initrd.gz') },
          },
        },
      },
    ]);
    expect(m.device<{ mode: string }>('bios')!.mode).toBe('vmlinux decompressed on the host');
    await m.destroy();
  });
});
