import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './registry.js';

/**
 * Imports an installed npm package as Node resolves it from `fromDir`, else
 * from Plugboard's own folder. Node only: a page bundles its plugins.
 */
export async function importInstalled(name: string, fromDir: string): Promise<unknown> {
  let resolved: string;
  try {
    resolved = createRequire(`${fromDir}/`).resolve(name);
  } catch {
    try {
      resolved = createRequire(import.meta.url).resolve(name);
    } catch {
      throw new ConfigError(
        `plugin package "${name}" is not installed (looked from ${fromDir} and from Plugboard itself): \`npm install ${name}\``,
      );
    }
  }
  return import(pathToFileURL(resolved).href);
}
