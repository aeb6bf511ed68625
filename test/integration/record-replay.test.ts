import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeState, readSnapshot, type StateTree } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { serveBlob } from './blob.mjs';
import { root } from './boot.js';
import { composeProfile, guests, testGuestBios } from './guest.js';

const BOOT_TIMEOUT = 1_800_000;
const cli = join(root, 'packages/cli/dist/bin.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `plugboard ARGS` in a child process with a pipe for stdin (the serial
 * console's input); `onStdout` sees the transcript so far and may type.
 */
function runCli(
  args: string[],
  onStdout: (text: string, type: (s: string) => void) => void,
  input?: string,
): Promise<CliRun> {
  const child = spawn(process.execPath, [cli, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin.write(input);
  let stdout = '';
  let stderr = '';
  const type = (s: string) => child.stdin.write(s);
  child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
    stdout += chunk;
    onStdout(stdout, type);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => {});
  const timer = setTimeout(() => child.kill('SIGKILL'), BOOT_TIMEOUT);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const stopped = (run: CliRun) => /stopped: (.*) after (\d+) instructions/.exec(run.stderr)?.slice(1);

/**
 * The test guest through linux-direct downloads the test blob over slirp
 * from an HTTP server on this host, then gives a shell on COM1; what the
 * test types there writes the download onto the hard disk and powers off.
 * The replay runs with the server closed and nothing typed: the network
 * backend is cut off and the log brings every frame and keystroke back.
 */
describe('record and replay', () => {
  it('a session with a download over slirp and typed commands replays bit for bit: transcript, count, disk', {
    timeout: 2 * BOOT_TIMEOUT,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-replay-'));
    // Raw, so the files compare byte for byte (a VMDK takes a random CID on its first write).
    const original = join(dir, 'original.raw');
    const disk = join(dir, 'disk.raw');
    execFileSync(process.execPath, [
      cli,
      'img',
      'convert',
      '-f',
      'vmdk',
      '-O',
      'raw',
      join(guests, 'guest.vmdk'),
      original,
    ]);
    const log = join(dir, 'session.pbr');
    const http = (await serveBlob()) as Server;
    let requests = 0;
    http.on('request', () => requests++);
    const url = `http://10.0.2.2:${(http.address() as AddressInfo).port}/blob`;
    const profile = composeProfile('puredarwin-xmas', {
      drives: { hd0: { type: 'file', config: { file: disk } } },
      devices: {
        bios: testGuestBios(
          `console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.url=${url} plugboard.shell=1`,
        ),
        ide: { config: { primary: { master: { drive: 'hd0' } } } },
        com1: { config: { backend: { type: 'stdio' } } },
      },
    });
    // Sectors 2048.. of the disk get the downloaded blob's first 64 KiB.
    const commands =
      'dd if=/tmp/download of=/dev/sda bs=4096 count=16 seek=256 conv=fsync 2>/dev/null; echo wrote $?; poweroff -f\n';
    let typed = false;

    copyFileSync(original, disk);
    const recorded = await runCli(['run', profile, '--record', log], (text, type) => {
      // ash's prompt, then its question for the cursor position (ESC [6n), which nobody answers.
      const plain = text.replace(/\r/g, '').replaceAll('\u001b[6n', '');
      if (!typed && plain.includes('busybox shell') && plain.endsWith('# ')) {
        typed = true;
        type(commands);
      }
    });
    await new Promise<void>((r) => http.close(() => r()));
    expect(recorded.code, recorded.stderr.slice(-2000)).toBe(0);
    expect(recorded.stdout).toMatch(/PLUGBOARD http [0-9a-f]{64} 3145728/);
    expect(recorded.stdout).toContain('wrote 0');
    expect(requests).toBe(1);
    const recordedDisk = readFileSync(disk);
    expect(recordedDisk.equals(readFileSync(original))).toBe(false);

    copyFileSync(original, disk);
    const replayed = await runCli(['run', profile, '--replay', log], () => {});
    expect(replayed.code, replayed.stderr.slice(-2000)).toBe(0);
    expect(replayed.stdout).toBe(recorded.stdout);
    expect(stopped(replayed)).toEqual(stopped(recorded));
    expect(stopped(recorded)?.[0]).toBe('ACPI S5 soft-off');
    expect(readFileSync(disk).equals(recordedDisk)).toBe(true);
    expect(requests).toBe(1);

    // The log belongs to its profile: another one is refused before anything is built.
    const other = await runCli(['run', profile, '--set', 'memory=256M', '--replay', log], () => {});
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('recorded with another profile');
  });
});

/** A snapshot file's machine state and RAM, as text and bytes that compare. */
function contents(file: string) {
  const { state, bitmap, pages } = readSnapshot(readFileSync(file), file).body();
  return { state: encodeState(state as unknown as StateTree), ram: Buffer.concat([bitmap, pages]) };
}

/**
 * SeaBIOS a few million instructions in (short, for CI): a snapshot, then a
 * run from it recorded with a line typed on the serial console, then the
 * replay from the same snapshot with nothing typed. Each saves the whole
 * machine at the same instruction: the two are identical, and differ from a
 * run from the snapshot without the input.
 */
describe('record and replay from a snapshot', () => {
  it('a run recorded from a snapshot replays from it bit for bit; the log refuses any other start', {
    timeout: 600_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-replay-snapshot-'));
    const profile = composeProfile('puredarwin-xmas', {
      devices: { com1: { config: { backend: { type: 'stdio' } } } },
    });
    const start = join(dir, 'start.pbsnap');
    const log = join(dir, 'run.pbr');
    const at = (file: string) => [
      '--snapshot-at',
      'instructions:5000000',
      '--save',
      file,
      '--max-instructions',
      '5000001',
    ];
    const made = await runCli(
      [
        'run',
        profile,
        '--snapshot-at',
        'instructions:2000000',
        '--save',
        start,
        '--max-instructions',
        '2000001',
      ],
      () => {},
    );
    expect(made.code, made.stderr).toBe(0);

    const recorded = await runCli(
      ['run', '--restore', start, '--record', log, ...at(join(dir, 'recorded.pbsnap'))],
      () => {},
      'hello from the host\n',
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    // The typed line reached the guest inside the run (else the comparison below would prove nothing).
    expect(readFileSync(log).includes('hello from the host')).toBe(true);
    const replayed = await runCli(
      ['run', '--restore', start, '--replay', log, ...at(join(dir, 'replayed.pbsnap'))],
      () => {},
    );
    expect(replayed.code, replayed.stderr).toBe(0);
    const plain = await runCli(['run', '--restore', start, ...at(join(dir, 'plain.pbsnap'))], () => {});
    expect(plain.code, plain.stderr).toBe(0);

    const a = contents(join(dir, 'recorded.pbsnap'));
    const b = contents(join(dir, 'replayed.pbsnap'));
    expect(b.state).toBe(a.state);
    expect(b.ram.equals(a.ram)).toBe(true);
    expect(contents(join(dir, 'plain.pbsnap')).state).not.toBe(a.state);

    // From power-on, or from another snapshot, the log is refused before anything runs.
    const fromPowerOn = await runCli(['run', profile, '--replay', log, '--max-instructions', '1'], () => {});
    expect(fromPowerOn.code).toBe(2);
    expect(fromPowerOn.stderr).toMatch(
      /recorded from the snapshot .*start\.pbsnap .*this run starts from power-on: replay with --restore/,
    );
    const fromOther = await runCli(
      ['run', '--restore', join(dir, 'plain.pbsnap'), '--replay', log, '--max-instructions', '1'],
      () => {},
    );
    expect(fromOther.code).toBe(2);
    expect(fromOther.stderr).toMatch(/this run starts from the snapshot .*plain\.pbsnap/);
  });
});
