// Whole-machine figures for the Linux boot issue: host time from start to the
// test guest's `PLUGBOARD booted` line on puredarwin-xmas, guest instructions
// and MIPS, median of RUNS runs; and the same guest on qemu-system-i386 -accel tcg
// and v86 from npm (its WebAssembly JIT; bench/v86.mjs) in the same run, as
// ratios; and process CPU time, which a loaded host skews
// less. The linux-direct path runs with the translator and on the interpreter
// alone (cpu.config.jit false). The two SeaBIOS paths (fw_cfg's -kernel, and
// the ISO from the CD-ROM as -cdrom guest.iso -boot d) run with the clock's
// fast-forward on (the default) and off, to show what SeaBIOS's and the boot
// loader's busy-waits cost. Needs the guest cache (npm run guests).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';
import { median, testGuest } from './guest.mjs';
import { bootV86 } from './v86.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = join(import.meta.dirname, '..');
const guests = testGuest('linux-boot');
const append = 'console=ttyS0 panic=-1 quiet';

const kernel = { kernel: join(guests, 'vmlinuz'), initrd: join(guests, 'initrd.gz'), append };
const PATHS = {
  'linux-direct (fast)': { devices: { bios: { type: 'linux-direct', config: kernel } } },
  'linux-direct, interpreter alone': {
    cpu: { config: { jit: false } },
    devices: { bios: { type: 'linux-direct', config: kernel } },
  },
  'SeaBIOS + fw_cfg': { devices: { bios: { config: kernel } } },
  'SeaBIOS + fw_cfg, no fast-forward': {
    clock: { fastForward: false },
    devices: { bios: { config: kernel } },
  },
  'SeaBIOS + ISO': iso(true),
  'SeaBIOS + ISO, no fast-forward': iso(false),
};

/** -cdrom guest.iso -boot d: isolinux on the CD-ROM loads the kernel. */
function iso(fastForward) {
  return {
    clock: { fastForward },
    drives: { cd0: { type: 'file', config: { file: join(guests, 'guest.iso'), readOnly: true } } },
    devices: {
      bios: { config: { boot: 'd' } },
      ide: { config: { secondary: { master: { drive: 'cd0', media: 'cdrom' } } } },
    },
  };
}

async function plugboardBoot(overrides) {
  const profile = loadProfile(join(root, 'machines/puredarwin-xmas.json'), [
    overrides,
    { devices: { com1: { config: { backend: { type: 'memory' } } } } },
  ]);
  const machine = await buildMachine(profile, await createRegistry(), {
    firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS],
  });
  const com1 = machine.device('com1');
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (!com1.backend.text().includes('PLUGBOARD booted')) {
    const event = await machine.run({ maxInstructions: machine.cpu.instructionCount + 20_000_000 });
    if (event.reason !== 'instruction limit reached') throw new Error(`the guest stopped: ${event.reason}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpuStart);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const instructions = machine.cpu.instructionCount;
  await machine.destroy();
  return { seconds, cpuSeconds, instructions };
}

function qemuBoot() {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const qemu = spawn('qemu-system-i386', [
      ...[
        '-M',
        'pc',
        '-accel',
        'tcg',
        '-m',
        '512',
        '-vga',
        'cirrus',
        '-net',
        'nic,model=rtl8139',
        '-net',
        'user',
      ],
      ...['-kernel', join(guests, 'vmlinuz'), '-initrd', join(guests, 'initrd.gz'), '-append', append],
      ...['-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot'],
    ]);
    let out = '';
    qemu.on('error', reject);
    qemu.stdout.on('data', (d) => {
      out += d;
      if (out.includes('PLUGBOARD booted')) {
        resolve((performance.now() - start) / 1000);
        qemu.kill();
      }
    });
    qemu.on('close', () => reject(new Error('qemu-system-i386 ended before the guest booted')));
  });
}

/** v86 in this process: host seconds from start to the booted line. */
function v86Boot() {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let out = '';
    let emulator = null;
    let done = false;
    bootV86({
      guests,
      append,
      onSerial: (text) => {
        out += text;
        if (done || !out.includes('PLUGBOARD booted')) return;
        done = true;
        resolve((performance.now() - start) / 1000);
        emulator?.destroy();
      },
    })
      .then((e) => {
        emulator = e;
        if (done) e.destroy();
      })
      .catch(reject);
  });
}

const qemuSeconds = [];
for (let i = 0; i < RUNS; i++) qemuSeconds.push(await qemuBoot());
const qemu = median(qemuSeconds);
console.log(`qemu-system-i386 -accel tcg, -kernel to booted: ${qemu.toFixed(1)} s (median of ${RUNS})`);
const v86Seconds = [];
for (let i = 0; i < RUNS; i++) v86Seconds.push(await v86Boot());
const v86 = median(v86Seconds);
console.log(
  `v86 (npm, its JIT), -kernel to booted: ${v86.toFixed(1)} s, ${(v86 / qemu).toFixed(1)}x QEMU's time (median of ${RUNS})`,
);
for (const [name, overrides] of Object.entries(PATHS)) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await plugboardBoot(overrides));
  const seconds = median(runs.map((r) => r.seconds));
  const cpuSeconds = median(runs.map((r) => r.cpuSeconds));
  const instructions = median(runs.map((r) => r.instructions));
  console.log(
    `plugboard ${name} path, start to booted: ${seconds.toFixed(1)} s, ${(instructions / 1e9).toFixed(2)}e9 instructions, ` +
      `${(instructions / seconds / 1e6).toFixed(1)} MIPS, ${(seconds / qemu).toFixed(1)}x QEMU's time, ${(seconds / v86).toFixed(1)}x v86's; ` +
      `${cpuSeconds.toFixed(1)} s of CPU, ${(instructions / cpuSeconds / 1e6).toFixed(1)} MIPS per CPU-second (median of ${RUNS})`,
  );
}
