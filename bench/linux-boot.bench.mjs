// Whole-machine figures for the Linux boot issue: host time from start to the
// test guest's `PLUGBOARD booted` line on puredarwin-xmas, guest instructions
// and MIPS, median of RUNS runs; and the same guest on qemu-system-i386 -accel tcg
// and v86 from npm (its WebAssembly JIT; bench/v86.mjs) in the same run, as
// ratios; and process CPU time, which a loaded host skews less, and peak
// RSS (each boot in a process of its own, bench/boot-once.mjs; QEMU's read
// from /proc before it is stopped). The linux-direct path runs with the translator and on the interpreter
// alone (cpu.config.jit false). The two SeaBIOS paths (fw_cfg's -kernel, and
// the ISO from the CD-ROM as -cdrom guest.iso -boot d) run with the clock's
// fast-forward on (the default) and off, to show what SeaBIOS's and the boot
// loader's busy-waits cost. Needs the guest cache (npm run guests).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, testGuest } from './guest.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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

/** One boot in a child process (bench/boot-once.mjs): its times, instructions and peak RSS. */
function childBoot(system, overrides = {}) {
  const script = join(import.meta.dirname, 'boot-once.mjs');
  const r = spawnSync(process.execPath, [script, system, guests, append, JSON.stringify(overrides)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`boot-once.mjs ${system} failed (exit ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/** Peak RSS of a running process in MiB (Linux's VmHWM), read before it is killed. */
function peakRss(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
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
        resolve({ seconds: (performance.now() - start) / 1000, rssMiB: peakRss(qemu.pid) });
        qemu.kill();
      }
    });
    qemu.on('close', () => reject(new Error('qemu-system-i386 ended before the guest booted')));
  });
}

/** Medians of RUNS runs of `boot`. */
async function measure(boot) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await boot());
  const of = (key) => median(runs.map((r) => r[key]));
  return {
    seconds: of('seconds'),
    cpuSeconds: of('cpuSeconds'),
    instructions: of('instructions'),
    rssMiB: of('rssMiB'),
  };
}

const rss = (r) => `peak RSS ${Math.round(r.rssMiB)} MiB`;
const qemu = await measure(qemuBoot);
console.log(
  `qemu-system-i386 -accel tcg, -kernel to booted: ${qemu.seconds.toFixed(1)} s, ${rss(qemu)} (median of ${RUNS})`,
);
const v86 = await measure(() => childBoot('v86'));
console.log(
  `v86 (npm, its JIT), -kernel to booted: ${v86.seconds.toFixed(1)} s, ${(v86.seconds / qemu.seconds).toFixed(1)}x QEMU's time, ${rss(v86)} (median of ${RUNS})`,
);
for (const [name, overrides] of Object.entries(PATHS)) {
  const { seconds, cpuSeconds, instructions, ...r } = await measure(() => childBoot('plugboard', overrides));
  console.log(
    `plugboard ${name} path, start to booted: ${seconds.toFixed(1)} s, ${(instructions / 1e9).toFixed(2)}e9 instructions, ` +
      `${(instructions / seconds / 1e6).toFixed(1)} MIPS, ${(seconds / qemu.seconds).toFixed(1)}x QEMU's time, ${(seconds / v86.seconds).toFixed(1)}x v86's; ` +
      `${cpuSeconds.toFixed(1)} s of CPU, ${(instructions / cpuSeconds / 1e6).toFixed(1)} MIPS per CPU-second, ${rss(r)} (median of ${RUNS})`,
  );
}
