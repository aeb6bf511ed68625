// Time from start to the test guest's shell, booted through linux-direct on
// puredarwin-xmas (RTL8139), in Node (the CLI) and in headless Chromium (the
// page, ?autostart=1), one after the other. Node's CPU time is the process's
// user+sys (/proc); Chromium's is the user+sys of all its processes (the
// renderer, whose worker runs the machine, and the browser and GPU processes).
// Prints the bundles' sizes too. `npm run bench -- shell`.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildSite } from '../scripts/build.mjs';
import { serveStatic } from '../scripts/serve.mjs';

const root = join(import.meta.dirname, '../../..');
const guests = join(homedir(), '.cache/plugboard/guests');
const APPEND = 'console=ttyS0,115200 panic=-1 quiet cryptomgr.notests plugboard.shell=1';
const SHELL = 'a busybox shell';
const TICKS = 100; // /proc clock ticks per second on Linux

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** User+sys seconds of every Chromium process now running (this bench's browser is the only one it starts). */
function chromiumCpuSeconds() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'chromium') total += cpuSeconds(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

async function node() {
  const args = ['qemu', '-M', 'pc', '-m', '512', '-vga', 'cirrus', '-bios', 'builtin'];
  args.push('-kernel', join(guests, 'vmlinuz'), '-initrd', join(guests, 'initrd.gz'), '-append', APPEND);
  args.push(
    '-display',
    'none',
    '-serial',
    'stdio',
    '-monitor',
    'none',
    '-net',
    'nic,model=rtl8139',
    '-net',
    'user',
  );
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let at = null;
  child.stderr.setEncoding('utf8').on('data', (c) => {
    err += c;
  });
  await new Promise((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c;
      if (!at && out.includes(SHELL)) {
        at = { wall: (performance.now() - started) / 1000, cpu: cpuSeconds(child.pid) };
        child.kill('SIGINT');
      }
    });
    child.on('close', resolve);
  });
  const instructions = Number(/after (\d+) instructions/.exec(err)?.[1] ?? Number.NaN);
  return { ...at, instructions };
}

async function page() {
  const { site } = await buildSite();
  const bundles = ['plugboard.js', 'plugboard-worker.js'].map((f) => {
    const data = readFileSync(join(site, f));
    return `${f} ${(data.length / 1024).toFixed(0)} KiB (${(gzipSync(data).length / 1024).toFixed(0)} KiB gzipped)`;
  });
  const server = await serveStatic(site, 0);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const tab = await browser.newPage();
    const before = chromiumCpuSeconds();
    const started = performance.now();
    await tab.goto(`http://127.0.0.1:${server.address().port}/?autostart=1`);
    await tab.waitForFunction((s) => window.plugboard?.serialText().includes(s), SHELL, {
      timeout: 30 * 60_000,
      polling: 250,
    });
    const wall = (performance.now() - started) / 1000;
    const cpu = chromiumCpuSeconds() - before;
    const { instructions, jit } = await tab.evaluate(() => window.plugboard.status());
    return { wall, cpu, instructions, jit, bundles };
  } finally {
    await browser.close();
    server.close();
  }
}

const fmt = (r) =>
  `${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, ${(r.instructions / 1e9).toFixed(2)}e9 instructions`;
const only = process.argv[2];
if (only !== 'chromium') console.log(`node:     ${fmt(await node())}`);
if (only === 'node') process.exit(0);
const c = await page();
const jit = c.jit
  ? `${c.jit.units} units (${c.jit.webAssembly} WebAssembly), ${((100 * c.jit.retired) / c.instructions).toFixed(1)}% of instructions retired in units`
  : 'translator off';
console.log(`chromium: ${fmt(c)}\n          ${jit}\nbundles:  ${c.bundles.join(', ')}`);
