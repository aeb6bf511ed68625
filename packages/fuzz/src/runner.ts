import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_INPUT, mutate } from './mutate.js';
import { Random } from './random.js';
import type { FuzzTarget } from './target.js';

export interface FuzzLimits {
  /**
   * One input may use this much of the host's CPU (ms); more is a finding: a guest action that
   * stalls the host. CPU time, not wall time: on a loaded machine an input waits for its turn.
   */
  maxInputMs: number;
  /** ...or keep the host waiting this long (wall ms): a read that blocks, a FIFO that never ends. */
  maxInputWallMs: number;
  /** Memory growth over the run's start beyond this (bytes) is a finding: state that grows without bound. */
  maxMemoryGrowth: number;
}

export const DEFAULT_LIMITS: FuzzLimits = {
  maxInputMs: 1000,
  maxInputWallMs: 10_000,
  maxMemoryGrowth: 512 << 20,
};

/**
 * The JavaScript heap plus memory outside it: a typed array's or a
 * WebAssembly memory's bytes live outside the heap (`external`), and they are
 * what a device's buffers or an image's tables grow in.
 */
export function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export interface Finding {
  kind: 'exception' | 'slow' | 'memory';
  message: string;
  /** The smallest input found that still fails the same way. */
  input: Uint8Array;
  /** Where the input was stored as a regression case, if it was. */
  stored: string | null;
}

export interface FuzzReport {
  target: string;
  seed: number;
  cases: number;
  /** The most CPU time one input used (ms)... */
  longestMs: number;
  /** ...and the longest one took (wall ms). */
  longestWallMs: number;
  /** The most `memoryInUse` seen. */
  peakMemoryBytes: number;
  finding: Finding | null;
}

export interface FuzzOptions {
  seed: number;
  /** Stop after this much host time... */
  seconds?: number;
  /** ...or this many inputs, whichever comes first. */
  iterations?: number;
  limits?: FuzzLimits;
  /** Folder of regression cases (`<folder>/<target>/<kind>-<hash>.bin`); null stores nothing. */
  regressions?: string | null;
}

type Outcome =
  | { kind: 'ok'; ms: number; wallMs: number }
  | { kind: 'exception' | 'slow'; message: string; ms: number; wallMs: number };

/** Runs one input and says how it went; `ms` is the process's CPU time (user and system). */
export async function runOne(target: FuzzTarget, input: Uint8Array, limits: FuzzLimits): Promise<Outcome> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let thrown: string | null = null;
  try {
    await target.run(input);
  } catch (err) {
    thrown = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const ms = (cpu.user + cpu.system) / 1000;
  if (thrown !== null) return { kind: 'exception', message: thrown, ms, wallMs };
  if (ms > limits.maxInputMs || wallMs > limits.maxInputWallMs) {
    const message = `one input took ${ms.toFixed(0)} ms of CPU, ${wallMs.toFixed(0)} ms of wall time`;
    return { kind: 'slow', message, ms, wallMs };
  }
  return { kind: 'ok', ms, wallMs };
}

/**
 * Seeded, mutation-based fuzzing of one target: the seeds first, then
 * mutations of the corpus (seeds and every 16th mutant kept, so inputs drift
 * away from the seeds). No coverage feedback: the targets' input formats
 * carry the structure. Stops at the first finding, minimises and stores it.
 */
export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const r = new Random(options.seed);
  const corpus = target.seeds().map((s) => s.subarray(0, MAX_INPUT));
  const report: FuzzReport = {
    target: target.name,
    seed: options.seed,
    cases: 0,
    longestMs: 0,
    longestWallMs: 0,
    peakMemoryBytes: 0,
    finding: null,
  };
  const iterations = options.iterations ?? Number.POSITIVE_INFINITY;
  // A first run builds what the target keeps between inputs (a bus, a device): not counted, and not
  // out of the time given (under vitest it compiles the target's modules: seconds on a loaded machine).
  if (corpus.length) await runOne(target, corpus[0]!, limits);
  const deadline = performance.now() + (options.seconds ?? Number.POSITIVE_INFINITY) * 1000;
  const memoryStart = memoryInUse();
  const pending = [...corpus];
  while (report.cases < iterations && performance.now() < deadline) {
    const input = pending.shift() ?? mutate(r.pick(corpus), corpus, r);
    const outcome = await runOne(target, input, limits);
    report.cases++;
    report.longestMs = Math.max(report.longestMs, outcome.ms);
    report.longestWallMs = Math.max(report.longestWallMs, outcome.wallMs);
    if (outcome.kind !== 'ok') {
      report.finding = await settle(target, outcome.kind, outcome.message, input, limits, options);
      break;
    }
    if (report.cases % 16 === 0 && corpus.length < 256) corpus.push(input);
    if (report.cases % 32 === 0) {
      const memory = memoryInUse();
      report.peakMemoryBytes = Math.max(report.peakMemoryBytes, memory);
      if (memory - memoryStart > limits.maxMemoryGrowth) {
        const message = `memory grew by ${((memory - memoryStart) / 2 ** 20).toFixed(0)} MiB`;
        report.finding = { kind: 'memory', message, input, stored: store(target, 'memory', input, options) };
        break;
      }
    }
  }
  report.peakMemoryBytes = Math.max(report.peakMemoryBytes, memoryInUse());
  return report;
}

async function settle(
  target: FuzzTarget,
  kind: 'exception' | 'slow',
  message: string,
  input: Uint8Array,
  limits: FuzzLimits,
  options: FuzzOptions,
): Promise<Finding> {
  const same = async (candidate: Uint8Array) => {
    const o = await runOne(target, candidate, limits);
    return o.kind === kind && (kind === 'slow' || firstLine(o.message) === firstLine(message));
  };
  const small = await minimise(input, same, kind === 'slow' ? 64 : 2000);
  return { kind, message, input: small, stored: store(target, kind, small, options) };
}

/**
 * Greedy delta debugging: drop chunks (halves, then quarters, down to single
 * bytes) while the input still fails the same way, within `budget` runs.
 */
export async function minimise(
  input: Uint8Array,
  fails: (candidate: Uint8Array) => Promise<boolean>,
  budget: number,
): Promise<Uint8Array> {
  let best = input;
  let runs = 0;
  for (let chunk = best.length >> 1; chunk >= 1 && runs < budget; chunk >>= 1) {
    for (let at = 0; at < best.length && runs < budget; ) {
      const candidate = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      runs++;
      if (candidate.length > 0 && (await fails(candidate))) best = candidate;
      else at += chunk;
    }
  }
  return best;
}

function store(target: FuzzTarget, kind: string, input: Uint8Array, options: FuzzOptions): string | null {
  if (!options.regressions) return null;
  const dir = join(options.regressions, target.name);
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 12);
  const path = join(dir, `${kind}-${hash}.bin`);
  writeFileSync(path, input);
  return path;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}
