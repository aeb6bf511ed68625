import { PluginRegistry } from '@plugboard/core';

/**
 * Plugboard's own plugin packages, all dependencies of the CLI. They load by
 * name exactly as third-party plugins do; one missing from an incomplete
 * install provides nothing, and the registry names it (with the `npm install`
 * that brings it) when a profile asks for a type nobody provides.
 */
export const BUILTIN_PACKAGES = [
  '@plugboard/cpu-x86',
  '@plugboard/dev-piix',
  '@plugboard/dev-isa',
  '@plugboard/fw-cfg',
  '@plugboard/firmware',
  '@plugboard/boot-linux',
  '@plugboard/dev-cirrus',
  '@plugboard/dev-stdvga',
  '@plugboard/dev-rtl8139',
  '@plugboard/dev-i8255x',
  '@plugboard/dev-uhci',
  '@plugboard/dev-usb-hid',
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

/** A registry holding the built-in plugins, then each `extra` package (`--plugin`), resolved from `cwd`. */
export async function createRegistry(
  extra: readonly string[] = [],
  cwd = process.cwd(),
): Promise<PluginRegistry> {
  const registry = new PluginRegistry();
  for (const name of BUILTIN_PACKAGES) {
    let mod: { plugins?: unknown };
    try {
      mod = (await import(name)) as { plugins?: unknown };
    } catch (err) {
      if (!isMissing(err, name)) throw err;
      registry.noteUninstalled(name);
      continue;
    }
    if (!Array.isArray(mod.plugins)) throw new Error(`${name} exports no \`plugins\` array`);
    registry.addPackage(mod as Parameters<PluginRegistry['addPackage']>[0], name);
  }
  for (const name of extra) await registry.load(name, cwd);
  return registry;
}
