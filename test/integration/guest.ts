import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { firmwareCacheDir } from '@plugboard/firmware';
import { root } from './boot.js';

/**
 * The test guest (`npm run guests`) run through the CLI in a child process,
 * as a user runs it. Guests boot there, not inside the vitest worker: vitest
 * loads sources through its module runner, whose exports are getters, and the
 * CPU's hot paths run several times slower that way than on Node's own ESM.
 */

/** `npm run guests` builds next to the firmware cache. */
export const guests = join(dirname(firmwareCacheDir()), 'guests');

export interface GuestManifest {
  kernelRelease: string;
  diskFirstMiB: string;
  isoBytes: number;
  isoFirstMiB: string;
}

export const manifest = JSON.parse(readFileSync(join(guests, 'manifest.json'), 'utf8')) as GuestManifest;

/** What the test guest printed (its `PLUGBOARD` lines, prefix removed) and how the run ended. */
export interface GuestRun {
  facts: string[];
  exitCode: number | null;
  /** Everything the CLI printed, for a failing test's message. */
  output: string;
}

/**
 * Boots at a time in this test worker: one. Vitest runs one worker per core
 * (vitest.config.ts), so the machine runs one boot per core and concurrent
 * tests of a file queue instead of starving each other.
 */
let slots = 1;
const waiting: (() => void)[] = [];

/**
 * Runs `plugboard ARGS` until it exits; `onFact` sees each fact as it comes
 * (to act on the guest while it runs). Killed after `timeoutMs` of host time.
 */
export async function runCli(
  args: string[],
  onFact: (fact: string) => void,
  timeoutMs: number,
): Promise<GuestRun> {
  if (slots === 0) await new Promise<void>((r) => waiting.push(r));
  else slots--;
  try {
    return await spawnCli(args, onFact, timeoutMs);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

function spawnCli(args: string[], onFact: (fact: string) => void, timeoutMs: number): Promise<GuestRun> {
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const facts: string[] = [];
  let output = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const at = raw.indexOf('PLUGBOARD ');
      if (at < 0) continue;
      const fact = raw.slice(at + 'PLUGBOARD '.length).trim();
      facts.push(fact);
      onFact(fact);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ facts, exitCode: code, output });
    });
  });
}

/** The `bios` entry that boots the test guest's kernel and initrd through linux-direct with kernel line `append`. */
export function testGuestBios(append: string) {
  return {
    type: 'linux-direct',
    config: { kernel: join(guests, 'vmlinuz'), initrd: join(guests, 'initrd.gz'), append },
  };
}

/** A profile file extending one in machines/ with the test's additions; returns its path. */
export function composeProfile(base: string, additions: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'plugboard-guest-')), 'guest.json');
  writeFileSync(
    path,
    JSON.stringify({ extends: join(root, 'machines', `${base}.json`), ...additions }, null, 2),
  );
  return path;
}

/**
 * The facts QEMU's guest printed (scripts/record-linux-reference.sh), with
 * the placeholders for what depends on the guest build filled in from the
 * manifest.
 */
export function qemuFacts(model: string): string[] {
  const text = readFileSync(join(root, 'test/fixtures/linux', `qemu-${model}.txt`), 'utf8');
  const values: Record<string, string> = {
    kernelRelease: manifest.kernelRelease,
    diskFirstMiB: manifest.diskFirstMiB,
    isoKiB: String(manifest.isoBytes / 1024),
    isoFirstMiB: manifest.isoFirstMiB,
  };
  return text
    .trim()
    .split('\n')
    .map((line) =>
      line.replace(/\{(\w+)\}/g, (_, key: string) => {
        const value = values[key];
        if (value === undefined) throw new Error(`qemu-${model}.txt: unknown placeholder {${key}}`);
        return value;
      }),
    );
}
