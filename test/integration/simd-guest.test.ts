import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { composeProfile, runCli, testGuestBios } from './guest.js';

const BOOT_TIMEOUT = 1_800_000;

/** Bytes of `yes plugboard-simd` the guest digests: enough that the SSE2 copies and the hash loops run long. */
const BYTES = 4 << 20;

/**
 * What Plugboard's models leave out of QEMU's (packages/cpu-x86/src/cpuid.ts,
 * "Removed from QEMU's sets"), as /proc/cpuinfo names them: machine-check
 * banks, 36-bit 4 MiB pages, the thermal MSRs, MONITOR/MWAIT, the XD bit.
 */
const NOT_OFFERED = new Set(['mca', 'pse36', 'acpi', 'monitor', 'nx']);

/** The flags QEMU's guest reported with this model (scripts/record-cpuinfo-reference.sh). */
function qemuFlags(model: string): string[] {
  const text = readFileSync(join(root, 'test/fixtures/linux', `cpuinfo-${model}.txt`), 'utf8');
  return text.split(/\s+/).filter(Boolean);
}

/**
 * The test guest on the two SIMD models that matter (`qemu32`, QEMU's
 * default with SSE2 and SSE3, and `core2duo`, with SSSE3), each booted once
 * with the stock command line: no `cryptomgr.notests`, so the kernel
 * self-tests its crypto algorithms at boot, SSE2 implementations among them,
 * and again each module's as it loads (`plugboard.crypto`, in
 * scripts/guests/init). /proc/cpuinfo's flags must be QEMU's for the same
 * model (less what the model does not offer); for the rest the SDM is the
 * oracle: no self-test fails, serpent_sse2_i586's pass, and busybox's digests
 * (through glibc's SSE2 routines) equal the host's of the same bytes, and
 * the kernel log names no trap, oops or warning.
 */
describe('SIMD under the test guest', () => {
  for (const model of ['qemu32', 'core2duo']) {
    it(`${model}: QEMU's cpuinfo flags, crypto self-tests pass, serpent-sse2 loads and passes, busybox digests match the host`, {
      timeout: BOOT_TIMEOUT,
    }, async () => {
      const file = composeProfile('puredarwin-xmas', {
        cpu: { config: { model } },
        devices: {
          // No `quiet`: the whole kernel log reaches the console, where the test reads it.
          bios: testGuestBios(`console=ttyS0 panic=-1 plugboard.nic=none plugboard.crypto=${BYTES}`),
          com1: { config: { backend: { type: 'stdio' } } },
        },
      });
      const run = await runCli(['run', file], () => {}, BOOT_TIMEOUT);
      const why = run.output.slice(-4000);
      const facts = run.facts;
      const flags =
        facts
          .find((f) => f.startsWith('flags '))
          ?.split(/\s+/)
          .slice(1) ?? [];
      const qemu = qemuFlags(model);
      expect(qemu, 'the reference has SSE2').toContain('sse2');
      expect(flags, why).toEqual(qemu.filter((f) => !NOT_OFFERED.has(f)));
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
      expect(run.output, 'the kernel log reaches the console').toContain('Linux version');
      // A trap in the kernel's or a program's SIMD code, or a self-test the module count missed.
      const complaints = run.output
        .split('\n')
        .filter((line) =>
          /WARNING:|BUG:|Oops|invalid opcode|general protection|segfault|traps:|alg: .*fail/.test(line),
        );
      expect(complaints, why).toEqual([]);
      expect(facts.at(-1), why).toBe('done');
      expect(run.exitCode).toBe(0);
    });
  }
});
