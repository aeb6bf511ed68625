import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '@plugboard/core';
import type { Cell, Checks, MatrixSpec } from './spec.js';

export type CellStatus = 'pass' | 'fail' | 'timeout';

export interface CellResult {
  name: string;
  machine: string;
  guest: string;
  status: CellStatus;
  /** Why it did not pass: each check that failed, or how the run ended. */
  failures: string[];
  captured: Record<string, string | null>;
  exitCode: number | null;
  /** Instructions the guest retired, from the run's last line. */
  instructions: number | null;
  seconds: number;
  /** The cell's folder: profile, serial log, trace, pcap, stderr. */
  artifacts: string;
}

/** The CLI's entry point, from its sources (tests) and its build alike. */
const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** The folder name of a cell: `machine/guest` with the slash made safe. */
export function cellDir(out: string, cell: Cell): string {
  return join(out, cell.name.replace(/[^A-Za-z0-9._-]/g, '_'));
}

/**
 * Writes the cell's profile as a chain of layers over its base profile, so
 * the merge (and a type swap's carried wiring) is the profile loader's own;
 * the last layer puts COM1 (where there is one) on stdout and the captured
 * NIC behind a dump.
 */
function composeProfile(spec: MatrixSpec, cell: Cell, dir: string): string {
  let parent = cell.profile;
  cell.layers.forEach((layer, k) => {
    const file = join(dir, `layer${k}.json`);
    writeFileSync(file, JSON.stringify({ ...layer, extends: parent }, null, 2));
    parent = file;
  });
  const entries = loadProfile(parent).entries;
  const last: Record<string, unknown> = {
    extends: parent,
    name: `${spec.name}-${cell.name.replace('/', '-')}`,
  };
  if (entries.some((e) => e.id === 'com1'))
    last.devices = { com1: { config: { backend: { type: 'stdio' } } } };
  if (spec.capture) {
    const nic = entries.find((e) => e.id === spec.capture);
    const netdev = nic?.config.netdev;
    if (typeof netdev === 'string') {
      last.netdevs = {
        'matrix-capture': { type: 'dump', config: { file: join(dir, 'capture.pcap'), backend: netdev } },
      };
      last.devices = {
        ...(last.devices as object),
        [spec.capture]: { config: { netdev: 'matrix-capture' } },
      };
    }
  }
  const file = join(dir, 'profile.json');
  writeFileSync(file, JSON.stringify(last, null, 2));
  return file;
}

/** What the checks say of a cell's serial output: failed checks and captured values. */
export function judge(
  checks: Checks,
  serial: string,
): { failures: string[]; captured: Record<string, string | null> } {
  const failures: string[] = [];
  for (const re of checks.expect) if (!new RegExp(re, 'm').test(serial)) failures.push(`missing /${re}/`);
  for (const re of checks.reject) {
    const m = new RegExp(re, 'm').exec(serial);
    if (m) failures.push(`found /${re}/: ${m[0]}`);
  }
  const captured: Record<string, string | null> = {};
  for (const [name, re] of Object.entries(checks.capture)) {
    const m = new RegExp(re, 'm').exec(serial);
    captured[name] = m ? (m[1] ?? m[0]) : null;
    if (!m) failures.push(`nothing captured for ${name} (/${re}/)`);
  }
  return { failures, captured };
}

/** Runs one cell through the CLI in a child process, its artifacts in `dir`. */
export async function runCell(spec: MatrixSpec, cell: Cell, dir: string): Promise<CellResult> {
  mkdirSync(dir, { recursive: true });
  const profile = composeProfile(spec, cell, dir);
  const args = [BIN, 'run', profile];
  if (spec.capture && spec.trace.length === 0) args.push('--trace', spec.capture);
  for (const t of spec.trace) args.push('--trace', t);
  if (spec.capture || spec.trace.length) args.push('--trace-file', join(dir, 'trace.txt'));
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const serialFile = join(dir, 'serial.log');
  const stderrFile = join(dir, 'stderr.log');
  const serial = createWriteStream(serialFile);
  const stderr = createWriteStream(stderrFile);
  child.stdout.pipe(serial);
  child.stderr.pipe(stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, spec.timeoutSeconds * 1000);
  const exitCode = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  await Promise.all([serial, stderr].map((s) => new Promise((r) => s.end(r))));
  const output = readFileSync(serialFile, 'utf8');
  const log = readFileSync(stderrFile, 'utf8');
  const { failures, captured } = judge(cell.checks, output);
  if (timedOut) failures.unshift(`no end within ${spec.timeoutSeconds} s`);
  else if (exitCode !== spec.exitCode)
    failures.unshift(
      `exit code ${exitCode}, expected ${spec.exitCode}: ${log.trim().split('\n').pop() ?? ''}`,
    );
  const stopped = /stopped: .* after (\d+) instructions/.exec(log);
  return {
    name: cell.name,
    machine: cell.machine,
    guest: cell.guest,
    status: timedOut ? 'timeout' : failures.length ? 'fail' : 'pass',
    failures,
    captured,
    exitCode,
    instructions: stopped ? Number(stopped[1]) : null,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    artifacts: dir,
  };
}
