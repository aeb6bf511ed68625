import { readFileSync } from 'node:fs';

/** This package's version, for `plugboard --version` and `plugboard qemu -version`. */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;
