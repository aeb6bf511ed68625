import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { type CliChild, startCli } from './cli-child.js';
import { type Json, open } from './qmp-client.js';

/**
 * QMP (`-qmp tcp:...,server=on,wait=off`, `unix:...` and `stdio`) spoken by a plain
 * JSON client over the socket, as QEMU's python client speaks it, against the
 * bare machine running test/fixtures/gdb-guest.asm.
 */
let dir: string;
let rom: string;
let run: CliChild | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugboard-qmp-'));
  rom = join(dir, 'gdb-guest.bin');
  execFileSync('nasm', ['-f', 'bin', '-o', rom, join(root, 'test/fixtures/gdb-guest.asm')]);
});

afterEach(() => {
  run?.child.kill('SIGKILL');
  run = null;
});

describe('QMP', () => {
  it('greets, negotiates, reports and changes the run state with events, runs monitor commands, and quits', async () => {
    const log = join(dir, 'qemu.log');
    // -d cpu_reset -D FILE rides along: system_reset below must leave the CPU state in the file.
    run = startCli([
      'qemu',
      '-M',
      'bare',
      '-bios',
      rom,
      '-S',
      '-qmp',
      'tcp::0,server=on,wait=off',
      '-d',
      'cpu_reset',
      '-D',
      log,
    ]);
    const port = Number((await run.waitFor(/QMP on tcp:127\.0\.0\.1:(\d+)/))[1]);
    const qmp = await open(port);
    const greeting = await qmp.next();
    expect(greeting).toMatchObject({ QMP: { version: { qemu: { major: 0 } }, capabilities: [] } });
    expect((greeting.QMP as Json & { version: { package: string } }).version.package).toMatch(/^Plugboard /);

    // Nothing but qmp_capabilities before negotiation.
    expect(await qmp.execute('query-status')).toMatchObject({ error: { class: 'CommandNotFound' } });
    expect(await qmp.execute('qmp_capabilities')).toMatchObject({ return: {} });
    expect(await qmp.execute('no-such-command')).toMatchObject({ error: { class: 'CommandNotFound' } });

    // -S: paused until cont.
    expect(await qmp.execute('query-status')).toMatchObject({ return: { status: 'paused', running: false } });
    expect(await qmp.execute('cont')).toEqual(expect.objectContaining({ return: {} }));
    expect(await qmp.event('RESUME')).toMatchObject({ data: {}, timestamp: { seconds: expect.any(Number) } });
    expect(await qmp.execute('query-status')).toMatchObject({ return: { status: 'running', running: true } });
    expect(await qmp.execute('stop')).toMatchObject({ return: {} });
    await qmp.event('STOP');

    // The human monitor, through its own command parser.
    const hmp = await qmp.execute('human-monitor-command', { 'command-line': 'info status' });
    expect(hmp.return).toMatch(/^VM status: paused\r\n/);
    const x = await qmp.execute('human-monitor-command', { 'command-line': 'x/1i 0xf0045' });
    expect(x.return).toMatch(/0x000f0045:\s+inc\s+ebx\r\n$/);
    expect(await qmp.execute('human-monitor-command', {})).toMatchObject({
      error: { class: 'GenericError' },
    });

    expect(await qmp.execute('system_reset')).toMatchObject({ return: {} });
    expect(await qmp.execute('cont')).toMatchObject({ return: {} });
    expect(await qmp.event('RESET')).toMatchObject({
      data: { guest: false, reason: 'host-qmp-system-reset' },
    });
    // The bare machine has no ACPI power button: said, not ignored.
    expect(await qmp.execute('system_powerdown')).toMatchObject({
      error: { class: 'GenericError', desc: expect.stringMatching(/no ACPI power button/) },
    });
    expect(await qmp.execute('query-version')).toMatchObject({
      return: { package: expect.stringMatching(/Plugboard/) },
    });

    // Malformed input gets an error and the session goes on.
    qmp.socket.write('{"execute": \n');
    qmp.socket.write('"query-status", "id": "split"}');
    expect(await qmp.next((j) => j.id === 'split')).toMatchObject({ return: { status: 'running' } });
    qmp.socket.write('[1, 2]\n');
    expect(await qmp.next((j) => j.error !== undefined)).toMatchObject({
      error: { desc: expect.stringMatching(/object/) },
    });

    expect(await qmp.execute('quit')).toMatchObject({ return: {} });
    expect(await qmp.event('SHUTDOWN')).toMatchObject({ data: { guest: false, reason: 'host-qmp-quit' } });
    expect(await run.exited()).toBe(0);
    expect(readFileSync(log, 'utf8')).toMatch(
      /^\[\d+\.\d{3} ms\] CPU Reset\nEAX=00000000 [\s\S]*EIP=0000fff0 /m,
    );
  });

  it('speaks on stdin and stdout with -qmp stdio, and refuses a terminal the console already has', async () => {
    run = startCli(['qemu', '-M', 'bare', '-bios', rom, '-S', '-qmp', 'stdio']);
    const stdin = run.child.stdin!;
    await run.waitFor(/"QMP":\{"version"/);
    stdin.write('{"execute": "qmp_capabilities"}\n{"execute": "query-status", "id": 1}\n');
    await run.waitFor(/"return":\{"status":"paused",.*"running":false\},"id":1/);
    stdin.write('{"execute": "quit"}\n');
    await run.waitFor(/"event":"SHUTDOWN"/);
    expect(await run.exited()).toBe(0);

    run = startCli(['qemu', '-M', 'bare', '-bios', rom, '-monitor', 'stdio', '-qmp', 'stdio']);
    expect(await run.exited()).toBe(2);
    expect(run.output()).toMatch(/-qmp stdio: the terminal already carries the console or the monitor/);
  });

  it('listens on a Unix socket, and every client hears the events', async () => {
    const path = join(dir, 'qmp.sock');
    run = startCli(['qemu', '-M', 'bare', '-bios', rom, '-S', '-qmp', `unix:${path},server=on,wait=off`]);
    await run.waitFor(/QMP on unix:/);
    const a = await open(path);
    const b = await open(path);
    for (const c of [a, b]) {
      await c.next((j) => j.QMP !== undefined);
      expect(await c.execute('qmp_capabilities')).toMatchObject({ return: {} });
    }
    await a.execute('cont');
    await a.event('RESUME');
    await b.event('RESUME');
    await b.execute('quit');
    await a.event('SHUTDOWN');
    expect(await run.exited()).toBe(0);
  });
});
