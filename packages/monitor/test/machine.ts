import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMachine, loadProfile, type Machine, PluginRegistry } from '@plugboard/core';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The plugin packages machines/puredarwin-xmas.json needs. */
const PACKAGES = [
  '@plugboard/cpu-x86',
  '@plugboard/dev-piix',
  '@plugboard/dev-isa',
  '@plugboard/fw-cfg',
  '@plugboard/firmware',
  '@plugboard/dev-cirrus',
  '@plugboard/dev-rtl8139',
  '@plugboard/disk-vmdk',
  '@plugboard/net-slirp',
];

/** machines/puredarwin-xmas.json with overrides, built (reset, not run), firmware from the cache. */
export async function puredarwinXmas(overrides: Record<string, unknown>[] = []): Promise<Machine> {
  const registry = new PluginRegistry();
  for (const name of PACKAGES)
    registry.addPackage((await import(name)) as Parameters<PluginRegistry['addPackage']>[0], name);
  const profile = loadProfile(`${root}machines/puredarwin-xmas.json`, overrides);
  return buildMachine(profile, registry, { firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS] });
}

/**
 * machines/bare.json running test/fixtures/gdb-guest.asm (assembled with
 * nasm): a flat 32-bit loop calling `bump` at 0xF0045, which counts in EBX
 * and stores the count at 0x500.
 */
export async function bareGdbGuest(): Promise<Machine> {
  const registry = new PluginRegistry();
  for (const name of ['@plugboard/cpu-x86', '@plugboard/dev-isa', '@plugboard/firmware'])
    registry.addPackage((await import(name)) as Parameters<PluginRegistry['addPackage']>[0], name);
  const rom = join(mkdtempSync(join(tmpdir(), 'plugboard-gdb-')), 'gdb-guest.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', rom, `${root}test/fixtures/gdb-guest.asm`]);
  const profile = loadProfile(`${root}machines/bare.json`, [
    { devices: { rom: { config: { image: rom } }, debugcon: { config: { output: 'memory' } } } },
  ]);
  return buildMachine(profile, registry, {});
}
