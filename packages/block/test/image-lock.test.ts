import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageLock, RawImage, writeLockFile } from '../src/index.js';

const lockOf = (path: string) => writeLockFile(path)!;

function image(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pb-lock-')), 'disk.img');
  writeFileSync(path, new Uint8Array(4096));
  return path;
}

describe('ImageLock', () => {
  it('refuses a second writer in the same process and frees the image on close', () => {
    const path = image();
    const a = new RawImage(path);
    expect(existsSync(lockOf(path))).toBe(true);
    expect(() => new RawImage(path)).toThrow(/already open for writing by this process/);
    // A reader without a shared lock (plugboard img) is let through; a drive's shared lock is not.
    const reader = new RawImage(path, { readOnly: true });
    reader.close();
    expect(() => new RawImage(path, { readOnly: true, readLock: true })).toThrow(
      /already open for writing by this process/,
    );
    a.close();
    expect(existsSync(lockOf(path))).toBe(false);
    new RawImage(path).close();
  });

  it('refuses a writer while another live process holds the lock', async () => {
    const path = image();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lockOf(path), `${child.pid}\n`);
      expect(() => new RawImage(path)).toThrow(new RegExp(`by process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // The holder is dead now: its lock is stale and is taken over.
    const img = new RawImage(path);
    img.close();
  });

  it('shares one lock between two names of the same image', () => {
    const path = image();
    const alias = `${path}-alias`;
    symlinkSync(path, alias);
    const a = new RawImage(path);
    expect(() => new RawImage(alias)).toThrow(/already open for writing/);
    a.close();
  });

  it('takes over a lock file left with garbage in it', () => {
    const path = image();
    writeFileSync(lockOf(path), 'not a pid');
    const lock = ImageLock.acquire(path);
    lock.release();
    expect(existsSync(lockOf(path))).toBe(false);
  });

  it('keys locks by device and inode: a hard link in another directory meets the same lock', () => {
    const path = image();
    const link = join(mkdtempSync(join(tmpdir(), 'pb-lock-')), 'other-name.img');
    linkSync(path, link);
    const a = new RawImage(path);
    expect(() => new RawImage(link)).toThrow(/already open for writing by this process/);
    a.close();
    new RawImage(link).close();
  });

  it('shared locks: readers exclude a writer in another process, and a live writer excludes readers', async () => {
    const path = image();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const readFile = lockOf(path).replace(/\.write$/, `.read.${child.pid}`);
      writeFileSync(readFile, `${child.pid}\n`);
      expect(() => new RawImage(path)).toThrow(new RegExp(`already open read-only by process ${child.pid}`));
      // Readers share.
      new RawImage(path, { readOnly: true, readLock: true }).close();
      writeFileSync(lockOf(path), `${child.pid}\n`);
      expect(() => new RawImage(path, { readOnly: true, readLock: true })).toThrow(
        new RegExp(`already open for writing by process ${child.pid}`),
      );
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    // Both lock files are stale now.
    new RawImage(path).close();
  });
});
