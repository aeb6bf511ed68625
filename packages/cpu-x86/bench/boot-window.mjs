// A tool, not a benchmark (npm run bench does not run it): the test guest's
// Linux boot through linux-direct up to LIMIT instructions (default: to the
// `PLUGBOARD booted` line), printing host and CPU time and the translator's
// counters, for comparing the translator with the interpreter on the same
// window. Run it from the repository root after npm run build:
//   JIT=1 LIMIT=300000000 node packages/cpu-x86/bench/boot-window.mjs
// Add --cpu-prof for a V8 profile; V=1 prints the rate every 20M instructions.
import { dirname, join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';

const root = join(import.meta.dirname, '../../..');
const guests = join(dirname(firmwareCacheDir()), 'guests');
const jit = process.env.JIT === '1';
const limit = Number(process.env.LIMIT ?? 0);
const kernel = {
  kernel: join(guests, 'vmlinuz'),
  initrd: join(guests, 'initrd.gz'),
  append: 'console=ttyS0 panic=-1 quiet',
};
const profile = loadProfile(join(root, 'machines/puredarwin-xmas.json'), [
  { cpu: { config: { jit } }, devices: { bios: { type: 'linux-direct', config: kernel } } },
  { devices: { com1: { config: { backend: { type: 'memory' } } } } },
]);
const machine = await buildMachine(profile, await createRegistry(), {
  firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS],
});
const com1 = machine.device('com1');
const start = performance.now();
const cpuStart = process.cpuUsage();
let last = start;
let lastCount = 0;
while (!com1.backend.text().includes('PLUGBOARD booted')) {
  const event = await machine.run({ maxInstructions: machine.cpu.instructionCount + 20_000_000 });
  if (event.reason !== 'instruction limit reached') throw new Error(`the guest stopped: ${event.reason}`);
  const now = performance.now();
  const count = machine.cpu.instructionCount;
  if (process.env.V)
    console.log(`${(count / 1e6).toFixed(0)}M ${((count - lastCount) / (now - last) / 1e3).toFixed(1)} MIPS`);
  last = now;
  lastCount = count;
  if (limit && count > limit) break;
}
const used = process.cpuUsage(cpuStart);
console.log(
  `wall ${((performance.now() - start) / 1000).toFixed(1)} s, CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, ` +
    `${(machine.cpu.instructionCount / 1e9).toFixed(3)}e9 instructions`,
);
console.log(machine.cpu.jitInfo?.());
await machine.destroy();
