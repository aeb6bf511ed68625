import { PluginRegistry } from '@plugboard/core';

/**
 * Plugboard's own plugin packages. They load by name exactly as third-party
 * plugins do; one that is not installed simply provides nothing, so a profile
 * that needs it fails with "no plugin provides <type>".
 */
export const BUILTIN_PACKAGES = [
  '@plugboard/cpu-x86',
  '@plugboard/dev-piix',
  '@plugboard/dev-isa',
  '@plugboard/fw-cfg',
  '@plugboard/firmware',
  '@plugboard/boot-linux',
  '@plugboard/dev-cirrus',
  '@plugboard/dev-rtl8139',
  '@plugboard/dev-i8255x',
  '@plugboard/block',
  '@plugboard/disk-vmdk',
  '@plugboard/net',
  '@plugboard/net-slirp',
  '@plugboard/display',
] as const;

function isMissing(err: unknown, name: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && e.message.includes(name);
}

export async function createRegistry(): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  for (const name of BUILTIN_PACKAGES) {
    let mod: { plugins?: unknown };
    try {
      mod = (await import(name)) as { plugins?: unknown };
    } catch (err) {
      if (isMissing(err, name)) continue;
      throw err;
    }
    if (!Array.isArray(mod.plugins)) throw new Error(`${name} exports no \`plugins\` array`);
    registry.addPackage(mod as Parameters<PluginRegistry['addPackage']>[0], name);
  }
  return registry;
}
