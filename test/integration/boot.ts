import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile, type Machine } from '@plugboard/core';
import { runImg } from '@plugboard/disk-vmdk';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** An empty VMDK of `size` in a fresh temporary directory, made with Plugboard's own img tool. */
export async function emptyVmdk(size: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'plugboard-')), 'disk.vmdk');
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const code = await runImg(['create', '-f', 'vmdk', path, size], { stdout: quiet, stderr: process.stderr });
  if (code !== 0) throw new Error(`img create ${path} failed with ${code}`);
  return path;
}

/** Builds a machine from a profile in machines/ with overrides, finding firmware in the cache. */
export async function machine(
  name: string,
  overrides: Record<string, unknown>[],
  options: { powerOn?: boolean } = {},
): Promise<Machine> {
  const profile = loadProfile(join(root, 'machines', `${name}.json`), overrides);
  return buildMachine(profile, await createRegistry(), {
    firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS],
    powerOn: options.powerOn,
  });
}

/**
 * Runs in slices until `done()` holds or `limit` instructions have retired;
 * returns the instructions it took.
 */
export async function runUntil(
  m: Machine,
  done: () => boolean,
  limit: number,
  slice = 10_000_000,
): Promise<number> {
  while (!done() && m.cpu!.instructionCount < limit) {
    const event = await m.run({ maxInstructions: m.cpu!.instructionCount + slice });
    if (event.reason !== 'instruction limit reached') break;
  }
  return m.cpu!.instructionCount;
}
