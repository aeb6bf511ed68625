import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@plugboard/core';
import { firmwareCacheDir } from '@plugboard/firmware';
import { Ajv2020 } from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;

/** What a cell's serial output must show: regular expressions (JavaScript syntax). */
export interface Checks {
  /** Each must match somewhere in the output. */
  expect: string[];
  /** None may match. */
  reject: string[];
  /** Values to report: name -> expression whose first group is the value. */
  capture: Record<string, string>;
}

/** One value along an axis: a machine variation or a guest. */
interface Variant {
  /** A profile to start from instead of the matrix's (machines only). */
  profile: string | null;
  /** Profile fields laid over it, as a profile layer. */
  set: Json;
  /** Words added to the guest kernel's command line. */
  append: string;
  checks: Checks;
  /** Linux for the built-in direct boot (guests only). */
  kernel: string | null;
  initrd: string | null;
}

/** One run: a machine variation with a guest, and everything it is checked against. */
export interface Cell {
  /** `machine/guest`. */
  name: string;
  machine: string;
  guest: string;
  profile: string;
  /** Profile layers in order: the machine's, the guest's (with its boot). */
  layers: Json[];
  checks: Checks;
}

export interface MatrixSpec {
  file: string;
  name: string;
  /** Device id whose network traffic each cell captures, and whose registers it traces. */
  capture: string | null;
  trace: string[];
  timeoutSeconds: number;
  /** The exit code a passing run ends with (0: the guest powered off). */
  exitCode: number;
  cells: Cell[];
}

/** The spec's JSON Schema, which `$schema` in a spec names for editors too. */
const schema = JSON.parse(readFileSync(new URL('../../schema/matrix.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ allErrors: true, useDefaults: true, strict: false }).compile(schema);

/** `{cache}` in a path: the directory Plugboard fetches firmware and builds test guests into. */
function expandPath(path: string, baseDir: string): string {
  return resolve(baseDir, path.replace('{cache}', dirname(firmwareCacheDir())));
}

function checksOf(raw: unknown): Checks {
  const c = (raw ?? {}) as Partial<Checks>;
  return { expect: c.expect ?? [], reject: c.reject ?? [], capture: c.capture ?? {} };
}

function variantOf(raw: Json, baseDir: string): Variant {
  return {
    profile: typeof raw.profile === 'string' ? expandPath(raw.profile, baseDir) : null,
    set: (raw.set as Json | undefined) ?? {},
    append: (raw.append as string | undefined) ?? '',
    checks: checksOf(raw.checks),
    kernel: typeof raw.kernel === 'string' ? expandPath(raw.kernel, baseDir) : null,
    initrd: typeof raw.initrd === 'string' ? expandPath(raw.initrd, baseDir) : null,
  };
}

function joinChecks(...all: Checks[]): Checks {
  return {
    expect: all.flatMap((c) => c.expect),
    reject: all.flatMap((c) => c.reject),
    capture: Object.assign({}, ...all.map((c) => c.capture)),
  };
}

/**
 * Reads a matrix: machine variations x guests, each cell checked against the
 * matrix's checks plus its machine's and its guest's. Errors name the file
 * and the JSON path.
 */
export function loadMatrix(file: string): MatrixSpec {
  let json: Json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the matrix (${(err as Error).message})`);
  }
  if (!validate(json)) {
    const problems = (validate.errors ?? []).map((e) => `${file}: ${e.instancePath || '/'}: ${e.message}`);
    throw new ConfigError(problems.join('\n'));
  }
  const baseDir = dirname(resolve(file));
  const top = checksOf(json.checks);
  for (const [where, source] of [
    ['/checks', top],
    ...Object.entries({ ...(json.machines as Json), ...(json.guests as Json) }).map(
      ([k, v]) => [`/${k}/checks`, checksOf((v as Json).checks)] as const,
    ),
  ] as const) {
    for (const re of [...source.expect, ...source.reject, ...Object.values(source.capture)]) {
      try {
        new RegExp(re);
      } catch (err) {
        throw new ConfigError(`${file}: ${where}: ${(err as Error).message}`);
      }
    }
  }
  const profile = expandPath(json.profile as string, baseDir);
  const cells: Cell[] = [];
  for (const [machineName, rawMachine] of Object.entries(json.machines as Json)) {
    const machine = variantOf(rawMachine as Json, baseDir);
    for (const [guestName, rawGuest] of Object.entries(json.guests as Json)) {
      const guest = variantOf(rawGuest as Json, baseDir);
      const append = [guest.append, machine.append].filter(Boolean).join(' ');
      const boot: Json = guest.kernel
        ? {
            devices: {
              bios: {
                type: 'linux-direct',
                config: { kernel: guest.kernel, ...(guest.initrd ? { initrd: guest.initrd } : {}), append },
              },
            },
          }
        : {};
      cells.push({
        name: `${machineName}/${guestName}`,
        machine: machineName,
        guest: guestName,
        profile: machine.profile ?? profile,
        layers: [machine.set, guest.set, boot],
        checks: joinChecks(top, machine.checks, guest.checks),
      });
    }
  }
  return {
    file: resolve(file),
    name: json.name as string,
    capture: (json.capture as string | undefined) ?? null,
    trace: (json.trace as string[] | undefined) ?? [],
    timeoutSeconds: json.timeoutSeconds as number,
    exitCode: json.exitCode as number,
    cells,
  };
}
