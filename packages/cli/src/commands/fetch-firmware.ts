import { spawnSync } from 'node:child_process';
import { fetchScript } from '@plugboard/firmware';
import type { Io } from '../main.js';

/** `plugboard fetch-firmware`: runs @plugboard/firmware's script, wherever that package is installed. */
export function fetchFirmware(io: Io): number {
  const result = spawnSync('bash', [fetchScript()], { stdio: ['inherit', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.error) {
    io.stderr.write(`plugboard: fetch-firmware: cannot run bash: ${result.error.message}\n`);
    return 1;
  }
  io.stdout.write(result.stdout);
  io.stderr.write(result.stderr);
  return result.status ?? 1;
}
