import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LinuxDirectDevice } from '@plugboard/boot-linux';
import {
  type BlockBackend,
  encodeState,
  loadProfile,
  loadSnapshot,
  readSnapshot,
  type StateTree,
  saveMachineState,
  writeSnapshot,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { machine, root } from './boot.js';
import { testGuestBios } from './guest.js';

const profileOf = (name: string) => loadProfile(join(root, 'machines', `${name}.json`));
const stateText = (m: Awaited<ReturnType<typeof machine>>) =>
  encodeState(saveMachineState(m) as unknown as StateTree);

describe('snapshots of a whole machine', () => {
  it('refuses to resume on a disk image that changed since', { timeout: 240_000 }, async () => {
    const image = join(mkdtempSync(join(tmpdir(), 'plugboard-snapshot-')), 'disk.raw');
    writeFileSync(image, Buffer.alloc(1 << 20));
    const drive = [
      {
        drives: { hd0: { type: 'file', config: { file: image, format: 'raw' } } },
        devices: { ide: { config: { primary: { master: { drive: 'hd0' } } } } },
      },
    ];
    const profile = loadProfile(join(root, 'machines', 'puredarwin-xmas.json'), drive);
    const a = await machine('puredarwin-xmas', drive);
    const bytes = writeSnapshot(a, profile, 'disk');
    await a.destroy();
    writeFileSync(image, Buffer.alloc(1 << 20, 1));
    const b = await machine('puredarwin-xmas', drive);
    expect(() => loadSnapshot(b, profile, readSnapshot(bytes, 'disk.pbsnap'), 'disk.pbsnap')).toThrow(
      /disk.pbsnap: drive hd0: .*disk.raw is not the image the snapshot was taken with: its first MiB differs/,
    );
    await b.destroy();
  });

  it('a -snapshot drive: the writes it holds go into the snapshot and come back on load; the image stays as it was', {
    timeout: 240_000,
  }, async () => {
    const image = join(mkdtempSync(join(tmpdir(), 'plugboard-snapshot-')), 'disk.raw');
    writeFileSync(image, Buffer.alloc(1 << 20, 0x5a));
    const drive = [
      {
        drives: { hd0: { type: 'file', config: { file: image, format: 'raw', snapshot: true } } },
        devices: { ide: { config: { primary: { master: { drive: 'hd0' } } } } },
      },
    ];
    const profile = loadProfile(join(root, 'machines', 'puredarwin-xmas.json'), drive);
    const backend = (m: Awaited<ReturnType<typeof machine>>) =>
      m.devices.find((d) => d.id === 'hd0')!.device as unknown as BlockBackend;
    const a = await machine('puredarwin-xmas', drive);
    // What the guest's IDE writes would leave in the overlay: a partial chunk and a run across chunks.
    backend(a).write(3, Buffer.alloc(512, 1));
    backend(a).write(100, Buffer.alloc(512 * 20, 2));
    const bytes = writeSnapshot(a, profile, 'cow');
    const written = Buffer.alloc(1 << 20);
    backend(a).read(0, written);
    await a.destroy();
    const b = await machine('puredarwin-xmas', drive, { powerOn: false });
    backend(b).write(7, Buffer.alloc(512, 9));
    loadSnapshot(b, profile, readSnapshot(bytes, 'cow.pbsnap'), 'cow.pbsnap');
    const loaded = Buffer.alloc(1 << 20);
    backend(b).read(0, loaded);
    expect(loaded.equals(written)).toBe(true);
    expect(loaded[3 * 512]).toBe(1);
    expect(loaded[7 * 512]).toBe(0x5a);
    await b.destroy();
    expect(readFileSync(image).equals(Buffer.alloc(1 << 20, 0x5a))).toBe(true);
  });

  it('SeaBIOS half a million instructions in: a fresh machine loaded from the snapshot has the same state, and runs on the same', {
    timeout: 240_000,
  }, async () => {
    const a = await machine('puredarwin-xmas', []);
    await a.run({ maxInstructions: 500_000 });
    const bytes = writeSnapshot(a, profileOf('puredarwin-xmas'), 'test');
    // Built as `run --restore` builds it: never powered on, RAM all zeros until the snapshot's pages land.
    const b = await machine('puredarwin-xmas', [], { powerOn: false });
    loadSnapshot(b, profileOf('puredarwin-xmas'), readSnapshot(bytes, 'test.pbsnap'), 'test.pbsnap');
    expect(stateText(b)).toBe(stateText(a));
    expect(Buffer.compare(Buffer.from(b.memory.ram), Buffer.from(a.memory.ram))).toBe(0);
    await a.run({ maxInstructions: 600_000 });
    await b.run({ maxInstructions: 600_000 });
    expect(stateText(b)).toBe(stateText(a));
    await a.destroy();
    await b.destroy();
  });

  it('a machine built without its power-on has RAM all zeros (no kernel loaded yet), and its first run powers it on as a machine built powered on', {
    timeout: 240_000,
  }, async () => {
    const direct = [
      {
        devices: {
          bios: testGuestBios('console=ttyS0'),
        },
      },
    ];
    const nonzero = (m: Awaited<ReturnType<typeof machine>>) => {
      const ram = m.memory.ram;
      const words = new Int32Array(ram.buffer, ram.byteOffset, ram.length / 4);
      let n = 0;
      for (let i = 0; i < words.length; i++) if (words[i] !== 0) n++;
      return n;
    };
    const a = await machine('puredarwin-xmas', direct);
    const b = await machine('puredarwin-xmas', direct, { powerOn: false });
    expect(a.awaitingPowerOn).toBe(false);
    expect(b.awaitingPowerOn).toBe(true);
    // The power-on loaded the kernel and initrd into a's RAM; b's has nothing (what loadSnapshot relies on to skip clearing).
    expect(nonzero(a)).toBeGreaterThan(100_000);
    expect(nonzero(b)).toBe(0);
    // Nor has b decompressed its kernel (most of a second of CPU a restore never needs): its first reset does.
    const kernel = (m: Awaited<ReturnType<typeof machine>>) => m.device<LinuxDirectDevice>('bios')!.kernel;
    expect(kernel(a)).not.toBeNull();
    expect(kernel(b)).toBeNull();
    await a.run({ maxInstructions: 200_000 });
    await b.run({ maxInstructions: 200_000 });
    expect(b.awaitingPowerOn).toBe(false);
    expect(kernel(b)?.entry).toBe(kernel(a)?.entry);
    expect(stateText(b)).toBe(stateText(a));
    expect(Buffer.compare(Buffer.from(b.memory.ram), Buffer.from(a.memory.ram))).toBe(0);
    await a.destroy();
    await b.destroy();
  });

  it('a snapshot taken with one NIC model refuses to load into a profile with another, saying so', {
    timeout: 240_000,
  }, async () => {
    const a = await machine('puredarwin-xmas', []);
    const bytes = writeSnapshot(a, profileOf('puredarwin-xmas'), 'rtl');
    const b = await machine('puredarwin-xmas-i82557b', []);
    expect(() =>
      loadSnapshot(b, profileOf('puredarwin-xmas-i82557b'), readSnapshot(bytes, 'rtl.pbsnap'), 'rtl.pbsnap'),
    ).toThrow(
      /rtl.pbsnap: taken on another machine .*devices\.nic is a rtl8139 in the snapshot and a i82557b here/,
    );
    await a.destroy();
    await b.destroy();
  });
});

/** Runs `plugboard ARGS` in a child process; resolves with its stdout (the guest's console) and stderr. */
function cli(
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('latin1').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ stdout, stderr, code });
    });
  });
}

