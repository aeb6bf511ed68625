import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockError } from '@plugboard/core';

/** `write`: one writer and no other user; `read`: any number of readers and no writer. */
export type LockMode = 'write' | 'read';

/** Lock files this process created, removed on normal exit. */
const held = new Set<string>();
/** Per file identity (dev-ino), what this process holds: other processes see one lock file per mode. */
const local = new Map<string, { writers: number; readers: number }>();
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
 * Where lock files live: one directory for every image, since a lock is keyed
 * by file identity, not name. One per user, mode 0700 and checked to be ours
 * (not a symlink, not another user's), so no one can plant files or links in it.
 */
export function lockDirectory(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `plugboard-locks-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o077) !== 0)
    throw new BlockError(
      `${dir}: lock directory is not a private directory of this user (expected mode 0700, owner ${uid}); remove it`,
      'io',
    );
  return dir;
}

/** A file's identity: device and inode, the same for every name (hard link, symlink) of one file. */
export function fileKey(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.dev}-${st.ino}`;
  } catch {
    return null;
  }
}

/** The writer's lock file of `path` (for tests and messages). */
export function writeLockFile(path: string): string | null {
  const key = fileKey(path);
  return key === null ? null : join(lockDirectory(), `${key}.write`);
}

/**
 * Keeps a writer of an image file apart from every other user of it, across
 * processes. QEMU does this with OFD fcntl locks, which Node cannot take;
 * instead lock files in `lockDirectory()` are named by the file's device and
 * inode, so every name of one file (hard links, symlinks) meets one lock.
 *
 * A writer creates `<dev>-<ino>.write` with O_EXCL and its pid; a reader
 * creates `<dev>-<ino>.read.<pid>`. Each creates its own file first and then
 * looks for the other kind, so of two racing openers at least one sees the
 * other. A lock whose pid is not running is stale (its holder was killed) and
 * is ignored or taken over. Files are removed on release and on normal exit.
 */
export class ImageLock {
  private constructor(
    readonly key: string | null,
    readonly mode: LockMode,
    private readonly file: string | null,
  ) {}

  static acquire(imagePath: string, mode: LockMode = 'write'): ImageLock {
    const key = fileKey(imagePath);
    // Not there (yet): no one can hold it, and opening it will say what is wrong.
    if (key === null) return new ImageLock(null, mode, null);
    const dir = lockDirectory();
    const mine = local.get(key) ?? { writers: 0, readers: 0 };
    const writeFile = join(dir, `${key}.write`);
    let file: string | null = null;
    if (mode === 'write') {
      if (mine.writers > 0) throw busy(imagePath, 'open for writing by this process', writeFile);
      if (mine.readers > 0)
        throw busy(
          imagePath,
          'open read-only by this process (a snapshot base, CD-ROM or parent)',
          writeFile,
        );
      createWriteLock(imagePath, writeFile);
      file = writeFile;
      for (const name of readdirSync(dir)) {
        if (!name.startsWith(`${key}.read.`)) continue;
        const pid = readOwner(join(dir, name));
        if (pid === null || pid === process.pid || !pidAlive(pid)) continue;
        unlinkQuietly(writeFile);
        throw busy(imagePath, `open read-only by process ${pid}`, join(dir, name));
      }
      mine.writers++;
    } else {
      if (mine.writers > 0) throw busy(imagePath, 'open for writing by this process', writeFile);
      file = join(dir, `${key}.read.${process.pid}`);
      if (mine.readers === 0) writeFileSync(file, `${process.pid}\n`, { mode: 0o644 });
      const owner = readOwner(writeFile);
      if (owner !== null && owner !== process.pid && pidAlive(owner)) {
        if (mine.readers === 0) unlinkQuietly(file);
        throw busy(imagePath, `open for writing by process ${owner}`, writeFile);
      }
      mine.readers++;
    }
    local.set(key, mine);
    held.add(file);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', removeHeld);
    }
    return new ImageLock(key, mode, file);
  }

  private released = false;

  release(): void {
    if (this.released || this.key === null || this.file === null) return;
    this.released = true;
    const mine = local.get(this.key);
    if (!mine) return;
    if (this.mode === 'write') mine.writers--;
    else mine.readers--;
    if (this.mode === 'write' || mine.readers === 0) {
      held.delete(this.file);
      unlinkQuietly(this.file);
    }
    if (mine.writers === 0 && mine.readers === 0) local.delete(this.key);
  }
}

function busy(imagePath: string, who: string, lockFile: string): BlockError {
  const hint = who.includes('this process') ? '' : '; is another Plugboard using it?';
  return new BlockError(`${imagePath}: image is already ${who} (lock file ${lockFile})${hint}`, 'io');
}

/** Creates the writer's lock file, taking over a stale one; throws when a live writer holds it. */
function createWriteLock(imagePath: string, lockPath: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new BlockError(
          `${imagePath}: cannot create lock file ${lockPath}: ${(err as Error).message}`,
          'io',
        );
      }
      const owner = readOwner(lockPath);
      // Our own pid here is a leftover of an earlier process that had it (this one holds no writer: checked).
      if (owner !== null && owner !== process.pid && pidAlive(owner))
        throw busy(imagePath, `open for writing by process ${owner}`, lockPath);
      unlinkQuietly(lockPath);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n${imagePath}\n`);
    } finally {
      closeSync(fd);
    }
    return;
  }
  throw new BlockError(
    `${imagePath}: lock file ${lockPath} keeps reappearing; another process is racing for it`,
    'io',
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Removed meanwhile (by its owner or by hand): gone either way.
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
