import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_FIRMWARE_BYTES, readUserFile, UserError } from '@plugboard/core';

/** The script that fills the cache from Debian's packages; it ships in this package (`plugboard fetch-firmware` runs it). */
/** The fetch script's path; a function, so that loading this module (in a page too) touches no file system. */
export const fetchScript = (): string =>
  fileURLToPath(new URL('../scripts/fetch-firmware.sh', import.meta.url));

/** How to get the firmware when it is missing, for someone who installed Plugboard from npm as much as for a checkout. */
export const FETCH_HINT =
  "run `plugboard fetch-firmware` (`npx plugboard fetch-firmware` where the CLI is a local package) to unpack Debian's seabios, ipxe-qemu and qemu-system-data packages into the cache, or install them with `apt-get install seabios ipxe-qemu qemu-system-data`";

/** A firmware image or option ROM that cannot be found or used. */
export class FirmwareError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'FirmwareError';
  }
}

/** The cache fetch-firmware.sh fills: $PLUGBOARD_CACHE/firmware, else $XDG_CACHE_HOME/plugboard/firmware, else ~/.cache/plugboard/firmware. */
export function firmwareCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.PLUGBOARD_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'plugboard');
  return join(root, 'firmware');
}

/** Where Debian's own seabios, ipxe-qemu and qemu-system-data packages put their files, when installed. */
export const SYSTEM_FIRMWARE_DIRS = ['/usr/share/seabios', '/usr/lib/ipxe/qemu', '/usr/share/qemu'] as const;

/**
 * Finds a firmware file. A name with a slash is a path (relative ones against
 * `baseDir`); a bare name is looked up in `searchDirs` (`-L` directories)
 * first, then the cache, then the system directories.
 */
export function resolveFirmware(
  name: string,
  searchDirs: readonly string[] = [],
  baseDir = process.cwd(),
): string {
  if (name.includes('/')) {
    // A path is taken as given: readFirmware says when it is not a regular file.
    const path = isAbsolute(name) ? name : resolve(baseDir, name);
    if (!existsSync(path)) throw new FirmwareError(`firmware image ${path} does not exist`);
    return path;
  }
  const dirs = [...searchDirs.map((d) => resolve(baseDir, d)), firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (isFile(path)) return path;
  }
  throw new FirmwareError(`firmware "${name}" not found in ${dirs.join(', ')}; ${FETCH_HINT}`);
}

/**
 * The bytes of an option ROM (`vgabios-cirrus.bin`, `efi-rtl8139.rom`,
 * `pxe-eepro100.rom`, ...) for the CLI or machine builder. Devices never call
 * this: their config carries `romfile` as a path, which the CLI fills in.
 */
export function loadOptionRom(name: string, searchDirs: readonly string[] = []): Uint8Array {
  return readFirmware(resolveFirmware(name, searchDirs));
}

/** A firmware image or option ROM: a regular file of at most 16 MiB. */
export function readFirmware(path: string): Uint8Array {
  try {
    return readUserFile(path, 'a firmware image', MAX_FIRMWARE_BYTES);
  } catch (err) {
    throw err instanceof UserError ? new FirmwareError(err.message) : err;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
