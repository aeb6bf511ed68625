import { describe, expect, it } from 'vitest';
import { composeProfile, runCli, testGuestBios } from './guest.js';

/**
 * The translating CPU changes speed, never results: Debian's 686 kernel and
 * the test guest, booted by linux-direct on puredarwin-xmas through the CLI
 * with `cpu.config.jit` on and off, print the same serial transcript byte
 * for byte and retire the same number of instructions before the guest
 * switches the machine off.
 */
const BOOT_TIMEOUT = 1_800_000;
const STOPPED = /^plugboard: .* stopped: (.*) after (\d+) instructions$/m;

describe('the translator on a whole boot', () => {
  it('boots Linux to poweroff exactly as the interpreter does', { timeout: 2 * BOOT_TIMEOUT }, async () => {
    const file = composeProfile('puredarwin-xmas', {
      devices: {
        // No NIC driver: slirp's DNS forwarding would bring host timing in.
        bios: testGuestBios('console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.nic=none'),
        com1: { config: { backend: { type: 'stdio' } } },
      },
    });
    const runs = [];
    // One boot at a time: the two must not compete for a core.
    for (const jit of [true, false]) {
      runs.push(await runCli(['run', file, '--set', `cpu.config.jit=${jit}`], () => {}, BOOT_TIMEOUT));
    }
    const [translated, interpreted] = runs.map((run) => {
      const stopped = STOPPED.exec(run.output);
      return {
        exitCode: run.exitCode,
        reason: stopped?.[1],
        instructions: Number(stopped?.[2]),
        // The CLI's own line goes to stderr, which may interleave anywhere after the guest's last line.
        transcript: run.output.replace(/^plugboard: .* stopped: .*\n/m, ''),
        facts: run.facts,
      };
    });
    expect(interpreted.facts, interpreted.transcript.slice(-4000)).toContain('done');
    expect(interpreted.reason).toBe('ACPI S5 soft-off');
    // A whole boot (about 0.93e9 instructions since fast-forward skips Linux's APIC timer calibration).
    expect(translated.instructions).toBeGreaterThan(5e8);
    expect(translated).toEqual(interpreted);
  });
});
