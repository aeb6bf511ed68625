import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { type CliChild, startCli } from './cli-child.js';

/**
 * The gdbstub (`-gdb`, `-s`, `-S`) driven by Debian's gdb: the bare machine
 * runs test/fixtures/gdb-guest.asm, a flat 32-bit loop that calls `bump`
 * (0xF0045: inc ebx; mov [0x500], ebx; ret) forever.
 */
const BUMP = 0xf0045;
let rom: string;
let run: CliChild | null = null;

beforeAll(() => {
  rom = join(mkdtempSync(join(tmpdir(), 'plugboard-gdb-')), 'gdb-guest.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', rom, join(root, 'test/fixtures/gdb-guest.asm')]);
});

afterEach(() => {
  run?.child.kill('SIGKILL');
  run = null;
});

/** Starts the guest with a GDB server on a free port; resolves with the port. */
async function start(...extra: string[]): Promise<number> {
  run = startCli(['qemu', '-M', 'bare', '-bios', rom, '-gdb', 'tcp::0', ...extra]);
  const m = await run.waitFor(/gdb server on tcp:127\.0\.0\.1:(\d+)/);
  return Number(m[1]);
}

function gdb(port: number, commands: string[]): string {
  const args = ['-batch', '-nx', '-ex', 'set architecture i386', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  // gdb prints a remote monitor's output on stderr: both streams, in one.
  const r = spawnSync('sh', ['-c', 'exec gdb "$@" 2>&1', 'gdb', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return r.stdout;
}

describe('gdbstub', () => {
  it('stops at a breakpoint, reads and writes registers and memory, steps, and kills the run', async () => {
    const port = await start('-S');
    const out = gdb(port, [
      'p/x $eip',
      `break *0x${BUMP.toString(16)}`,
      'continue',
      'p/x $eax',
      'p/x $cs',
      `x/4xb 0x${BUMP.toString(16)}`,
      'stepi',
      'p/x $pc',
      'p $ebx',
      'continue',
      'p $ebx',
      'x/1dw 0x500',
      'set var $ebx = 1000',
      'set {int}0x600 = 42',
      'x/1dw 0x600',
      'monitor info status',
      'delete',
      'stepi',
      'stepi',
      'x/1dw 0x500',
      'kill',
    ]);
    // -S: the guest has not run an instruction, and waits at the reset vector.
    expect(out).toMatch(/\$1 = 0xfff0\n/);
    expect(out).toMatch(/Breakpoint 1, 0x000f0045/);
    expect(out).toMatch(/\$2 = 0x12345678\n/);
    expect(out).toMatch(/\$3 = 0x8\n/);
    expect(out).toMatch(/0xf0045:\s+0x43\s+0x89\s+0x1d\s+0x00/);
    // One step ran `inc ebx` and nothing more.
    expect(out).toMatch(/\$4 = 0xf0046\n\$5 = 1\n/);
    // Continuing from the breakpoint's own address runs into it again one call later.
    expect(out).toMatch(/Breakpoint 1, 0x000f0045[\s\S]*\$6 = 1\n0x500:\s+1\n/);
    expect(out).toMatch(/0x600:\s+42\n/);
    // GDB's `monitor` goes to the human monitor, as in QEMU.
    expect(out).toMatch(/\nVM status: paused\n/);
    // The written EBX went on: inc then the store, with no breakpoint left.
    expect(out).toMatch(/0x500:\s+1001\n/);
    expect(await run!.exited()).toBe(0);
    expect(run!.output()).toMatch(/killed by gdb/);
  });

  it('stops after the instruction that wrote a watched word', async () => {
    const port = await start('-S');
    const out = gdb(port, ['watch *(int*)0x500', 'continue', 'p/x $pc', 'continue', 'p $ebx', 'kill']);
    // bump's `mov [0x500], ebx` ends at 0xF004C (its `ret`).
    expect(out).toMatch(/Hardware watchpoint 1: \*\(int\*\)0x500\n\nOld value = 0\nNew value = 1\n/);
    expect(out).toMatch(/\$1 = 0xf004c\n/);
    expect(out).toMatch(/Old value = 1\nNew value = 2\n[\s\S]*\$2 = 2\n/);
    expect(await run!.exited()).toBe(0);
  });

  it('stops a running guest on Ctrl-C (0x03) with SIGINT, and lets it run on when the debugger leaves', async () => {
    const port = await start();
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (d: string) => {
      received += d;
    });
    const until = async (pattern: RegExp) => {
      for (let i = 0; i < 300 && !pattern.test(received); i++) await new Promise((r) => setTimeout(r, 20));
      expect(received).toMatch(pattern);
    };
    await new Promise((r) => socket.once('connect', r));
    socket.write('$vCont;c#a8');
    await new Promise((r) => setTimeout(r, 300));
    socket.write('\x03');
    await until(/\$T02thread:01;#04/);
    // A packet with a wrong checksum is refused with '-', and nothing else happens.
    received = '';
    socket.write('$g#00');
    await until(/^-$/);
    socket.write('$g#67');
    await until(/#[0-9a-f]{2}$/);
    const ebx = received.match(/\$(?:[0-9a-f]{8}){3}([0-9a-f]{8})/);
    expect(ebx).not.toBeNull();
    socket.end();
    await new Promise((r) => socket.once('close', r));
    expect(run!.child.exitCode).toBeNull();
  });
});
