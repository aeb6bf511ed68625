import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { formatPciAddress, parsePciAddress } from '../pci/address.js';
import type { ClockOptions } from '../time/clock.js';
import { UserError } from '../user-error.js';

export type ProfileSection = 'cpu' | 'drives' | 'netdevs' | 'devices';

/** One thing to build, in build order, with where its relative paths resolve. */
export interface ProfileEntry {
  section: ProfileSection;
  id: string;
  type: string;
  config: Record<string, unknown>;
  pci: string | null;
  irq: number[];
  /** Directory of the profile file that last set this entry. */
  baseDir: string;
  /**
   * A later layer swapped this entry's type (a variant that changes the NIC
   * model): the type and config it replaced, from which the new plugin keeps
   * what its manifest says survives a swap (`carryOnSwap`).
   */
  swappedFrom: { type: string; config: Record<string, unknown> } | null;
}

export interface ResolvedProfile {
  /** The profile file asked for. */
  file: string;
  name: string;
  description: string;
  memoryBytes: number;
  clock: Partial<ClockOptions>;
  plugins: { name: string; fromDir: string }[];
  entries: ProfileEntry[];
  /** The merged profile as JSON, for `--print-profile`. */
  merged: Record<string, unknown>;
}

/** A profile that cannot be used: names the file, the JSON path and what was expected. */
export class ProfileError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'ProfileError';
  }
}

// Not kept by its $id: a process may hold two copies of the machine schema (the file a host reads,
// the page bundle's import), and ajv refuses a second schema under an $id it holds.
const ajv = new Ajv2020({ allErrors: true, strict: false, addUsedSchema: false });
const validators = new WeakMap<object, ValidateFunction>();

/** The validator of `schema` (core's schema/machine.schema.json, as its host reads it), compiled once. */
function validatorOf(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Checks one profile file's JSON against the machine schema; throws naming `displayName` and the JSON paths. */
export function checkProfileLayer(json: Json, displayName: string, schema: object): void {
  const validate = validatorOf(schema);
  if (!validate(json)) throw new ProfileError(displayName, problemsOf(validate.errors ?? []));
}

function describe(e: ErrorObject): string {
  const path = e.instancePath || '/';
  switch (e.keyword) {
    case 'additionalProperties':
      return `${path}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'pattern':
      if (e.instancePath.endsWith('/pci'))
        return `${path}: expected a PCI address bus:dev.fn such as "00:03.0"`;
      if (e.instancePath === '/memory') return `${path}: expected a size such as 512M, 2G or a byte count`;
      return `${path}: expected a string matching ${(e.params as { pattern: string }).pattern}`;
    case 'enum':
      return `${path}: expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${path}: expected ${(e.params as { type: string }).type}`;
    default:
      return `${path}: ${e.message}`;
  }
}

/**
 * The most telling errors. A failed `anyOf` reports every branch: drop the
 * summary, and drop a branch's type mismatch where another branch at the same
 * path or below says something more specific (a string that fails its
 * pattern, a bad field inside an entry that could also have been null).
 */
function problemsOf(errors: ErrorObject[]): string[] {
  const specific = errors
    .filter((e) => e.keyword !== 'type' && e.keyword !== 'anyOf')
    .map((e) => e.instancePath);
  const covered = (path: string) => specific.some((p) => p === path || p.startsWith(`${path}/`));
  const kept = errors.filter(
    (e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && covered(e.instancePath)),
  );
  return [...new Set(kept.map(describe))];
}

export function parseSize(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^([0-9]+)([KMG]?)$/.exec(text);
  if (!m) throw new RangeError(`not a size: ${text}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

export type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SECTIONS: ProfileSection[] = ['drives', 'netdevs', 'cpu', 'devices'];

/** Objects merge key by key, `null` removes, anything else replaces. */
function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = merge(out[k] as Json, v);
    else out[k] = v;
  }
  return out;
}

/**
 * Merges one profile layer onto the result so far. An entry that names a
 * different `type` keeps its place (`pci`, `irq`) but not its `config`: a
 * variant that swaps the NIC must not inherit the old NIC's model settings.
 * What it replaced goes into `swaps`, so the wiring the new plugin shares
 * (`netdev`, `mac`) can be carried over once its manifest is known.
 */
function mergeLayer(base: Json, layer: Json, swaps: Map<string, ProfileEntry['swappedFrom']>): Json {
  const out = merge(base, layer);
  for (const section of SECTIONS) {
    const over = section === 'cpu' ? { cpu0: layer.cpu } : layer[section];
    const under = section === 'cpu' ? { cpu0: base.cpu } : base[section];
    if (!isObject(over) || !isObject(under)) continue;
    for (const [id, entry] of Object.entries(over)) {
      const old = under[id];
      if (!isObject(entry) || !isObject(old) || entry.type === undefined || entry.type === old.type) continue;
      const place: Json = {};
      if (old.pci !== undefined) place.pci = old.pci;
      if (old.irq !== undefined) place.irq = old.irq;
      if (typeof old.type === 'string' && isObject(old.config))
        swaps.set(`${section}/${id}`, { type: old.type, config: old.config });
      if (section === 'cpu') out.cpu = entry;
      else (out[section] as Json)[id] = { ...place, ...entry };
    }
  }
  return out;
}

/** Largest profile file read: profiles are a few KiB; past this it is not one. */
export const MAX_PROFILE_BYTES = 1024 * 1024;
/** Deepest nesting of objects and arrays accepted in a profile (validation recurses this deep). */
export const MAX_PROFILE_DEPTH = 64;

/** The JSON path of the first value nested deeper than MAX_PROFILE_DEPTH, or null; iterative, so any depth is safe. */
export function tooDeep(value: unknown): string | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_PROFILE_DEPTH) return path || '/';
    for (const [k, child] of Object.entries(v)) stack.push([child, `${path}/${k}`, depth + 1]);
  }
  return null;
}

