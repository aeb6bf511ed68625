import { ConfigError, loadProfile, type PluginRegistry, swapWarning } from '@plugboard/core';

/**
 * Checks a profile: its JSON against the profile schema (and everything it
 * extends), then each entry's config against its plugin's schema. A type no
 * installed plugin provides is a warning, or an error with `strict`: the
 * profile can be right while this installation lacks a plugin.
 */
export function validateProfile(
  path: string,
  registry: PluginRegistry,
  strict: boolean,
): { errors: string[]; warnings: string[] } {
  const profile = loadProfile(path);
  const errors: string[] = [];
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const entry of profile.entries) {
    const where = entry.section === 'cpu' ? '/cpu' : `/${entry.section}/${entry.id}`;
    if (!registry.get(entry.type)) {
      if (strict) errors.push(`${path}: ${where}/type: no plugin provides "${entry.type}"`);
      else missing.push(entry.type);
      continue;
    }
    try {
      const own = registry.entryConfig(entry);
      registry.validateConfig(entry.type, own.config, `${where}/config`);
      if (own.dropped.length) warnings.push(swapWarning(path, entry, own.dropped));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.push(...err.message.split('\n').map((m) => `${path}: ${m}`));
    }
  }
  if (missing.length)
    warnings.push(`${path}: no installed plugin provides ${[...new Set(missing)].join(', ')}`);
  return { errors, warnings };
}
