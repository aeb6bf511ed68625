import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import type { X86Cpu } from '@plugboard/cpu-x86';
import { PIT_HZ } from '@plugboard/dev-piix';
import { describe, expect, it } from 'vitest';

/**
 * Fast-forward (core's PollWatch) on real busy-waits: small programs on the
 * bare machine plus the 8254 and the PIIX4 PM timer wait WAITS times for a
 * time source to advance by about 1 ms (10 ms in all, as Linux's mdelay(10)
 * is ten udelay(1000)s) and then write QEMU's debug exit port. With
 * fast-forward the waits end at the same virtual time (at most GROWTH's 1/32
 * late) in a small fraction of the instructions; without it every
 * nanosecond is an instruction.
 *
 * Back to back with no device write between them, as mdelay's udelays
 * are, the waits on the TSC and the PM timer are one streak of polls to the
 * watch: each must still end on time.
 *
 * The waits run from RAM in flat 32-bit protected mode, where the translator
 * puts hot code in WebAssembly units (it leaves ROM and RDTSC to the
 * interpreter), and each runs once with the translator and once on the
 * interpreter alone: fast-forward must decide the same in both.
 */
const root = new URL('../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'plugboard-ff-'));
/** The PIIX4 PM function's I/O block, where the test puts it, and PM_TMR in it. */
const PMBA = 0x600;
const PM_TMR = PMBA + 8;
const PM_TIMER_HZ = 3_579_545;
/** Where the ROM copies the waits to. */
const RAM_CODE = 0x10000;
/**
 * Ten waits: with fast-forward a 1 ms wait takes about 300 polls, so the loop
 * entry runs some 3000 times, past the translator's threshold of 1000.
 */
const WAITS = 10;
const WAIT_NS = 1_000_000;

/**
 * The program: at the reset vector, into flat 32-bit protected mode, `wait`
 * (position-independent: relative jumps only) copied to RAM and run there
 * WAITS times, then the exit port.
 */
function rom(wait: string): string {
  const path = join(dir, `rom${Math.random().toString(36).slice(2)}.bin`);
  const src = `${path}.asm`;
  const body = `bits 16
org 0
    cli
    o32 lgdt [cs:gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:(0xf0000 + pm32)
bits 32
pm32:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x9000
    mov esi, 0xf0000 + waits
    mov edi, ${RAM_CODE}
    mov ecx, waits_end - waits
    rep movsb
    mov eax, ${RAM_CODE}
    jmp eax
waits:
    mov edi, ${WAITS}
.again:
${wait}
    dec edi
    jnz .again
    mov al, 0
    out 0xf4, al
    hlt
waits_end:
align 8
gdt:
    dq 0
    dq 0x00cf9b000000ffff
    dq 0x00cf93000000ffff
gdtr:
    dw gdtr - gdt - 1
    dd 0xf0000 + gdt
`;
  const image = new Uint8Array(0x10000);
  writeFileSync(src, body);
  execFileSync('nasm', ['-f', 'bin', '-o', `${path}.code`, src]);
  image.set(readFileSync(`${path}.code`));
  // The reset vector at F000:FFF0 jumps to F000:0000.
  image.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0);
  writeFileSync(path, image);
  return path;
}

/** The TSC runs at 1 GHz on this CPU: a tick is a nanosecond. */
const TSC_WAIT = `
    rdtsc
    mov esi, eax
.wait:
    rdtsc
    sub eax, esi
    cmp eax, ${WAIT_NS}
    jb .wait`;

/** Counter 2 in mode 0 with the gate on: OUT2 (port 0x61 bit 5) goes high when the count reaches 0. */
const PIT_COUNT = Math.round((WAIT_NS * PIT_HZ) / 1e9);
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
  /** Instructions retired in translated units. */
  translated: number;
}

async function run(wait: string, fastForward: boolean, jit: boolean): Promise<Run> {
  const profile = loadProfile(join(root, 'machines/bare.json'), [
    {
      clock: { fastForward },
      // Units compiled at once: the short fast-forwarded runs must run in them too.
      cpu: { config: { jit, jitBackground: false } },
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
    const cpu = m.cpu as X86Cpu;
    return {
      ns: m.clock.now,
      instructions: cpu.instructionCount,
      skipped: m.clock.skipped,
      translated: cpu.core.jitStats()?.retired ?? 0,
    };
  } finally {
    await m.destroy();
  }
}

/**
 * Instructions outside the waits: into protected mode, the copy to RAM, the
 * counter's programming, the outer loop (a few hundred nanoseconds at 1 ns each).
 */
const SETUP_NS = 1000;

describe('fast-forward of busy-waits', () => {
  // A wait counts periods of its source (`tick` ns: 1 for the 1 GHz TSC, 838
  // for the 8254, 279 for the PM timer) and its start falls anywhere within
  // one, so it lasts from one period less than its count to one more (the
  // 8254 loads its count at the next clock), plus the time to the loop's
  // next poll (a few instructions, under 10 ns).
  for (const [name, wait, ns, tick] of [
    ['the TSC (RDTSC)', TSC_WAIT, WAIT_NS, 1],
    ['8254 counter 2 through port 0x61', PIT_WAIT, (PIT_COUNT * 1e9) / PIT_HZ, 1e9 / PIT_HZ],
    ['the ACPI PM timer', PM_WAIT, (PM_TICKS * 1e9) / PM_TIMER_HZ, 1e9 / PM_TIMER_HZ],
  ] as const) {
    it(`a loop on ${name} waits the same virtual time in far fewer instructions, translated or not`, async () => {
      const runs: Record<string, Run> = {};
      for (const jit of [true, false]) {
        const slow = await run(wait, false, jit);
        const fast = await run(wait, true, jit);
        const again = await run(wait, true, jit);
        // Without fast-forward, one instruction is one nanosecond and none is skipped:
        // the waits last their time to within a period of the source and the loop's few instructions.
        expect(slow.skipped).toBe(0);
        expect(slow.ns).toBe(slow.instructions);
        expect(slow.ns).toBeGreaterThanOrEqual(WAITS * (ns - tick));
        expect(slow.ns).toBeLessThan(WAITS * (ns + tick + 10) + SETUP_NS);
        // With it, the waits still last their time, each at most 1/32 longer...
        expect(fast.ns).toBeGreaterThanOrEqual(WAITS * (ns - tick));
        expect(fast.ns).toBeLessThanOrEqual(WAITS * (ns * (1 + 1 / 32) + tick + 10) + SETUP_NS);
        expect(fast.ns).toBe(fast.instructions + fast.skipped);
        // ...in under 1% of the instructions...
        expect(fast.instructions).toBeLessThan(slow.instructions / 100);
        // ...and the same way every time.
        expect(again).toEqual(fast);
        // With the translator the polling loop runs in units, fast-forwarded or not.
        if (jit) {
          expect(slow.translated).toBeGreaterThan(slow.instructions / 2);
          expect(fast.translated).toBeGreaterThan(0);
        }
        runs[String(jit)] = fast;
      }
      // The translator leaves the decisions to the same code: the same skips at the same instructions.
      expect({ ...runs.true, translated: 0 }).toEqual({ ...runs.false, translated: 0 });
    });
  }
});
