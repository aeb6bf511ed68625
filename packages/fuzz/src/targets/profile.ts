import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfile, PluginRegistry, UserError } from '@plugboard/core';
import * as vmdk from '@plugboard/disk-vmdk';

/**
 * The profile loader: JSON parsing, `extends` (a fixed base profile beside
 * it), the schema, merging and entry checks, then each `file` drive's config
 * against its plugin's schema. A ProfileError or ConfigError (UserErrors) is a
 * clean refusal; a TypeError or a stack overflow is a finding.
 */
const dir = mkdtempSync(join(tmpdir(), 'pb-fuzz-profile-'));
const file = join(dir, 'machine.json');
writeFileSync(
  join(dir, 'base.json'),
  JSON.stringify({
    name: 'base',
    memory: '64M',
    drives: { hd0: { type: 'file', config: { file: 'disk.img' } } },
    devices: { serial0: { type: 'serial' } },
  }),
);
const registry = new PluginRegistry();
registry.addPackage(vmdk);

export const target = {
  name: 'profile',
  seeds(): Uint8Array[] {
    const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    return [
      text({
        name: 'x',
        extends: 'base.json',
        drives: { hd0: null, cd0: { type: 'file', config: { file: 'x.iso', readOnly: true } } },
      }),
      text({ name: 'y', memory: 1048576, devices: { nic: { type: 'rtl8139', pci: '00:03.0', config: {} } } }),
      text({ name: 'z', devices: { a: null } }),
    ];
  },
  run(input: Uint8Array): void {
    writeFileSync(file, input);
    try {
      const profile = loadProfile(file, [], dir);
      for (const entry of profile.entries)
        if (registry.get(entry.type))
          registry.validateConfig(entry.type, entry.config, `/${entry.section}/${entry.id}`);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
    }
  },
};
