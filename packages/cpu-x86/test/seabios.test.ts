import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMachine, type DevicePlugin, loadProfile, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

/** Debian's SeaBIOS, installed with qemu-system-x86. */
const SEABIOS = '/usr/share/seabios/bios-256k.bin';

/**
 * Smoke test: SeaBIOS (Debian's build, as QEMU ships it) on the i440FX
 * platform runs its real-mode start-up, 32-bit POST, PCI enumeration and the
 * boot menu, and gives up on the empty machine. Its debug log (port 0x402)
 * is the witness.
 */
describe('SeaBIOS', () => {
  it('boots to "No bootable device"', async () => {
    const registry = new PluginRegistry();
    const packages: [string, { plugins: DevicePlugin[] }][] = [
      ['@plugboard/cpu-x86', await import('@plugboard/cpu-x86')],
      ['@plugboard/dev-piix', await import('@plugboard/dev-piix')],
      ['@plugboard/dev-isa', await import('@plugboard/dev-isa')],
      ['@plugboard/fw-cfg', await import('@plugboard/fw-cfg')],
      ['@plugboard/firmware', await import('@plugboard/firmware')],
    ];
    for (const [name, mod] of packages) registry.addPackage(mod, name);
    const dir = mkdtempSync(join(tmpdir(), 'cpu-x86-seabios-'));
    const file = join(dir, 'smoke.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'smoke',
        memory: '128M',
        cpu: { type: 'x86', config: { model: 'qemu32' } },
        devices: {
          bios: { type: 'seabios', config: { bios: SEABIOS } },
          i440fx: { type: 'i440fx', pci: '00:00.0' },
          piix3: { type: 'piix3-isa', pci: '00:01.0' },
          pm: { type: 'piix4-pm', pci: '00:01.3' },
          ioapic: { type: 'ioapic' },
          rtc: { type: 'mc146818' },
          kbc: { type: 'i8042' },
          'fw-cfg': { type: 'fw-cfg' },
        },
      }),
    );
    const machine = await buildMachine(loadProfile(file), registry);
    let log = '';
    machine.ports.register('debugcon', 0x402, 1, {
      read8: () => 0xe9,
      write8: (_o, v) => {
        log += String.fromCharCode(v);
        if (log.endsWith('No bootable device.')) machine.requestShutdown('done', 0);
      },
    });
    const stop = await machine.run({ maxInstructions: 60_000_000 });
    expect(stop.reason).toBe('done');
    expect(log).toContain('Found QEMU fw_cfg');
    expect(log).toContain('Found 1 cpu(s)');
    expect(log).toContain('No bootable device.');
  });
});
