import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkVmdk } from '../src/img/check.js';
import { createVmdk, VmdkImage } from '../src/index.js';
import { crashPayload, crashSlot, SLOT_SECTORS } from './fixtures/crash-plan.js';
import { qemuImg, tempDir } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SIZE = 32 * 1024 * 1024;

/** Runs the writer child from `firstSeq`, SIGKILLs it after `acks` acknowledgements, returns the acknowledged seqs. */
function runAndKill(path: string, firstSeq: number, acks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(fixtures, 'register-ts.mjs'),
        join(fixtures, 'crash-writer.ts'),
        path,
        String(firstSeq),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const acked: number[] = [];
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === 'done') continue;
        acked.push(Number(line));
        if (acked.length === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code} before being killed: ${stderr}`));
    });
  });
}

describe('a writer killed mid-run leaves a consistent image with every acknowledged write', () => {
  it.each(['monolithicSparse', 'twoGbMaxExtentSparse'] as const)(
    '%s',
    async (subformat) => {
      const dir = tempDir('pb-crash-');
      const path = join(dir, 'disk.vmdk');
      createVmdk(path, SIZE, { subformat });
      const slots = SIZE / 512 / SLOT_SECTORS;
      const acknowledged: number[] = [];
      let next = 0;
      // Two kills at different points, each run continuing where the last acknowledged write left off.
      for (const acks of [250, 61]) {
        const got = await runAndKill(path, next, acks);
        expect(got.length).toBeGreaterThanOrEqual(acks);
        acknowledged.push(...got);
        next = got[got.length - 1]! + 2;
      }
      const qemu = qemuImg(['check', path]);
      expect(qemu.status, qemu.stdout + qemu.stderr).toBe(0);
      const own = checkVmdk(path);
      expect(own.messages).toEqual([]);
      expect(own.corruptions).toBe(0);
      const img = VmdkImage.open(path, { readOnly: true });
      for (const seq of acknowledged) {
        const { sector, data } = crashPayload(seq, crashSlot(seq, slots));
        const got = new Uint8Array(data.length);
        img.read(sector, got);
        expect(Buffer.compare(got, data), `write ${seq} at sector ${sector}`).toBe(0);
      }
      img.close();
      // The dead writers' lock files are stale: a new writer takes the image.
      VmdkImage.open(path).close();
      // Each run starts a node that transpiles the sources: give a loaded machine room.
    },
    180_000,
  );
});
