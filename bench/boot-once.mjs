// One boot of the test guest to its `PLUGBOARD booted` line, in a process of
// its own so its peak RSS is its own (linux-boot.bench.mjs runs it once per
// run). `node bench/boot-once.mjs plugboard GUESTS APPEND OVERRIDES` boots
// puredarwin-xmas with the profile overrides (JSON); `... v86 GUESTS APPEND`
// boots v86 from npm. Prints one JSON line: host seconds, CPU seconds, guest
// instructions (Plugboard only) and peak RSS in MiB.
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';
import { bootV86 } from './v86.mjs';

const root = join(import.meta.dirname, '..');
const [system, guests, append, overrides] = process.argv.slice(2);

async function plugboard() {
  const profile = loadProfile(join(root, 'machines/puredarwin-xmas.json'), [
    JSON.parse(overrides),
    { devices: { com1: { config: { backend: { type: 'memory' } } } } },
  ]);
  const machine = await buildMachine(profile, await createRegistry(), {
    firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS],
  });
  const com1 = machine.device('com1');
  while (!com1.backend.text().includes('PLUGBOARD booted')) {
    const event = await machine.run({ maxInstructions: machine.cpu.instructionCount + 20_000_000 });
    if (event.reason !== 'instruction limit reached') throw new Error(`the guest stopped: ${event.reason}`);
  }
  return { instructions: machine.cpu.instructionCount };
}

function v86() {
  return new Promise((resolve, reject) => {
    let out = '';
    bootV86({
      guests,
      append,
      onSerial: (text) => {
        out += text;
        if (out.includes('PLUGBOARD booted')) resolve({});
      },
    }).catch(reject);
  });
}

const start = performance.now();
const cpuStart = process.cpuUsage();
const result = await (system === 'v86' ? v86() : plugboard());
const used = process.cpuUsage(cpuStart);
console.log(
  JSON.stringify({
    ...result,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    // resourceUsage's maxRSS is in KiB.
    rssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
process.exit(0);
