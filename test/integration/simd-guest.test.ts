import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeProfile, guests, runCli } from './guest.js';

const BOOT_TIMEOUT = 1_800_000;

/** Bytes of `yes plugboard-simd` the guest digests: enough that the SSE2 copies and the hash loops run long. */
const BYTES = 4 << 20;

/**
 * The test guest on a CPU with SSE2, SSE3 and SSSE3 (`core2duo`), booted
 * once with the stock command line: no `cryptomgr.notests`, so the kernel
 * self-tests its crypto algorithms at boot, SSE2 implementations among
 * them, and again each module's as it loads (`plugboard.crypto`, in
 * scripts/guests/init). Checked against the SDM's model, not against QEMU:
 * no self-test fails, serpent_sse2_i586's pass, and busybox's digests
 * (through glibc's SSE2 routines) equal the host's of the same bytes.
 */
describe('SIMD under the test guest', () => {
  it('core2duo: crypto self-tests pass, serpent-sse2 loads and passes, busybox digests match the host', {
    timeout: BOOT_TIMEOUT,
  }, async () => {
    const file = composeProfile('puredarwin-xmas', {
      cpu: { config: { model: 'core2duo' } },
      devices: {
        bios: {
          type: 'linux-direct',
          config: {
            kernel: join(guests, 'vmlinuz'),
            initrd: join(guests, 'initrd.gz'),
            append: `console=ttyS0 panic=-1 quiet plugboard.nic=none plugboard.crypto=${BYTES}`,
          },
        },
        com1: { config: { backend: { type: 'stdio' } } },
      },
    });
    const run = await runCli(['run', file], () => {}, BOOT_TIMEOUT);
    const why = run.output.slice(-4000);
    const facts = run.facts;
    const flags = facts.find((f) => f.startsWith('flags '))?.split(' ') ?? [];
    expect(flags, why).toEqual(expect.arrayContaining(['mmx', 'fxsr', 'sse', 'sse2', 'pni', 'ssse3']));
    expect(facts, why).toContain('selftest-failures 0');
    const serpent = facts.filter((f) => /^selftest \S*serpent-sse2/.test(f));
    expect(serpent.length, why).toBeGreaterThan(0);
    for (const f of serpent) expect(f, why).toMatch(/ passed$/);
    expect(facts, why).toContain('selftest-not-passed 0');
    const text = 'plugboard-simd\n'.repeat(Math.ceil(BYTES / 15)).slice(0, BYTES);
    for (const [tool, algorithm] of [
      ['md5sum', 'md5'],
      ['sha1sum', 'sha1'],
      ['sha256sum', 'sha256'],
    ]) {
      const digest = createHash(algorithm).update(text).digest('hex');
      expect(facts, why).toContain(`digest ${tool} ${digest}`);
    }
    expect(facts.at(-1), why).toBe('done');
    expect(run.exitCode).toBe(0);
  });
});
