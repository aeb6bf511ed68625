import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  checkProfileLayer,
  type Json,
  MAX_PROFILE_BYTES,
  MAX_PROFILE_DEPTH,
  ProfileError,
  type ProfileLayer,
  parseProfileJson,
  type ResolvedProfile,
  resolveProfileLayers,
  tooDeep,
} from './profile.js';

/**
 * Profiles from the host's files (Node): the schema, `extends` resolved as
 * paths or installed packages. A page reads them with fetch instead
 * (@plugboard/web) and shares everything else in profile.ts.
 */

let schema: object | null = null;

/** core's schema/machine.schema.json, read on first use. */
export function machineSchema(): object {
  schema ??= JSON.parse(readFileSync(new URL('../../schema/machine.schema.json', import.meta.url), 'utf8'));
  return schema!;
}

/**
 * The text of a profile file. It must be a regular file under
 * MAX_PROFILE_BYTES: `extends` naming /dev/zero or a FIFO must not read
 * forever. O_NONBLOCK keeps the open itself from waiting for a FIFO's writer.
 */
function readProfileText(file: string, displayName: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ProfileError(displayName, [
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    ]);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ProfileError(displayName, ['not a regular file (expected a JSON profile)']);
    if (st.size > MAX_PROFILE_BYTES)
      throw new ProfileError(displayName, [
        `${st.size} bytes is too large for a profile (limit ${MAX_PROFILE_BYTES} bytes)`,
      ]);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function loadLayers(file: string, seen: string[], cwd: string): ProfileLayer[] {
  const display = relative(cwd, file) || file;
  if (seen.includes(file)) {
    const culprit = seen[seen.length - 1]!;
    throw new ProfileError(relative(cwd, culprit) || culprit, [
      `/extends: "extends" loops back to this file (${[...seen, file].map((f) => relative(cwd, f)).join(' -> ')})`,
    ]);
  }
  const json = parseProfileJson(readProfileText(file, display), display);
  checkProfileLayer(json, display, machineSchema());
  const layer = { json, dir: dirname(file) };
  if (typeof json.extends !== 'string') return [layer];
  const parent = extendsPath(json.extends, file, display);
  return [...loadLayers(parent, [...seen, file], cwd), layer];
}

/**
 * Where `extends` points: a path relative to the profile, or a file in an
 * installed package (`@plugboard/cli/machines/pc.json`), resolved as Node
 * resolves imports from the profile's folder, else from Plugboard's own.
 */
function extendsPath(target: string, file: string, display: string): string {
  if (target.startsWith('.') || isAbsolute(target)) return resolve(dirname(file), target);
  for (const from of [file, import.meta.url]) {
    try {
      return createRequire(from).resolve(target);
    } catch {
      // not installed where this one looks: try the next
    }
  }
  throw new ProfileError(display, [
    `/extends: "${target}" is neither a relative path nor a file of an installed package (npm install the package that ships it)`,
  ]);
}

/** Reads a profile and everything it extends, validates each file and the merged result. */
export function loadProfile(path: string, overrides: Json[] = [], cwd = process.cwd()): ResolvedProfile {
  const file = resolve(cwd, path);
  const display = relative(cwd, file) || file;
  const layers = loadLayers(file, [], cwd);
  for (const o of overrides) {
    const deep = tooDeep(o);
    if (deep !== null)
      throw new ProfileError('--set', [
        `${deep}: nested more than ${MAX_PROFILE_DEPTH} levels deep (limit ${MAX_PROFILE_DEPTH})`,
      ]);
    layers.push({ json: o, dir: cwd });
  }
  return resolveProfileLayers(layers, file, display, machineSchema());
}
