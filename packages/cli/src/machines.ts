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

/**
 * A profile argument: a file where one exists, else the name of a shipped
 * machine (`puredarwin-xmas`, `pc`), so the commands work from any folder.
 */
export function profilePath(arg: string): string {
  if (existsSync(arg) || !/^[\w.-]+$/.test(arg)) return arg;
  const shipped = `${machinesDir()}${arg.endsWith('.json') ? arg : `${arg}.json`}`;
  return existsSync(shipped) ? shipped : arg;
}
