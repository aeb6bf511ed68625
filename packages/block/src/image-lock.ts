import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { BlockError } from '@plugboard/core';

const held = new Set<string>();
let exitHookInstalled = false;

function removeHeld(): void {
  for (const path of held) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  held.clear();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Keeps two writers off one image, across processes. QEMU does this with OFD
 * fcntl locks, which Node cannot take; instead the writer creates
 * `<image>.lock` with O_EXCL and writes its pid into it. A lock file whose pid
 * is no longer running is stale (its writer was killed) and is taken over.
 * The file is removed on close and when the process exits normally; after a
 * SIGKILL it stays behind and the next opener finds it stale.
 *
 * Readers take no lock. One process opening the same image twice for writing
 * is refused too, as QEMU refuses it.
 */
export class ImageLock {
  private constructor(readonly lockPath: string) {}

  static acquire(imagePath: string): ImageLock {
    // Through symlinks to the real file, so two names for one image share one lock.
    let real = imagePath;
    try {
      real = realpathSync(imagePath);
    } catch {
      // Not there (yet): opening it will say so.
    }
    const lockPath = `${real}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(lockPath, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new BlockError(
            `${imagePath}: cannot create lock file ${lockPath}: ${(err as Error).message}`,
            'io',
          );
        }
        const owner = readOwner(lockPath);
        if (owner !== null && pidAlive(owner)) {
          const who = owner === process.pid ? 'this process' : `process ${owner}`;
          throw new BlockError(
            `${imagePath}: image is already open for writing by ${who} (lock file ${lockPath}); is another Plugboard using it?`,
            'io',
          );
        }
        try {
          unlinkSync(lockPath);
        } catch {
          // Someone else removed the stale lock first; try again.
        }
        continue;
      }
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(lockPath);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', removeHeld);
      }
      return new ImageLock(lockPath);
    }
    throw new BlockError(
      `${imagePath}: lock file ${lockPath} keeps reappearing; another process is racing for it`,
      'io',
    );
  }

  release(): void {
    if (!held.delete(this.lockPath)) return;
    try {
      unlinkSync(this.lockPath);
    } catch {
      // Removed by hand meanwhile: the lock is gone either way.
    }
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
