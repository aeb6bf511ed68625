import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@plugboard/cli';
import { describe, expect, it } from 'vitest';
import { root } from './boot.js';

/**
 * A CPU test ROM from packages/cpu-x86's differential harness run the way a
 * user would: `plugboard qemu -M bare -bios rom -debugcon file:log`. Its debug
 * console output must equal what qemu-system-i386 printed for the same ROM
 * (the recorded fixture), and its write to the debug exit port ends the run
 * with QEMU's exit code (0 << 1) | 1.
 */
describe('the bare machine', () => {
  it('runs a CPU test ROM from the QEMU command line and prints what QEMU printed', async () => {
    const fixtures = join(root, 'packages/cpu-x86/test/fixtures');
    const log = join(mkdtempSync(join(tmpdir(), 'plugboard-')), 'bcd.txt');
    const err = new PassThrough();
    const code = await main(
      ['qemu', '-M', 'bare', '-bios', join(fixtures, 'bcd.bin'), '-debugcon', `file:${log}`],
      {
        stdout: new PassThrough(),
        stderr: err,
      },
    );
    expect(code).toBe(1);
    expect(readFileSync(log, 'latin1')).toBe(readFileSync(join(fixtures, 'bcd.txt'), 'latin1'));
  });
});