/** Parses a profile file's text: a JSON object nested at most MAX_PROFILE_DEPTH deep, or an error naming line and column. */
export function parseProfileJson(text: string, displayName: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    if (!isObject(value)) throw new ProfileError(displayName, ['/: expected a JSON object']);
    const deep = tooDeep(value);
    if (deep !== null)
      throw new ProfileError(displayName, [
        `${deep}: nested more than ${MAX_PROFILE_DEPTH} levels deep (limit ${MAX_PROFILE_DEPTH})`,
      ]);
    return value;
  } catch (err) {
    if (err instanceof ProfileError) throw err;
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const column = Number(pos[1]) - before.lastIndexOf('\n');
      throw new ProfileError(displayName, [`line ${line}, column ${column}: invalid JSON (${msg})`]);
    }
    throw new ProfileError(displayName, [`invalid JSON (${msg})`]);
  }
}

/** One profile file's validated JSON and the directory its relative paths resolve against. */
export interface ProfileLayer {
  json: Json;
  dir: string;
}

/**
 * Merges validated layers (the base first, each file it extends, then
 * overrides) into the machine to build, and validates the result. `file` is
 * the profile asked for, `displayName` how errors name it.
 */
export function resolveProfileLayers(
  layers: readonly ProfileLayer[],
  file: string,
  displayName: string,
  schema: object,
): ResolvedProfile {
  const display = displayName;
  const validateProfile = validatorOf(schema);
  let merged: Json = {};
  const entryDir = new Map<string, string>();
  const swaps = new Map<string, ProfileEntry['swappedFrom']>();
  for (const { json, dir } of layers) {
    merged = mergeLayer(merged, json, swaps);
    for (const section of SECTIONS) {
      const value = json[section];
      if (section === 'cpu') {
        if (isObject(value)) entryDir.set('cpu/cpu0', dir);
      } else if (isObject(value)) {
        for (const id of Object.keys(value)) entryDir.set(`${section}/${id}`, dir);
      }
    }
  }
  delete merged.extends;
  if (!validateProfile(merged)) throw new ProfileError(display, problemsOf(validateProfile.errors ?? []));

  const problems: string[] = [];
  if (typeof merged.name !== 'string') problems.push("/name: expected the machine's name");
  const entries: ProfileEntry[] = [];
  for (const section of SECTIONS) {
    const table: Record<string, unknown> =
      section === 'cpu'
        ? merged.cpu === undefined
          ? {}
          : { cpu0: merged.cpu }
        : ((merged[section] as Json | undefined) ?? {});
    for (const [id, raw] of Object.entries(table)) {
      const where = section === 'cpu' ? '/cpu' : `/${section}/${id}`;
      if (!isObject(raw)) {
        problems.push(
          raw === null
            ? `${where}: null removes an entry, but no profile this one extends defines "${id}"`
            : `${where}: expected an object with the plugin "type" of "${id}"`,
        );
        continue;
      }
      const entry = raw;
      if (typeof entry.type !== 'string') {
        problems.push(`${where}/type: expected the plugin type of "${id}"`);
        continue;
      }
      const irq =
        entry.irq === undefined
          ? []
          : Array.isArray(entry.irq)
            ? (entry.irq as number[])
            : [entry.irq as number];
      entries.push({
        section,
        id,
        type: entry.type,
        config: (entry.config as Json | undefined) ?? {},
        pci: (entry.pci as string | undefined) ?? null,
        irq,
        // Every merged entry came from a layer, which noted its directory.
        baseDir: entryDir.get(`${section}/${id}`)!,
        swappedFrom: swaps.get(`${section}/${id}`) ?? null,
      });
    }
  }
  const pciSeen = new Map<string, string>();
  for (const e of entries) {
    if (!e.pci) continue;
    const address = parsePciAddress(e.pci);
    if (!address) {
      problems.push(`/devices/${e.id}/pci: expected a PCI address bus:dev.fn such as "00:03.0"`);
      continue;
    }
    const key = formatPciAddress(address);
    const other = pciSeen.get(key);
    if (other) problems.push(`/devices/${e.id}/pci: address ${e.pci} is already used by "${other}"`);
    pciSeen.set(key, e.id);
  }
  if (problems.length) throw new ProfileError(display, problems);

  const plugins = layers.flatMap(({ json, dir }) =>
    ((json.plugins as string[] | undefined) ?? []).map((name) => ({ name, fromDir: dir })),
  );
  return {
    file,
    name: merged.name as string,
    description: (merged.description as string | undefined) ?? '',
    memoryBytes: parseSize((merged.memory as string | number | undefined) ?? '128M'),
    clock: (merged.clock as Partial<ClockOptions> | undefined) ?? {},
    plugins,
    entries,
    merged,
  };
}
