/**
 * Guest MIPS on a fixed mix: `npx tsx packages/cpu-x86/bench/mips.ts` from the
 * repository root. Assembles bench/mips.asm (flat 32-bit protected mode with
 * PSE paging) with nasm and times each phase on the host clock: an integer
 * loop (ALU, shifts, loads and stores, branches), REP MOVSD block copies and
 * an x87 loop. A REP MOVSD of 16 KiB dwords retires as a few instructions, so
 * the copy phase is reported in MB/s. Times are the process's CPU time
 * (`process.cpuUsage`), so a busy host skews them less than wall time would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMachineParts } from '@plugboard/core';
import { X86 } from '../src/core/x86.js';
import { X87 } from '../src/fpu/x87.js';
import { Model } from '../src/model.js';

const out = join(mkdtempSync(join(tmpdir(), 'cpu-x86-bench-')), 'mips.bin');
execFileSync('nasm', ['-f', 'bin', '-o', out, new URL('./mips.asm', import.meta.url).pathname]);
const image = new Uint8Array(readFileSync(out));
const copies = new DataView(image.buffer).getUint32(0xffe4, true);

const parts = createMachineParts({ memoryBytes: 16 << 20 });
parts.memory.mapBuffer(0xffff0000, image, 0, 0x10000, false);
parts.memory.mapBuffer(0xf0000, image, 0, 0x10000, false);
const model = new Model('qemu32', 0, null);
const cpu = new X86({
  memory: parts.memory,
  ports: parts.ports,
  pins: parts.cpuPins,
  clock: parts.clock,
  apic: null,
  model,
  ferr: null,
  onTripleFault: () => {
    throw new Error('triple fault');
  },
  fpu: (host) => new X87(host),
});
model.attach(cpu);

// Each phase ends with OUT 0xE9; the instruction count at that moment is run()'s total so far
// plus the slice in progress, so slices are kept short.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const marks: { time: number; count: number }[] = [];
let counted = 0;
parts.ports.register('phase', 0xe9, 1, {
  read8: () => 0xff,
  write8: () => marks.push({ time: cpuMs(), count: counted }),
});

const SLICE = 1000;
const start = cpuMs();
while (!cpu.halted) counted += cpu.run(SLICE);
const end = cpuMs();

const phase = (n: number) => {
  const from = n === 0 ? { time: start, count: 0 } : marks[n - 1];
  return { ms: marks[n].time - from.time, instructions: marks[n].count - from.count };
};
const int = phase(0);
const copy = phase(1);
const fpu = phase(2);
const mips = (p: { ms: number; instructions: number }) => (p.instructions / p.ms / 1000).toFixed(1);
console.log(`integer loop: ${mips(int)} MIPS (${int.instructions} instructions, ${int.ms.toFixed(0)} ms)`);
console.log(`rep movsd:    ${((copies * 65536) / copy.ms / 1000).toFixed(0)} MB/s`);
console.log(`x87 loop:     ${mips(fpu)} MIPS (${fpu.instructions} instructions, ${fpu.ms.toFixed(0)} ms)`);
console.log(`overall:      ${(counted / (end - start) / 1000).toFixed(1)} MIPS (${counted} instructions)`);
