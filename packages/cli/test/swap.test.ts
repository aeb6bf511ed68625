import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../src/builtins.js';
import { validateProfile } from '../src/commands/validate.js';

const machines = fileURLToPath(new URL('../../../machines/', import.meta.url));

describe('swapping a device type', () => {
  it("keeps the NIC's wiring (netdev, mac), drops its model settings, and says so", async () => {
    const registry = await createRegistry();
    const profile = loadProfile(`${machines}puredarwin-xmas.json`, [
      { devices: { nic: { type: 'i82559er', config: { mac: '52:54:00:aa:bb:cc' } } } },
    ]);
    const nic = profile.entries.find((e) => e.id === 'nic')!;
    expect(nic.swappedFrom?.type).toBe('rtl8139');
    expect(registry.entryConfig(nic)).toEqual({
      config: { netdev: 'net0', mac: '52:54:00:aa:bb:cc' },
      dropped: ['romfile'],
    });
  });

  it('an entry that keeps its type carries nothing and drops nothing', async () => {
    const registry = await createRegistry();
    const profile = loadProfile(`${machines}puredarwin-xmas.json`);
    const nic = profile.entries.find((e) => e.id === 'nic')!;
    expect(nic.swappedFrom).toBeNull();
    expect(registry.entryConfig(nic).dropped).toEqual([]);
  });

  it('validate warns about what a variant profile drops, and stays valid', async () => {
    const registry = await createRegistry();
    const { errors, warnings } = await validateProfile(
      `${machines}puredarwin-xmas-i82559er.json`,
      registry,
      true,
    );
    expect(errors).toEqual([]);
    // The variant sets romfile itself, so nothing it needs is lost.
    expect(warnings).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'pb-swap-')), 'swap.json');
    writeFileSync(
      file,
      JSON.stringify({
        extends: `${machines}puredarwin-xmas.json`,
        name: 'swap',
        devices: { nic: { type: 'i82557b' } },
      }),
    );
    const swapped = await validateProfile(file, registry, true);
    expect(swapped.errors).toEqual([]);
    expect(swapped.warnings).toEqual([
      `${file}: /devices/nic: rtl8139 -> i82557b drops romfile (set them again for the new type if it needs them)`,
    ]);
  });
});
