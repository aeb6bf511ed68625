import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { HostFiles } from './host-files.js';

/** Files on the local disk: what the CLI and the tests build machines with. */
export const nodeFiles: HostFiles = {
  resolve: (base, path) => (isAbsolute(path) ? path : resolve(base, path)),
  dirname,
  isFile: (file) => existsSync(file) && statSync(file).isFile(),
  read: async (file) => {
    try {
      return new Uint8Array(await readFile(file));
    } catch (err) {
      throw new Error(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  },
};
