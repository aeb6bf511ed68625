// From process start to the test guest's shell answering, after `plugboard run
// --restore` of a snapshot taken at its shell prompt (512 MiB, linux-direct):
// host wall time until the machine is restored (the CLI says so on stderr) and
// until the shell has run a command typed on the console. The snapshot is made
// once (a whole boot, minutes) and kept in ~/.cache/plugboard-bench/; a newer
// build that refuses it makes it again. Wall time on a shared machine is noisy:
// the figures are medians of 3. Also the CPU time (user + sys, /usr/bin/time)
// of a whole process that restores and stops before the first instruction
// (`--max-instructions 1`): what a restore costs whatever else the host runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'plugboard');
const guests = join(cache, 'guests');
const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'plugboard-bench');
mkdirSync(dir, { recursive: true });
const profile = join(dir, 'shell-512M.json');
const snapshot = join(dir, 'shell-512M.pbsnap');
writeFileSync(
  profile,
  JSON.stringify({
    extends: join(root, 'machines/puredarwin-xmas.json'),
    devices: {
      bios: {
        type: 'linux-direct',
        config: {
          kernel: join(guests, 'vmlinuz'),
          initrd: join(guests, 'initrd.gz'),
          append: 'console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.shell=1',
        },
      },
      com1: { config: { backend: { type: 'stdio' } } },
    },
  }),
);

/** Runs the CLI until `done(stdout, stderr)` says so (then kills it) or it exits. */
function cli(args, done, input) {
  const start = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const marks = {};
  return new Promise((resolve) => {
    const check = () => {
      const verdict = done(out, err, marks, start, child);
      if (verdict) {
        child.kill('SIGKILL');
        resolve({ out, err, marks, ok: true });
      }
    };
    child.stdout.on('data', (c) => {
      out += c;
      check();
    });
    child.stderr.on('data', (c) => {
      err += c;
      check();
    });
    child.on('close', () => resolve({ out, err, marks, ok: false }));
    if (input) child.stdin.write(input);
  });
}

async function makeSnapshot() {
  console.log(`making ${snapshot}: booting the test guest to its shell (minutes)`);
  const r = await cli(
    ['run', profile, '--snapshot-at', 'serial:a busybox shell', '--save', snapshot],
    (_out, err) => /snapshot of .* saved/.test(err),
  );
  if (!r.ok) throw new Error(`no snapshot made:\n${r.err.slice(-2000)}`);
}

async function restoreOnce() {
  return cli(['run', '--restore', snapshot], (out, err, marks, start, child) => {
    if (marks.restored === undefined && /restored at/.test(err)) {
      marks.restored = performance.now() - start;
      child.stdin.write('echo ALIVE-$((6*7))\n');
    }
    if (/refuses|another machine|state version|format/.test(err) && marks.restored === undefined) {
      marks.refused = err;
      return true;
    }
    if (marks.restored !== undefined && out.includes('ALIVE-42')) {
      marks.answered = performance.now() - start;
      return true;
    }
    return false;
  });
}

if (!existsSync(snapshot)) await makeSnapshot();
let first = await restoreOnce();
if (first.marks.refused) {
  console.log(`the cached snapshot is refused (${first.marks.refused.trim()}); making it again`);
  await makeSnapshot();
  first = await restoreOnce();
}
const runs = [first, await restoreOnce(), await restoreOnce()];
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const restored = median(runs.map((r) => r.marks.restored));
const answered = median(runs.map((r) => r.marks.answered));
console.log(
  `snapshot restore (512 MiB, ${(statSync(snapshot).size / 2 ** 20).toFixed(1)} MiB file): ` +
    `restored ${restored.toFixed(0)} ms, shell answered ${answered.toFixed(0)} ms after process start (wall, median of 3)`,
);

/** User + sys seconds of `plugboard run --restore SNAPSHOT --max-instructions 1`, as /usr/bin/time reports them. */
function restoreCpu() {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'CPU %U %S', process.execPath, bin, 'run', '--restore', snapshot, '--max-instructions', '1'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const m = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  if (!m) throw new Error(`no CPU time from /usr/bin/time:\n${(r.stderr ?? '').slice(-2000)}`);
  return { user: Number(m[1]), sys: Number(m[2]) };
}

const cpu = [restoreCpu(), restoreCpu(), restoreCpu()];
const total = median(cpu.map((c) => c.user + c.sys));
const at = cpu.find((c) => c.user + c.sys === total);
console.log(
  `snapshot restore CPU (process start to the restored machine, --max-instructions 1): ` +
    `${total.toFixed(2)} s (${at.user.toFixed(2)} user + ${at.sys.toFixed(2)} sys, median of 3)`,
);
