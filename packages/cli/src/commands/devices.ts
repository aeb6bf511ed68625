import type { PluginRegistry } from '@plugboard/core';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** `plugboard devices [TYPE]`: installed plugins, or one plugin's config schema. */
export function listDevices(registry: PluginRegistry, type: string | undefined, json: boolean): string {
  if (type !== undefined) {
    const p = registry.require(type);
    return JSON.stringify(
      { meta: p.meta, kind: p.kind, pci: p.pci, models: p.models, configSchema: p.configSchema },
      null,
      2,
    );
  }
  const plugins = registry.list();
  if (json)
    return JSON.stringify(
      plugins.map((p) => ({
        meta: p.meta,
        kind: p.kind,
        pci: p.pci,
        models: p.models,
        configSchema: p.configSchema,
      })),
      null,
      2,
    );
  if (plugins.length === 0) return 'no plugins installed';
  return plugins
    .map((p) => {
      const ids = p.pci ? ` [${hex(p.pci.vendorId, 4)}:${hex(p.pci.deviceId, 4)}]` : '';
      const models = p.models ? `  models: ${Object.keys(p.models).join(', ')}` : '';
      return `${p.meta.id.padEnd(16)} ${p.kind.padEnd(8)} ${p.meta.name}${ids}${models}  (${p.meta.package ?? 'built-in'})`;
    })
    .join('\n');
}
