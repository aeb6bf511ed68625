import {
  ConfigError,
  loadProfile,
  loadProfilePlugins,
  type PluginRegistry,
  prepareEntries,
} from '@plugboard/core';

/**
 * Checks a profile as `run` would before building it: its JSON against the
 * profile schema (and everything it extends), its plugin packages, then each
 * entry (type, config schema, PCI address) through core's `prepareEntries`.
 * A type no installed plugin provides is a warning, or an error with
 * `strict`: the profile can be right while this installation lacks a plugin.
 */
export async function validateProfile(
  path: string,
  registry: PluginRegistry,
  strict: boolean,
): Promise<{ errors: string[]; warnings: string[] }> {
  const profile = loadProfile(path);
  try {
    await loadProfilePlugins(profile, registry);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { errors: err.message.split('\n'), warnings: [] };
  }
  const { problems, missing, warnings } = prepareEntries(profile, registry, strict ? 'error' : 'skip');
  if (missing.length)
    warnings.push(`${path}: no installed plugin provides ${[...new Set(missing)].join(', ')}`);
  return { errors: problems, warnings };
}
