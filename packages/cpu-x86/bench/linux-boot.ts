/**
 * Boots a Linux kernel straight into its 32-bit entry (the boot protocol's
 * "32-bit boot", no firmware) on the i440FX/PIIX3 platform and prints its
 * serial console. A development tool for the core, not a test:
 *
 *   npx tsx packages/cpu-x86/bench/linux-boot.ts <kernel> [instructions] [cmdline]
 *
 * `<kernel>` is an uncompressed `vmlinux` (ELF; its segments load where they
 * ask and startup_32 runs at once) or a bzImage (its compressed payload runs
 * the decompressor first, which costs billions of instructions for XZ).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMachine, type DevicePlugin, loadProfile, PluginRegistry } from '@plugboard/core';
import type { X86Cpu } from '../src/plugin.js';

const [file, limit = '2000000000', cmdline = 'console=ttyS0 earlyprintk=serial,ttyS0 loglevel=8 panic=-1'] =
  process.argv.slice(2);
if (!file) throw new Error('usage: linux-boot.ts <vmlinux|bzImage> [instructions] [cmdline]');

const registry = new PluginRegistry();
const packages: [string, { plugins: DevicePlugin[] }][] = [
  ['@plugboard/cpu-x86', await import('../src/index.js')],
  ['@plugboard/dev-piix', await import('../../dev-piix/src/index.js')],
  ['@plugboard/dev-isa', await import('../../dev-isa/src/index.js')],
];
for (const [name, mod] of packages) registry.addPackage(mod, name);
const profile = join(mkdtempSync(join(tmpdir(), 'linux-boot-')), 'linux.json');
writeFileSync(
  profile,
  JSON.stringify({
    name: 'linux-boot',
    memory: '128M',
    cpu: { type: 'x86', config: { model: 'qemu32' } },
    devices: {
      i440fx: { type: 'i440fx', pci: '00:00.0' },
      piix3: { type: 'piix3-isa', pci: '00:01.0' },
      rtc: { type: 'mc146818' },
      kbc: { type: 'i8042' },
    },
  }),
);
const machine = await buildMachine(loadProfile(profile), registry);
const ram = machine.memory.ram;
const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
const image = new Uint8Array(readFileSync(file));
const iv = new DataView(image.buffer, image.byteOffset);

// boot_params ("zero page") at 0x10000, command line at 0x20000, GDT at 0x1000.
const BP = 0x10000;
const CMDLINE = 0x20000;
const GDT = 0x1000;
let entry = 0x100000;
if (iv.getUint32(0, false) === 0x7f454c46) {
  entry = iv.getUint32(0x18, true);
  const phoff = iv.getUint32(0x1c, true);
  for (let n = 0; n < iv.getUint16(0x2c, true); n++) {
    const ph = phoff + n * 32;
    if (iv.getUint32(ph, true) !== 1) continue;
    const off = iv.getUint32(ph + 4, true);
    const pa = iv.getUint32(ph + 12, true);
    ram.set(image.subarray(off, off + iv.getUint32(ph + 16, true)), pa);
    ram.fill(0, pa + iv.getUint32(ph + 16, true), pa + iv.getUint32(ph + 20, true));
  }
} else {
  const setupSects = image[0x1f1] || 4;
  ram.set(image.subarray((setupSects + 1) * 512), 0x100000);
  ram.set(image.subarray(0x1f1, 0x202 + image[0x201]), BP + 0x1f1);
}
ram[BP + 0x210] = 0xff; // type_of_loader: undefined
ram[BP + 0x211] |= 0x80; // CAN_USE_HEAP
dv.setUint16(BP + 0x224, 0xde00, true);
ram.set(new TextEncoder().encode(`${cmdline}\0`), CMDLINE);
dv.setUint32(BP + 0x228, CMDLINE, true);
const e820 = [
  [0, 0x9fc00],
  [0x100000, machine.memory.ramSize - 0x100000],
];
ram[BP + 0x1e8] = e820.length;
e820.forEach(([base, size], n) => {
  dv.setUint32(BP + 0x2d0 + n * 20, base, true);
  dv.setUint32(BP + 0x2d0 + n * 20 + 8, size, true);
  dv.setUint32(BP + 0x2d0 + n * 20 + 16, 1, true);
});
// __BOOT_CS = 0x10, __BOOT_DS = 0x18, both flat.
dv.setUint32(GDT + 0x10, 0x0000ffff, true);
dv.setUint32(GDT + 0x14, 0x00cf9b00, true);
dv.setUint32(GDT + 0x18, 0x0000ffff, true);
dv.setUint32(GDT + 0x1c, 0x00cf9300, true);

// COM1 as a write-only sink that is always ready.
let line = '';
machine.ports.register('com1', 0x3f8, 8, {
  read8: (o) => (o === 5 ? 0x60 : 0),
  write8: (o, v) => {
    if (o !== 0) return;
    line += String.fromCharCode(v);
    if (v === 10) {
      process.stdout.write(line);
      line = '';
    }
  },
});

const cpu = (machine.cpu as X86Cpu).core;
cpu.gdtBase = GDT;
cpu.gdtLimit = 0x1f;
cpu.cr0 |= 1;
cpu.setSeg(1, 0x10, 0, 0xffffffff, 0xc09b);
for (const s of [0, 2, 3, 4, 5]) cpu.setSeg(s, 0x18, 0, 0xffffffff, 0xc093);
cpu.modeChanged();
cpu.regs.fill(0);
cpu.regs[6] = BP;
cpu.eip = entry;
const start = performance.now();
const stop = await machine.run({ maxInstructions: Number(limit) });
const seconds = (performance.now() - start) / 1000;
console.log(line);
console.log(`${stop.reason}: ${cpu.instructionCount} instructions in ${seconds.toFixed(1)} s`);
console.log(cpu.info());
