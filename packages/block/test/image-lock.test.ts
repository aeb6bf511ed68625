import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageLock, RawImage } from '../src/index.js';

function image(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pb-lock-')), 'disk.img');
  writeFileSync(path, new Uint8Array(4096));
  return path;
}

describe('ImageLock', () => {
  it('refuses a second writer in the same process and frees the image on close', () => {
    const path = image();
    const a = new RawImage(path);
    expect(existsSync(`${path}.lock`)).toBe(true);
    expect(() => new RawImage(path)).toThrow(/already open for writing by this process/);
    const reader = new RawImage(path, { readOnly: true });
    reader.close();
    a.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
    new RawImage(path).close();
  });

  it('refuses a writer while another live process holds the lock', async () => {
    const path = image();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(`${path}.lock`, `${child.pid}\n`);
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
    writeFileSync(`${path}.lock`, 'not a pid');
    const lock = ImageLock.acquire(path);
    lock.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
