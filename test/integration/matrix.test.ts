import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@plugboard/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './boot.js';

const BIN = join(root, 'packages/cli/dist/bin.js');

/** A 64 KiB ROM for the bare machine: prints `text` on the debug console, then writes the exit port. */
function rom(text: string): Uint8Array {
  const image = new Uint8Array(65536);
  const code: number[] = [];
  for (const ch of `${text}\n`) code.push(0xb0, ch.charCodeAt(0), 0xe6, 0xe9); // mov al, ch; out 0xe9, al
  code.push(0xb0, 0x00, 0xe6, 0xf4, 0xf4); // mov al, 0; out 0xf4, al (exit code (0 << 1) | 1); hlt
  image.set(code, 0);
  image.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // jmp far f000:0000
  return image;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => {
    out += d;
  });
  const code = await main(argv, { stdout, stderr: process.stderr });
  return { code, out };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Summary {
  cells: {
    name: string;
    status: string;
    failures: string[];
    captured: Record<string, string | null>;
    artifacts: string;
  }[];
}

const summary = (out: string): Summary =>
  JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
/** What must not depend on where a cell ran. */
const outcome = (s: Summary) =>
  s.cells.map(({ name, status, failures, captured }) => ({ name, status, failures, captured }));

describe('plugboard matrix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-matrix-'));
  const spec = join(dir, 'bare.json');
  let redis: ChildProcess;
  let port = 0;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    writeFileSync(join(dir, 'ok.rom'), rom('ok'));
    writeFileSync(join(dir, 'no.rom'), rom('no'));
    writeFileSync(
      spec,
      JSON.stringify({
        name: 'bare',
        profile: join(root, 'machines/bare.json'),
        exitCode: 1,
        timeoutSeconds: 120,
        checks: { expect: ['^ok$'], capture: { word: '^(\\w\\w)$' } },
        machines: { m16: { set: { memory: '16M' } }, m32: { set: { memory: '32M' } } },
        guests: {
          ok: { set: { devices: { rom: { config: { image: join(dir, 'ok.rom') } } } } },
          no: { set: { devices: { rom: { config: { image: join(dir, 'no.rom') } } } } },
        },
      }),
    );
    port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    for (let k = 0; k < 2; k++) {
      workers.push(
        spawn(process.execPath, [BIN, 'worker', '--queue', `redis://127.0.0.1:${port}`, '--jobs', '1'], {
          stdio: 'ignore',
        }),
      );
    }
  });

  afterAll(() => {
    for (const w of workers) w.kill('SIGTERM');
    redis?.kill('SIGTERM');
  });

  // Four CLI processes, two at a time: a minute is too little on a loaded 2-core CI machine.
  it('runs every cell locally, fails the ones whose checks fail, and writes JUnit XML and a summary', {
    timeout: 180_000,
  }, async () => {
    const out = join(dir, 'local');
    const { code, out: text } = await cli('matrix', spec, '--out', out, '--jobs', '2');
    expect(code).toBe(1);
    const s = summary(out);
    expect(outcome(s)).toEqual([
      { name: 'm16/ok', status: 'pass', failures: [], captured: { word: 'ok' } },
      { name: 'm16/no', status: 'fail', failures: ['missing /^ok$/'], captured: { word: 'no' } },
      { name: 'm32/ok', status: 'pass', failures: [], captured: { word: 'ok' } },
      { name: 'm32/no', status: 'fail', failures: ['missing /^ok$/'], captured: { word: 'no' } },
    ]);
    expect(readFileSync(join(s.cells[1].artifacts, 'serial.log'), 'utf8')).toBe('no\n');
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="4" failures="2"');
    expect(text).toContain(`rerun: plugboard matrix ${spec} --cell m16/no --out ${out}`);
  });

  it('runs the same cells through a BullMQ queue on Redis with two workers, with the same results', async () => {
    const local = summary(join(dir, 'local'));
    const out = join(dir, 'queued');
    const { code } = await cli('matrix', spec, '--out', out, '--queue', `redis://127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(outcome(summary(out))).toEqual(outcome(local));
    expect(existsSync(join(out, 'm32_no', 'serial.log'))).toBe(true);
  }, 120_000);

  /**
   * The shipped NIC matrix's e100 cell, and the same NIC with a driver that
   * does not fit it (8139too on an i82557b): one passes with its driver
   * captured, the other fails on its checks, and both keep their serial log,
   * register trace and capture.
   */
  it('runs the NIC matrix cell for the i82557b and fails a deliberately wrong driver', {
    timeout: 1_800_000,
  }, async () => {
    const shipped = JSON.parse(readFileSync(join(root, 'machines/matrix-nics.json'), 'utf8'));
    const i82557b = {
      ...shipped.machines.i82557b,
      profile: join(root, 'machines/puredarwin-xmas-i82557b.json'),
    };
    const nics = join(dir, 'nics.json');
    writeFileSync(
      nics,
      JSON.stringify({
        ...shipped,
        profile: join(root, 'machines', shipped.profile),
        machines: {
          i82557b,
          'i82557b-8139too': { profile: i82557b.profile, append: 'plugboard.nic=8139too' },
        },
      }),
    );
    const out = join(dir, 'nics');
    const { code } = await cli('matrix', nics, '--out', out, '--jobs', '2');
    expect(code).toBe(1);
    const [good, wrong] = summary(out).cells;
    expect(good).toMatchObject({ name: 'i82557b/linux', status: 'pass', captured: { driver: 'e100' } });
    expect(wrong.status).toBe('fail');
    expect(wrong.failures).toContain('found /PLUGBOARD (nic|dhcp) failed/: PLUGBOARD dhcp failed');
    for (const cell of [good, wrong])
      expect(readFileSync(join(cell.artifacts, 'serial.log'), 'utf8')).toMatch(/^PLUGBOARD done\r?$/m);
    // e100 drove the NIC; 8139too never bound to it, so no driver gave it a command
    // (the kernel's PCI quirk that masks its interrupt runs either way).
    expect(readFileSync(join(good.artifacts, 'trace.txt'), 'utf8')).toMatch(/ nic W SCB Command <- /);
    expect(readFileSync(join(wrong.artifacts, 'trace.txt'), 'utf8')).not.toMatch(/ nic W SCB Command /);
    // The e100 leased an address: its capture holds the DHCP exchange.
    expect(readFileSync(join(good.artifacts, 'capture.pcap')).length).toBeGreaterThan(24 + 4 * 300);
  });
});
