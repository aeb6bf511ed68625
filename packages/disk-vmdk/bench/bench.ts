// Sequential and random 4 KiB read/write throughput of Plugboard's raw,
// monolithicSparse and streamOptimized backends, next to `qemu-img bench`
// (sequential 4 KiB, QEMU's only pattern) on the same files.
// Run: node --import ./packages/disk-vmdk/test/fixtures/register-ts.mjs packages/disk-vmdk/bench/bench.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawImage } from '@plugboard/block';
import type { BlockBackend } from '@plugboard/core';
import { runImg, VmdkImage } from '../src/index.js';

const SIZE = 64 * 1024 * 1024;
const IO = 4096;
const RANDOM_OPS = 8192;

function content(): Uint8Array {
  const out = new Uint8Array(SIZE);
  const words = new Uint32Array(out.buffer);
  let x = 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return out;
}

function mbps(bytes: number, ms: number): string {
  return ((bytes / 1024 / 1024) * (1000 / ms)).toFixed(0);
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function run(img: BlockBackend, write: boolean): { seq: number; rand: number } {
  const buf = new Uint8Array(IO).fill(0xa5);
  const ops = SIZE / IO;
  const seq = time(() => {
    for (let i = 0; i < ops; i++) write ? img.write((i * IO) / 512, buf) : img.read((i * IO) / 512, buf);
  });
  let x = 12345;
  const rand = time(() => {
    for (let i = 0; i < RANDOM_OPS; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      const at = (x % ops) * (IO / 512);
      write ? img.write(at, buf) : img.read(at, buf);
    }
  });
  return { seq: Number(mbps(SIZE, seq)), rand: Number(mbps(RANDOM_OPS * IO, rand)) };
}

function qemuBench(file: string, fmt: string, write: boolean): string {
  const args = ['bench', '-f', fmt, '-c', String(SIZE / IO), '-s', String(IO), '-d', '1', '-t', 'writeback'];
  if (write) args.push('-w');
  const t = performance.now();
  execFileSync('qemu-img', [...args, file], { stdio: 'ignore' });
  return mbps(SIZE, performance.now() - t);
}

const quiet = { stdout: process.stderr, stderr: process.stderr };
const dir = mkdtempSync(join(tmpdir(), 'pb-bench-'));
const raw = join(dir, 'disk.raw');
writeFileSync(raw, content());
const sparse = join(dir, 'disk.vmdk');
const stream = join(dir, 'stream.vmdk');
await runImg(['convert', '-q', '-O', 'vmdk', raw, sparse], quiet);
await runImg(['convert', '-q', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, stream], quiet);

const rows: string[] = [];
const row = (
  name: string,
  r: { seq: number; rand: number },
  w: { seq: number; rand: number } | null,
  q: [string, string],
) =>
  rows.push(
    `| ${name} | ${r.seq} | ${r.rand} | ${w ? w.seq : 'read-only'} | ${w ? w.rand : 'read-only'} | ${q[0]} | ${q[1]} |`,
  );

let img: BlockBackend = new RawImage(raw);
const rawRead = run(img, false);
const rawWrite = run(img, true);
img.close();
row('raw', rawRead, rawWrite, [qemuBench(raw, 'raw', false), qemuBench(raw, 'raw', true)]);

img = VmdkImage.open(sparse);
const sparseRead = run(img, false);
const sparseWrite = run(img, true);
img.close();
row('monolithicSparse', sparseRead, sparseWrite, [
  qemuBench(sparse, 'vmdk', false),
  qemuBench(sparse, 'vmdk', true),
]);

img = VmdkImage.open(stream, { readOnly: true });
row('streamOptimized', run(img, false), null, [qemuBench(stream, 'vmdk', false), 'read-only']);
img.close();

// Allocating writes: a fresh sparse disk, every 4 KiB write landing in a new grain.
const fresh = join(dir, 'fresh.vmdk');
await runImg(['create', '-q', '-f', 'vmdk', fresh, String(SIZE)], quiet);
img = VmdkImage.open(fresh);
const alloc = run(img, true);
img.close();
rows.push(`| monolithicSparse, allocating | - | - | ${alloc.seq} | ${alloc.rand} | - | - |`);

console.log(
  `64 MiB images, 4 KiB requests, page cache warm (MB/s); qemu-img bench: sequential 4 KiB, depth 1, writeback\n`,
);
console.log(
  '| image | seq read | random read | seq write | random write | qemu-img bench read | qemu-img bench write |',
);
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
rmSync(dir, { recursive: true, force: true });
