// Guest MIPS of the x86 core on a fixed mix: an integer loop, REP MOVSD page
// copies and an x87 loop, each a small program (mips.asm, assembled with nasm)
// run to its exit on the bare machine (machines/bare.json). Each figure is the
// median of 5 runs; time is the process's CPU time, so a busy host skews it
// less than wall time would. Each program runs with the translator (jit) and
// on the interpreter alone (cpu.config.jit false).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';

const root = join(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cpu-x86-bench-'));
const registry = await createRegistry();
const RUNS = 5;

function assemble(phase, count) {
  const out = join(dir, `phase${phase}.bin`);
  execFileSync('nasm', [
    '-f',
    'bin',
    `-DPHASE=${phase}`,
    `-DCOUNT=${count}`,
    '-o',
    out,
    join(import.meta.dirname, 'mips.asm'),
  ]);
  return out;
}

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs the program `runs` times; returns the median run's { ms, instructions }. */
async function measure(rom, jit) {
  const profile = join(dir, 'bare.json');
  writeFileSync(
    profile,
    JSON.stringify({
      extends: join(root, 'machines/bare.json'),
      cpu: { config: { jit } },
      devices: { rom: { config: { image: rom } }, debugcon: { config: { output: 'memory' } } },
    }),
  );
  const results = [];
  for (let n = 0; n < RUNS; n++) {
    const machine = await buildMachine(loadProfile(profile), registry);
    const start = cpuMs();
    await machine.run();
    const ms = cpuMs() - start;
    results.push({ ms, instructions: machine.cpu.instructionCount });
    await machine.destroy();
  }
  results.sort((a, b) => a.ms - b.ms);
  return results[RUNS >> 1];
}

const mips = (r) => (r.instructions / r.ms / 1000).toFixed(1);
const intRom = assemble(1, 2_000_000);
const pages = 100_000;
const copyRom = assemble(2, pages);
const fpuRom = assemble(3, 200_000);
for (const jit of [true, false]) {
  const mode = jit ? 'jit' : 'interpreter';
  const int = await measure(intRom, jit);
  console.log(
    `${mode} integer loop: ${mips(int)} MIPS (${int.instructions} instructions, ${int.ms.toFixed(0)} ms)`,
  );
  const copy = await measure(copyRom, jit);
  console.log(
    `${mode} rep movsd:    ${((pages * 4096) / copy.ms / 1000).toFixed(0)} MB/s (4 KiB copies, ${copy.ms.toFixed(0)} ms)`,
  );
  const fpu = await measure(fpuRom, jit);
  console.log(
    `${mode} x87 loop:     ${mips(fpu)} MIPS (${fpu.instructions} instructions, ${fpu.ms.toFixed(0)} ms)`,
  );
}
