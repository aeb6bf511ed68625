import type { ProfileEntry, ResolvedProfile } from '../machine/profile.js';
import { MAX_RAM_BYTES, PAGE_SIZE } from '../memory/physical-memory.js';
import type { DevicePlugin } from './manifest.js';
import { ConfigError, type PluginRegistry } from './registry.js';

/** An entry whose plugin exists and whose config passed its schema (defaults filled in). */
export interface PreparedEntry {
  entry: ProfileEntry;
  plugin: DevicePlugin;
  config: Record<string, unknown>;
}

/** `nic: rtl8139 -> i82559er drops romfile`: what a type swap did not keep. */
function swapWarning(file: string, entry: ProfileEntry, dropped: readonly string[]): string {
  const from = entry.swappedFrom?.type ?? '?';
  return `${file}: ${entryPath(entry)}: ${from} -> ${entry.type} drops ${dropped.join(', ')} (set them again for the new type if it needs them)`;
}

/** The JSON path of an entry in its profile. */
export function entryPath(entry: ProfileEntry): string {
  return entry.section === 'cpu' ? '/cpu' : `/${entry.section}/${entry.id}`;
}

/**
 * Loads the plugin packages a profile names (`"plugins"`) and those given on
 * the command line (`--plugin`, resolved from `cwd`). A package that is not
 * installed is the profile's mistake: the error names the profile and the package.
 */
export async function loadProfilePlugins(
  profile: ResolvedProfile,
  registry: PluginRegistry,
  extra: readonly string[] = [],
  cwd?: string,
): Promise<void> {
  // process.cwd() only when there is something to load from it: a page has no process.
  for (const name of extra) await registry.load(name, cwd ?? process.cwd());
  for (const p of profile.plugins) {
    try {
      await registry.load(p.name, p.fromDir);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${profile.file}: /plugins: ${err.message}`);
      throw err;
    }
  }
}

/** PCI base class and subclass of USB host controllers (serial bus controller, USB). */
const USB_CLASS = 0x0c03;

/**
 * Everything about a profile that can be checked without building it: each
 * entry's type and config, that PCI devices (and only they) have a PCI
 * address, and a RAM size the machine can have. `plugboard validate` and
 * `buildMachine` both check through here, so validate rejects what run would.
 * With `missingTypes: 'skip'` an unknown type is reported in `missing` rather
 * than as a problem (validate's default: this installation may lack a plugin).
 * `warnings` says what a type swap dropped of the replaced entry's config.
 */
export function prepareEntries(
  profile: ResolvedProfile,
  registry: PluginRegistry,
  missingTypes: 'error' | 'skip' = 'error',
): { prepared: PreparedEntry[]; problems: string[]; missing: string[]; warnings: string[] } {
  const prepared: PreparedEntry[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  const { memoryBytes } = profile;
  if (memoryBytes < PAGE_SIZE || memoryBytes % PAGE_SIZE !== 0 || memoryBytes > MAX_RAM_BYTES)
    problems.push(
      `/memory: ${memoryBytes} bytes; expected a multiple of 4 KiB from 4K up to 3584M (RAM ends where the PCI hole begins at 3.5 GiB)`,
    );
  for (const entry of profile.entries) {
    const where = entryPath(entry);
    if (missingTypes === 'skip' && !registry.get(entry.type)) {
      missing.push(entry.type);
      continue;
    }
    try {
      const plugin = registry.require(entry.type);
      const own = registry.entryConfig(entry);
      const config = registry.validateConfig(entry.type, own.config, `${where}/config`);
      if (own.dropped.length) warnings.push(swapWarning(profile.file, entry, own.dropped));
      if (plugin.kind === 'pci' && !entry.pci)
        throw new ConfigError(`${where}: "${entry.type}" is a PCI device: it needs a "pci" address`);
      if (plugin.kind !== 'pci' && entry.pci)
        throw new ConfigError(
          `${where}/pci: "${entry.type}" is not a PCI device (its kind is ${plugin.kind}): it takes no "pci" address (${entry.pci})`,
        );
      prepared.push({ entry, plugin, config });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.split('\n').map((m) => (m.startsWith('/') ? m : `${where}/type: ${m}`)));
    }
  }
  // A USB device plugs into a USB host controller's root port: some PCI device of class 0c03 (serial bus, USB).
  const usbHost = prepared.some(
    (p) => p.plugin.kind === 'pci' && (p.plugin.pci?.classCode ?? 0) >>> 8 === USB_CLASS,
  );
  for (const p of prepared)
    if (p.plugin.kind === 'usb' && !usbHost)
      problems.push(
        `${entryPath(p.entry)}: "${p.entry.type}" is a USB device, and no device of the profile is a USB host controller (PCI class 0c03) to plug it into`,
      );
  return { prepared, problems: problems.map((p) => `${profile.file}: ${p}`), missing, warnings };
}
