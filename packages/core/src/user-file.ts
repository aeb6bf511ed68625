import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { UserError } from './user-error.js';

/** Largest firmware image or option ROM read (a BIOS flash is at most 16 MiB). */
export const MAX_FIRMWARE_BYTES = 16 * 1024 * 1024;
/** Largest kernel read: distribution bzImages are a few MiB. */
export const MAX_KERNEL_BYTES = 256 * 1024 * 1024;
/** Largest initrd read: it must fit below 4 GiB in a 32-bit guest's RAM besides the kernel. */
export const MAX_INITRD_BYTES = 1024 * 1024 * 1024;

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
    return new Uint8Array(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
}
