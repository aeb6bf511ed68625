// The seed's network boot, as issue 21 states it:
//   plugboard qemu -M pc -m 512 -vga cirrus -nographic -no-reboot
//     -net nic,model=rtl8139 -net user,tftp=DIR,bootfile=boot.ipxe -boot n
// where DIR holds an iPXE script that loads the test guest's kernel and
// initrd over TFTP. Host time from start to the kernel's first line
// ("Linux version") for Plugboard (the CLI in a child process, as a user runs
// it, fast-forward on by default) and for qemu-system-i386 with the same line
// in the same run, median of RUNS each, as a ratio; and each process's CPU
// time (user+sys at that line), which a loaded host skews less. Needs the
// guest cache (npm run guests).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { firmwareCacheDir } from '@plugboard/firmware';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const root = join(import.meta.dirname, '..');
const guests = join(dirname(firmwareCacheDir()), 'guests');
if (!existsSync(join(guests, 'vmlinuz'))) {
  console.error(`network-boot bench: no test guest in ${guests}; run npm run guests`);
  process.exit(1);
}
const tftp = mkdtempSync(join(tmpdir(), 'plugboard-bench-tftp-'));
// Copies, not links: the TFTP server serves regular files only.
for (const f of ['vmlinuz', 'initrd.gz']) copyFileSync(join(guests, f), join(tftp, f));
writeFileSync(
  join(tftp, 'boot.ipxe'),
  '#!ipxe\nkernel vmlinuz console=ttyS0 panic=-1\ninitrd initrd.gz\nboot\n',
);
const line = [
  ...['-M', 'pc', '-m', '512', '-vga', 'cirrus', '-nographic', '-no-reboot'],
  ...['-net', 'nic,model=rtl8139', '-net', `user,tftp=${tftp},bootfile=boot.ipxe`, '-boot', 'n'],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Host seconds and the child's CPU seconds from spawning `command` to the kernel's first line. */
function firstLine(command, args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('Linux version')) return;
      const seconds = (performance.now() - start) / 1000;
      // utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks (100 a second on Linux).
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      const cpuSeconds = (Number(stat[11]) + Number(stat[12])) / 100;
      child.removeAllListeners('close');
      child.kill('SIGKILL');
      resolve({ seconds, cpuSeconds });
    });
    child.on('close', () =>
      reject(new Error(`${command} ended before the kernel's first line:\n${out.slice(-2000)}`)),
    );
  });
}

async function measure(command, args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await firstLine(command, args));
  return { seconds: median(runs.map((r) => r.seconds)), cpuSeconds: median(runs.map((r) => r.cpuSeconds)) };
}

const qemu = await measure('qemu-system-i386', line);
console.log(
  `qemu-system-i386 (TCG), network boot to the kernel's first line: ${qemu.seconds.toFixed(1)} s, ` +
    `${qemu.cpuSeconds.toFixed(1)} s of CPU (median of ${RUNS})`,
);
const plugboard = await measure(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'qemu', ...line]);
console.log(
  `plugboard, network boot to the kernel's first line: ${plugboard.seconds.toFixed(1)} s, ` +
    `${plugboard.cpuSeconds.toFixed(1)} s of CPU (median of ${RUNS}); ` +
    `${(plugboard.seconds / qemu.seconds).toFixed(1)}x QEMU's host time, ${(plugboard.cpuSeconds / qemu.cpuSeconds).toFixed(1)}x its CPU time`,
);
