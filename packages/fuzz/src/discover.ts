import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FuzzTarget } from './target.js';

/** The folder of target modules, beside this file in the sources and in dist alike. */
export const TARGETS_DIR = fileURLToPath(new URL('./targets/', import.meta.url));

/** Every module in `targets/` that exports a `target`, by name. */
export async function discoverTargets(dir = TARGETS_DIR): Promise<FuzzTarget[]> {
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const targets: FuzzTarget[] = [];
  for (const f of files) {
    const mod = (await import(new URL(f, `file://${dir}`).href)) as { target?: FuzzTarget };
    if (mod.target) targets.push(mod.target);
  }
  return targets;
}
