import {
  formatPciAddress,
  type PluginRegistry,
  parsePciAddress,
  pciClassName,
  type ResolvedProfile,
} from '@plugboard/core';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * The PCI functions a profile declares, in `lspci -nn` form, from the plugins'
 * manifests alone: nothing is built and no image is opened.
 */
export function lspci(profile: ResolvedProfile, registry: PluginRegistry): string[] {
  const rows: { key: number; text: string }[] = [];
  for (const entry of profile.entries) {
    if (!entry.pci) continue;
    const plugin = registry.require(entry.type);
    const config = registry.validateConfig(entry.type, entry.config, `/devices/${entry.id}/config`);
    const model = typeof config.model === 'string' ? config.model : undefined;
    const ids = (model !== undefined ? plugin.models?.[model] : undefined) ?? plugin.pci;
    if (!ids)
      throw new Error(`${profile.file}: /devices/${entry.id}: plugin "${entry.type}" is not a PCI device`);
    const address = parsePciAddress(entry.pci);
    if (!address) continue;
    const cls = ids.classCode >>> 8;
    const name = pciClassName(cls, 'lspci');
    const sub =
      ids.subsystemVendorId !== undefined && ids.subsystemId !== undefined
        ? `\n\tSubsystem: [${hex(ids.subsystemVendorId, 4)}:${hex(ids.subsystemId, 4)}]`
        : '';
    rows.push({
      key: (address.bus << 8) | (address.device << 3) | address.function,
      text: `${formatPciAddress(address)} ${name} [${hex(cls, 4)}]: ${plugin.meta.name} [${hex(ids.vendorId, 4)}:${hex(ids.deviceId, 4)}] (rev ${hex(ids.revision, 2)})${sub}`,
    });
  }
  return rows.sort((a, b) => a.key - b.key).map((r) => r.text);
}
