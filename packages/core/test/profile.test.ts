import { fileURLToPath } from 'node:url';
import { buildMachine, ConfigError, loadProfile, PluginRegistry, ProfileError } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('./profiles/', import.meta.url));
const load = (name: string, overrides: Record<string, unknown>[] = []) => loadProfile(name, overrides, dir);

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProfileError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ProfileError');
}

describe('machine profiles', () => {
  it('merges `extends`: objects key by key, null removes, the child wins', () => {
    const p = load('child.json');
    expect(p.name).toBe('child');
    expect(p.memoryBytes).toBe(32 << 20);
    expect(p.entries.map((e) => e.id)).toEqual(['scratch']);
    expect(p.entries[0].config).toEqual({ port: 1280, xor: 15 });
    expect(p.plugins.map((x) => x.name)).toEqual(['plugboard-plugin-example']);
    expect(p.merged.extends).toBeUndefined();
  });

  it("drops the inherited config, but keeps the place, when a layer changes an entry's type", () => {
    const p = load('child.json', [
      { devices: { scratch: { type: 'other-kind', config: { colour: 'red' } } } },
    ]);
    expect(p.entries[0]).toMatchObject({ id: 'scratch', type: 'other-kind', config: { colour: 'red' } });
  });

  it('applies command-line overrides last', () => {
    const p = load('child.json', [{ memory: '64M', devices: { scratch: { config: { xor: 1 } } } }]);
    expect(p.memoryBytes).toBe(64 << 20);
    expect(p.entries[0].config.xor).toBe(1);
  });

  it('names the file, the JSON path and what was expected for each broken field', () => {
    expect(problems(() => load('bad-fields.json'))).toEqual([
      'bad-fields.json: /: unknown property "colour"',
      'bad-fields.json: /memory: expected a size such as 512M, 2G or a byte count',
      'bad-fields.json: /devices/nic/pci: expected a PCI address bus:dev.fn such as "00:03.0"',
    ]);
  });

  it('reports two devices at one PCI address, however the address is spelled', () => {
    const broken = {
      devices: {
        nic: { type: 'x', pci: '00:04.0' },
        dup: { type: 'x', pci: '0:3.0' },
        dup2: { type: 'x', pci: '00:03.0' },
      },
    };
    expect(problems(() => load('no-type.json', [broken]))).toEqual([
      'no-type.json: /devices/x/type: expected the plugin type of "x"',
      'no-type.json: /devices/dup2/pci: address 00:03.0 is already used by "dup"',
    ]);
  });

  it('points at the line and column of a JSON syntax error', () => {
    const [message] = problems(() => load('bad-json.json'));
    expect(message).toMatch(/^bad-json\.json: line 3, column 19: invalid JSON/);
  });

  it('detects an `extends` loop', () => {
    expect(problems(() => load('loop-a.json'))).toEqual([
      'loop-b.json: /extends: "extends" loops back to this file (loop-a.json -> loop-b.json -> loop-a.json)',
    ]);
  });

  it('says when the file cannot be read', () => {
    expect(problems(() => load('missing.json'))).toEqual(['missing.json: cannot read the file (ENOENT)']);
  });
});

describe('building a machine from a profile', () => {
  it('loads a third-party plugin package by name, fills config defaults, and wires it to the port bus', async () => {
    const registry = new PluginRegistry();
    const machine = await buildMachine(load('base.json'), registry);
    expect(registry.get('example-scratch')?.meta.package).toBe('plugboard-plugin-example');
    machine.ports.out8(1280, 0x0f);
    expect(machine.ports.in8(1280)).toBe(0xf0);
    machine.ports.out8(1281, 0x0f);
    expect(machine.ports.in8(1281)).toBe(0x0f);
    machine.reset();
    expect(machine.ports.in8(1281)).toBe(0x00);
  });

  it('rejects a config that breaks the plugin schema before building anything', async () => {
    const err = await buildMachine(load('bad-config.json'), new PluginRegistry()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.split('\n').map((l) => l.replace(/^.*profiles\//, ''))).toEqual([
      'bad-config.json: /devices/scratch/config: must NOT have additional properties "colour"',
      'bad-config.json: /devices/scratch/config/port: must be <= 65535',
    ]);
  });

  it('says which type no plugin provides', async () => {
    const err = await buildMachine(load('unknown-type.json'), new PluginRegistry()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /unknown-type\.json: \/devices\/vga\/type: no plugin provides "cirrus-vga"/,
    );
  });

  it('refuses a plugin package that is not installed', async () => {
    const registry = new PluginRegistry();
    await expect(registry.load('plugboard-plugin-nope', dir)).rejects.toThrow(
      /"plugboard-plugin-nope" is not installed/,
    );
  });
});

describe('firmware lookup', () => {
  it('finds bare names in the firmware directories in order, and takes paths relative to the profile', async () => {
    const { createDeviceContext, createMachineParts } = await import('@plugboard/core');
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const system = { requestReset: () => {}, requestShutdown: () => {} };
    const ctx = createDeviceContext(parts, system, { id: 'nic', baseDir: dir }, ['missing-dir', '.']);
    expect(ctx.findFirmware('base.json')).toBe(`${dir}base.json`);
    expect(ctx.findFirmware('./child.json')).toBe(`${dir}child.json`);
    expect(() => ctx.findFirmware('efi-rtl8139.rom')).toThrow(
      /nic: firmware "efi-rtl8139.rom" not found in missing-dir, \./,
    );
    // A path is taken as given; reading it names what is missing.
    const missing = ctx.findFirmware('./nope.rom');
    expect(missing).toBe(`${dir}nope.rom`);
    await expect(ctx.readFile(missing, 'an option ROM', 1 << 20)).rejects.toThrow(
      /nope\.rom: cannot read an option ROM \(ENOENT\)/,
    );
  });
});
