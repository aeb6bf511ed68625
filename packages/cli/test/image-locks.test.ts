import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLockFile } from '@plugboard/block';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const qemuArgs = ['qemu', '-m', '16', '-display', 'none', '-serial', 'none'];

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Two Plugboard processes, each as a user starts it: the second must be refused while the first runs. */
describe('image locks between two machines', () => {
  it('refuses a second machine on the same extent (another descriptor) and through a hard link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-locks-'));
    const extent = join(dir, 'shared-flat.vmdk');
    writeFileSync(extent, new Uint8Array(1024 * 1024));
    const descriptor =
      '# Disk DescriptorFile\nversion=1\ncreateType="monolithicFlat"\nRW 2048 FLAT "shared-flat.vmdk" 0\n';
    writeFileSync(join(dir, 'a.vmdk'), descriptor);
    writeFileSync(join(dir, 'b.vmdk'), descriptor);
    linkSync(join(dir, 'a.vmdk'), join(dir, 'a-link.vmdk'));
    let first: ChildProcess | null = null;
    try {
      first = spawn(process.execPath, [bin, ...qemuArgs, '-hda', 'a.vmdk'], { cwd: dir, stdio: 'ignore' });
      await waitFor(() => existsSync(writeLockFile(extent)!), 'the first machine to lock its disk');
      for (const [disk, locked] of [
        ['b.vmdk', 'shared-flat.vmdk'],
        ['a-link.vmdk', 'a-link.vmdk'],
      ] as const) {
        const second = spawnSync(process.execPath, [bin, ...qemuArgs, '-hda', disk], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(second.status, second.stderr).toBe(2);
        expect(second.stderr).toContain(
          `${locked}: image is already open for writing by process ${first.pid}`,
        );
      }
    } finally {
      first?.kill('SIGTERM');
      if (first && first.exitCode === null) await new Promise((r) => first!.once('exit', r));
    }
    // The first machine exited and released its locks.
    expect(existsSync(writeLockFile(extent)!)).toBe(false);
  }, 300_000);
});
