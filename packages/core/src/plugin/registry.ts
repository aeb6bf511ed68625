import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ProfileEntry } from '../machine/profile.js';
import { UserError } from '../user-error.js';
import type { DevicePlugin, PluginPackage } from './manifest.js';
import { importInstalled } from './node-import.js';

/** A config that does not match its plugin's schema. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The installed plugins, by profile `type`. Built-in plugins are added by the
 * CLI; third-party ones load by npm package name, resolved from the profile's
 * directory first so a machine folder can carry its own node_modules.
 */
export class PluginRegistry {
  private readonly plugins = new Map<string, DevicePlugin>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: false });
  /** Plugin packages that should be here but are not installed, named when a type is missing. */
  private readonly uninstalled = new Set<string>();

  /** Notes a package that should have provided plugins but is not installed. */
  noteUninstalled(name: string): void {
    this.uninstalled.add(name);
  }

  add(plugin: DevicePlugin, fromPackage?: string): void {
    const id = plugin.meta.id;
    const existing = this.plugins.get(id);
    if (existing && existing !== plugin) {
      throw new Error(
        `plugin type "${id}" from ${fromPackage ?? 'built-ins'} is already provided by ${existing.meta.package ?? 'built-ins'}`,
      );
    }
    if (fromPackage) plugin.meta.package ??= fromPackage;
    this.plugins.set(id, plugin);
  }

  addPackage(pkg: PluginPackage, name?: string): void {
    for (const p of pkg.plugins) this.add(p, name);
  }

  /** Imports an npm package by name and adds the plugins it exports. */
  async load(name: string, fromDir: string): Promise<void> {
    const mod = (await importInstalled(name, fromDir)) as Partial<PluginPackage> & {
      default?: PluginPackage;
    };
    const pkg = Array.isArray(mod.plugins) ? (mod as PluginPackage) : mod.default;
    if (!pkg || !Array.isArray(pkg.plugins)) {
      throw new ConfigError(`plugin package "${name}" exports no \`plugins\` array`);
    }
    this.addPackage(pkg, name);
  }

  get(id: string): DevicePlugin | undefined {
    return this.plugins.get(id);
  }

  require(id: string): DevicePlugin {
    const plugin = this.plugins.get(id);
    if (!plugin) {
      const absent = [...this.uninstalled];
      const hint = absent.length
        ? `; not installed: ${absent.join(', ')} (\`npm install ${absent.join(' ')}\`)`
        : '';
      throw new ConfigError(
        `no plugin provides "${id}" (installed: ${[...this.plugins.keys()].sort().join(', ') || 'none'})${hint}`,
      );
    }
    return plugin;
  }

  list(): DevicePlugin[] {
    return [...this.plugins.values()].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  }

  /**
   * The config an entry is built with: its own, plus what its plugin keeps
   * from the entry a type swap replaced (`carryOnSwap`), and the keys of the
   * replaced config that did not survive, for a warning.
   */
  entryConfig(entry: ProfileEntry): { config: Record<string, unknown>; dropped: string[] } {
    const from = entry.swappedFrom;
    if (from === null) return { config: entry.config, dropped: [] };
    const keep = this.require(entry.type).carryOnSwap ?? [];
    const carried: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(from.config)) {
      if (key in entry.config) continue;
      if (keep.includes(key)) carried[key] = value;
      else dropped.push(key);
    }
    return { config: { ...carried, ...entry.config }, dropped };
  }

  /** Validates `config` against the plugin's schema, filling in defaults. `where` prefixes messages. */
  validateConfig(id: string, config: unknown, where: string): Record<string, unknown> {
    const plugin = this.require(id);
    let validate = this.validators.get(id);
    if (!validate) {
      validate = this.ajv.compile(plugin.configSchema);
      this.validators.set(id, validate);
    }
    const copy = structuredClone(config ?? {}) as Record<string, unknown>;
    if (!validate(copy)) {
      const errors = (validate.errors ?? []).map((e) => {
        const path = `${where}${e.instancePath}`;
        const extra =
          e.keyword === 'additionalProperties'
            ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
            : '';
        const allowed =
          e.keyword === 'enum'
            ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
            : '';
        return `${path}: ${e.message}${extra}${allowed}`;
      });
      throw new ConfigError(errors.join('\n'));
    }
    return copy;
  }
}