const BOOT_TIMEOUT = 15 * 60_000;

/**
 * The test guest through linux-direct, its kernel log on the console with
 * timestamps: one process boots it, saves a snapshot when the guest's init
 * says it booted and runs on to power-off; a second process starts from the
 * snapshot and runs to power-off. What the second printed is, byte for byte,
 * what the first printed after the snapshot point (the first process's
 * output goes on past the point for at most the rest of the slice in which
 * the text appeared, so the second's whole output is a suffix of the first's).
 */
describe('the test guest from a snapshot', () => {
  it('prints, byte for byte, what an uninterrupted run printed after the snapshot point', {
    timeout: BOOT_TIMEOUT,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-snapshot-'));
    const profile = join(dir, 'guest.json');
    writeFileSync(
      profile,
      JSON.stringify({
        extends: join(root, 'machines', 'puredarwin-xmas.json'),
        devices: {
          bios: testGuestBios('console=ttyS0 panic=-1 cryptomgr.notests'),
          com1: { config: { backend: { type: 'stdio' } } },
        },
      }),
    );
    const file = join(dir, 'booted.pbsnap');
    const whole = await cli(
      ['run', profile, '--snapshot-at', 'serial:PLUGBOARD booted', '--save', file],
      BOOT_TIMEOUT,
    );
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).toMatch(/snapshot of .* saved to/);
    const resumed = await cli(['run', '--restore', file], BOOT_TIMEOUT);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The rest of the guest's run: its PCI facts, the NIC, DHCP and the kernel's timestamped lines.
    expect(resumed.stdout).toMatch(/PLUGBOARD pci 8086:1237/);
    expect(resumed.stdout).toMatch(/\[\s*\d+\.\d{6}\]/);
    expect(whole.stdout.endsWith(resumed.stdout), resumed.stdout.slice(0, 2000)).toBe(true);
    // And it powered off at the same instruction.
    const stoppedAt = (stderr: string) =>
      /stopped: ACPI S5 soft-off after (\d+) instructions/.exec(stderr)?.[1];
    expect(stoppedAt(resumed.stderr)).toBeDefined();
    expect(stoppedAt(resumed.stderr)).toBe(stoppedAt(whole.stderr));
  });
});
