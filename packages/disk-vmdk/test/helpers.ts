import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockBackend } from '@plugboard/core';

export function tempDir(prefix = 'pb-vmdk-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** xorshift32: the same bytes on every run. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Deterministic content with zero runs (whole grains and partial ones) between random data. */
export function testContent(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const next = prng(seed);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < words.length; i++) words[i] = next();
  // Zero regions: one of every four 64 KiB stretches, and some sub-grain holes.
  for (let at = 0; at < bytes; at += 4 * 65536) out.fill(0, at, Math.min(bytes, at + 65536));
  for (let at = 3 * 65536 + 4096; at < bytes; at += 7 * 65536) out.fill(0, at, Math.min(bytes, at + 8192));
  return out;
}

export function writeRaw(path: string, data: Uint8Array): void {
  writeFileSync(path, data);
}

/** Runs qemu-img; a missing qemu-img is a test failure, never a skip (CI installs qemu-utils). */
export function qemuImg(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('qemu-img', args, { encoding: 'utf8' });
  if (r.error)
    throw new Error(`qemu-img is required for these tests (apt-get install qemu-utils): ${r.error.message}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function qemuImgOk(args: string[]): string {
  return execFileSync('qemu-img', args, { encoding: 'utf8' });
}

export function readAll(image: BlockBackend): Uint8Array {
  const out = new Uint8Array(image.sectorCount * image.sectorSize);
  const step = 1 << 20;
  for (let at = 0; at < out.length; at += step) {
    image.read(at / image.sectorSize, out.subarray(at, Math.min(out.length, at + step)));
  }
  return out;
}

/** A writable collector for runImg's io. */
export function collector(): {
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) =>
    ({
      write(chunk: string | Uint8Array) {
        append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
        return true;
      },
      isTTY: false,
      on() {
        return this;
      },
      once() {
        return this;
      },
      removeListener() {
        return this;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}

export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
