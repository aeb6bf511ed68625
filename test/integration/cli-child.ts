import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { root } from './boot.js';

/** A `plugboard` run in a child process, with what it has printed so far. */
export interface CliChild {
  child: ChildProcess;
  /** stdout and stderr together. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output (within `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (killed after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Starts `node packages/cli/dist/bin.js ARGS` (the build must be current). */
export function startCli(args: string[]): CliChild {
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: string) => {
    output += chunk;
    for (const l of listeners) l();
  };
  child.stdout?.setEncoding('utf8').on('data', onData);
  child.stderr?.setEncoding('utf8').on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(output);
          if (!m) return;
          cleanup();
          resolve(m);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} in:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async exited(timeoutMs = 30_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
