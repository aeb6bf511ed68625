import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import { PIT_HZ } from '@plugboard/dev-piix';
import { describe, expect, it } from 'vitest';

/**
 * Fast-forward (core's PollWatch) on real busy-waits: small programs on the
 * bare machine plus the 8254 and the PIIX4 PM timer wait for a time source
 * and then write QEMU's debug exit port. With fast-forward the wait ends at
 * the same virtual time (at most GROWTH's 1/32 late) in a small fraction of
 * the instructions; without it every nanosecond is an instruction.
 */
const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plugboard-ff-'));
/** The PIIX4 PM function's I/O block, where the test puts it, and PM_TMR in it. */
const PMBA = 0x600;
const PM_TMR = PMBA + 8;
const PM_TIMER_HZ = 3_579_545;
const WAIT_NS = 5_000_000;

/** The program: real mode at the reset vector, `wait` then the exit port. */
function rom(wait: string): string {
  const path = join(dir, `rom${Math.random().toString(36).slice(2)}.bin`);
  const src = `${path}.asm`;
  const body = `bits 16\norg 0\nstart:\n${wait}\n    mov al, 0\n    out 0xf4, al\n    hlt\n`;
  const image = new Uint8Array(0x10000);
  writeFileSync(src, body);
  execFileSync('nasm', ['-f', 'bin', '-o', `${path}.code`, src]);
  image.set(readFileSync(`${path}.code`));
  // The reset vector at F000:FFF0 jumps to F000:0000.
  image.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  writeFileSync(path, image);
  return path;
}

const TSC_WAIT = `
    rdtsc
    mov esi, eax
.wait:
    rdtsc
    sub eax, esi
    cmp eax, ${WAIT_NS}
    jb .wait`;

/** Counter 2 in mode 0 with the gate on: OUT2 (port 0x61 bit 5) goes high when the count reaches 0. */
const PIT_COUNT = 0x1700;
const PIT_WAIT = `
    mov al, 0x01
    out 0x61, al
    mov al, 0xb0
    out 0x43, al
    mov al, ${PIT_COUNT & 0xff}
    out 0x42, al
    mov al, ${PIT_COUNT >> 8}
    out 0x42, al
.wait:
    in al, 0x61
    test al, 0x20
    jz .wait`;

const PM_TICKS = Math.round((WAIT_NS * PM_TIMER_HZ) / 1e9);
const PM_WAIT = `
    mov dx, ${PM_TMR}
    in eax, dx
    mov esi, eax
.wait:
    in eax, dx
    sub eax, esi
    and eax, 0xffffff
    cmp eax, ${PM_TICKS}
    jb .wait`;

interface Run {
  ns: number;
  instructions: number;
  skipped: number;
}

async function run(wait: string, fastForward: boolean): Promise<Run> {
  const profile = loadProfile(join(root, 'machines/bare.json'), [
    {
      clock: { fastForward },
      devices: {
        rom: { config: { image: rom(wait) } },
        debugcon: { config: { output: 'memory' } },
        host: { type: 'i440fx', pci: '00:00.0' },
        pit: { type: 'i8254' },
        pm: { type: 'piix4-pm', pci: '00:01.3' },
      },
    },
  ]);
  const m = await buildMachine(profile, await createRegistry());
  try {
    // PMBA and PMIOSE (PMREGMISC bit 0), as firmware sets them.
    m.ports.out32(0xcf8, 0x80000b40);
    m.ports.out32(0xcfc, PMBA | 1);
    m.ports.out32(0xcf8, 0x80000b80);
    m.ports.out8(0xcfc, 1);
    const event = await m.run({ maxInstructions: 100_000_000 });
    expect(event.reason).toBe('debug exit 0x0');
    return { ns: m.clock.now, instructions: m.cpu!.instructionCount, skipped: m.clock.skipped };
  } finally {
    await m.destroy();
  }
}

describe('fast-forward of busy-waits', () => {
  for (const [name, wait, ns] of [
    ['the TSC (RDTSC)', TSC_WAIT, WAIT_NS],
    ['8254 counter 2 through port 0x61', PIT_WAIT, (PIT_COUNT * 1e9) / PIT_HZ],
    ['the ACPI PM timer', PM_WAIT, (PM_TICKS * 1e9) / PM_TIMER_HZ],
  ] as const) {
    it(`a loop on ${name} waits the same virtual time in far fewer instructions`, async () => {
      const slow = await run(wait, false);
      const fast = await run(wait, true);
      const again = await run(wait, true);
      // Without fast-forward, one instruction is one nanosecond and none is skipped.
      expect(slow.skipped).toBe(0);
      expect(slow.ns).toBe(slow.instructions);
      expect(slow.ns).toBeGreaterThanOrEqual(ns);
      expect(slow.ns).toBeLessThan(ns + 1000);
      // With it, the wait still lasts its time, at most 1/32 longer...
      expect(fast.ns).toBeGreaterThanOrEqual(ns);
      expect(fast.ns).toBeLessThanOrEqual(ns * (1 + 1 / 32) + 1000);
      expect(fast.ns).toBe(fast.instructions + fast.skipped);
      // ...in under 1% of the instructions...
      expect(fast.instructions).toBeLessThan(slow.instructions / 100);
      // ...and the same way every time.
      expect(again).toEqual(fast);
    });
  }
});
