import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../user-error.js';
import type { HostFiles } from './host-files.js';

/** Files on the local disk: what the CLI and the tests build machines with. */
export const nodeFiles: HostFiles = {
  resolve: (base, path) => (isAbsolute(path) ? path : resolve(base, path)),
  dirname,
  isFile: (file) => existsSync(file) && statSync(file).isFile(),
  read: async (file, what, maxBytes) => readUserFile(file, what, maxBytes),
};

/**
 * The bytes of a file the user named and that is read whole (a firmware
 * image, option ROM, kernel, initrd): `what` says what it should be. It
 * must be a regular file of at most `maxBytes`: /dev/zero or a FIFO would
 * read forever. O_NONBLOCK keeps the open itself from waiting for a FIFO's
 * writer (regular files ignore it).
 */
export function readUserFile(path: string, what: string, maxBytes: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(
      `${path}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${path}: not a regular file (expected ${what})`);
    if (st.size > maxBytes)
      throw new UserError(`${path}: ${st.size} bytes is too large for ${what} (limit ${maxBytes} bytes)`);
    // Read straight into an array of its own: a Buffer copied into one touched the bytes twice.
    const bytes = new Uint8Array(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return at === bytes.length ? bytes : bytes.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
