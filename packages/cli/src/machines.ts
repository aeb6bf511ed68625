import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The machines/ folder: the repository's, or the copy a published CLI package carries. */
export function machinesDir(): string {
  for (const rel of ['../../../machines/', '../machines/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}pc.json`)) return dir;
  }
  throw new Error('cannot find the machines/ folder that ships with Plugboard');
}
