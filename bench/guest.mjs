// What the whole-machine benches share: the test guest's folder, and the median of their runs.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { firmwareCacheDir } from '@plugboard/firmware';

/** The test guest's folder (`npm run guests`); without it `bench` says so and the process exits. */
export function testGuest(bench) {
  const guests = join(dirname(firmwareCacheDir()), 'guests');
  if (!existsSync(join(guests, 'manifest.json'))) {
    console.error(`${bench} bench: no test guest in ${guests}; run npm run guests`);
    process.exit(1);
  }
  return guests;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
