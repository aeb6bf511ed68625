import { PassThrough } from 'node:stream';
import { main } from '@plugboard/cli';

/** Runs `plugboard ARGV` in-process; returns the exit code and what it printed on each stream. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const code = await main(argv, { stdout, stderr });
  return { code, out, err };
}
