// In-guest compute, the translating CPU's second measure: the test guest's
// `plugboard.bench=1` mode runs md5sum over 32 MiB, gzip -c over 8 MiB of
// kernel modules and a 20,000-iteration busybox shell loop, each between a
// `PLUGBOARD bench NAME start` and `... end` line on the console. The host
// times the gap between the two lines as they arrive, on Plugboard
// (linux-direct, through the CLI in a child process as users run it; the
// interpreter, then the translator), qemu-system-i386 -accel tcg and v86
// (npm, its WebAssembly JIT), median of RUNS runs each, and prints each
// against QEMU's. Needs the guest cache (npm run guests).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, testGuest } from './guest.mjs';
import { bootV86 } from './v86.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = join(import.meta.dirname, '..');
const guests = testGuest('guest-compute');
const append = 'console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.bench=1';
const BENCHES = ['md5sum', 'gzip', 'shell-loop'];

/** Host seconds between each bench's start and end line in `output`, a stream of text chunks. */
function lineTimer(onDone) {
  const seen = {};
  const gaps = {};
  let text = '';
  return (chunk) => {
    text += chunk;
    for (const m of text.matchAll(/PLUGBOARD bench (\S+) (start|end)/g)) {
      const key = `${m[1]} ${m[2]}`;
      if (seen[key] !== undefined) continue;
      seen[key] = performance.now();
      if (m[2] === 'end') gaps[m[1]] = (seen[key] - seen[`${m[1]} start`]) / 1000;
    }
    text = text.slice(-200);
    if (BENCHES.every((b) => gaps[b] !== undefined)) onDone(gaps);
  };
}

function timedChild(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const feed = lineTimer((gaps) => {
      resolve(gaps);
      child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.stdout.on('data', (d) => feed(String(d)));
    child.on('close', () => reject(new Error(`${command} ended before the benchmarks did`)));
  });
}

function plugboard(jit) {
  const dir = mkdtempSync(join(tmpdir(), 'plugboard-compute-'));
  const profile = join(dir, 'guest.json');
  writeFileSync(
    profile,
    JSON.stringify({
      extends: join(root, 'machines', 'puredarwin-xmas.json'),
      cpu: { config: { jit } },
      devices: {
        bios: {
          type: 'linux-direct',
          config: { kernel: join(guests, 'vmlinuz'), initrd: join(guests, 'initrd.gz'), append },
        },
        com1: { config: { backend: { type: 'stdio' } } },
      },
    }),
  );
  return timedChild(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'run', profile]);
}

function qemu() {
  return timedChild('qemu-system-i386', [
    ...['-M', 'pc', '-accel', 'tcg', '-m', '512', '-vga', 'cirrus', '-net', 'none'],
    ...['-kernel', join(guests, 'vmlinuz'), '-initrd', join(guests, 'initrd.gz'), '-append', append],
    ...['-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot'],
  ]);
}

function v86() {
  return new Promise((resolve, reject) => {
    let emulator;
    const feed = lineTimer((gaps) => {
      emulator.destroy();
      resolve(gaps);
    });
    bootV86({ guests, append, onSerial: feed })
      .then((e) => {
        emulator = e;
      })
      .catch(reject);
  });
}

const systems = {
  'qemu-system-i386 -accel tcg': qemu,
  'v86 (its WebAssembly JIT)': v86,
  'plugboard, interpreter': () => plugboard(false),
  'plugboard, translator': () => plugboard(true),
};
const results = {};
for (const [name, run] of Object.entries(systems)) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run());
  results[name] = Object.fromEntries(BENCHES.map((b) => [b, median(runs.map((r) => r[b]))]));
}
const reference = results['qemu-system-i386 -accel tcg'];
for (const [name, r] of Object.entries(results)) {
  const cells = BENCHES.map((b) => `${b} ${r[b].toFixed(2)} s (${(r[b] / reference[b]).toFixed(1)}x)`);
  console.log(`${name}: ${cells.join(', ')} (median of ${RUNS}; x = QEMU's time)`);
}
