import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('plugboard CLI', () => {
  it('validates every profile in machines/', async () => {
    const files = [
      'pc',
      'puredarwin-xmas',
      'puredarwin-xmas-i82557b',
      'puredarwin-xmas-i82551',
      'puredarwin-xmas-i82559er',
      'puredarwin-xmas-rtl8139c',
      'bare',
    ];
    const { code, out } = await cli('validate', ...files.map((f) => `${root}machines/${f}.json`));
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(files.length);
  });

  it('lists the CPU models for -cpu help, as the x86 plugin offers them', async () => {
    const { code, out } = await cli('qemu', '-cpu', 'help');
    expect(code).toBe(0);
    expect(out).toBe(
      'Available CPUs:\nx86 qemu32\nx86 pentium\nx86 pentium2\nx86 pentium3\nx86 coreduo\nx86 core2duo\n',
    );
  });

  it('-d in_asm logs each instruction as it runs, disassembled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-in-asm-'));
    const rom = Buffer.alloc(0x10000, 0xf4);
    // At the reset vector: xor ax,ax; inc ax; out 0xf4,al (QEMU's debug exit ends the run).
    Buffer.from([0x31, 0xc0, 0x40, 0xe6, 0xf4]).copy(rom, 0xfff0);
    writeFileSync(join(dir, 'rom.bin'), rom);
    const log = join(dir, 'in_asm.log');
    await cli('qemu', '-M', 'bare', '-bios', join(dir, 'rom.bin'), '-d', 'in_asm', '-D', log);
    expect(readFileSync(log, 'utf8')).toBe(
      '0xfffffff0:  xor ax,ax\n0xfffffff2:  inc ax\n0xfffffff3:  out 0xf4,al\n',
    );
  });

  it('prints the profile a QEMU command line builds', async () => {
    const { code, out } = await cli(
      'qemu',
      '-m',
      '256',
      '-net',
      'nic,model=i82551',
      '-net',
      'user',
      '--print-profile',
    );
    expect(code).toBe(0);
    const profile = JSON.parse(out);
    expect(profile.memory).toBe('256M');
    expect(profile.devices.nic.type).toBe('i82551');
    expect(profile.netdevs.user0.type).toBe('slirp');
    expect(profile.netdevs.net0).toBeUndefined();
  });

  it('applies --set overrides to a profile', async () => {
    const { out } = await cli(
      'run',
      `${root}machines/puredarwin-xmas.json`,
      '--set',
      'devices.nic.type=i82559er',
      '--set',
      'memory="64M"',
      '--print-profile',
    );
    const profile = JSON.parse(out);
    expect(profile.devices.nic).toEqual({ type: 'i82559er', pci: '00:03.0' });
    expect(profile.memory).toBe('64M');
  });

  it('puts COM1 on the terminal and mirrors the firmware screen with --nographic', async () => {
    const { out } = await cli(
      'run',
      `${root}machines/puredarwin-xmas.json`,
      '--nographic',
      '--print-profile',
    );
    const profile = JSON.parse(out);
    expect(profile.devices.com1.config).toEqual({ backend: { type: 'stdio' } });
    expect(profile.devices['fw-cfg'].config).toEqual({ sercon: true });
  });

  it('runs with a monitor on a TCP port and closes it at the end; names a bad --monitor', async () => {
    const ok = await cli(
      'run',
      `${root}machines/puredarwin-xmas.json`,
      '--monitor',
      'tcp:127.0.0.1:0,server,nowait',
      '--max-instructions',
      '1000',
    );
    expect(ok.code).toBe(0);
    const bad = await cli('run', `${root}machines/puredarwin-xmas.json`, '--monitor', 'tcp:127.0.0.1:4444');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      'monitor tcp:127.0.0.1:4444: only a listening monitor is supported: add ,server',
    );
  });

  it('refuses --trace of a device that has no register trace', async () => {
    const { code, err } = await cli(
      'run',
      `${root}machines/puredarwin-xmas.json`,
      '--trace',
      'nope',
      '--max-instructions',
      '1',
    );
    expect(code).toBe(2);
    expect(err).toContain('trace nope: no device with a register trace matches (devices with one: nic)');
  });

  it('reports profile errors with the file and path, exit code 2', async () => {
    const { code, err } = await cli('lspci', `${root}packages/core/test/profiles/bad-fields.json`);
    expect(code).toBe(2);
    expect(err).toContain(
      'bad-fields.json: /devices/nic/pci: expected a PCI address bus:dev.fn such as "00:03.0"',
    );
  });

  it('reports a malformed kernel or disk image by file and offset, exit code 2, as a user error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const kernel = join(dir, 'vmlinuz');
    writeFileSync(kernel, new Uint8Array(8192));
    const disk = join(dir, 'disk.vmdk');
    writeFileSync(disk, 'KDMV');
    const cases: [string[], string][] = [
      [['-bios', 'builtin', '-kernel', kernel], `${kernel}: offset 0x202: no "HdrS" setup header`],
      [['-kernel', kernel], `${kernel}: offset 0x202: no "HdrS" setup header`],
      [['-hda', disk], `${disk}: file too short for a sparse extent header`],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cli('qemu', '-M', 'pc', ...args, '-display', 'none');
      expect(code).toBe(2);
      expect(err.startsWith(`plugboard: ${message}`), err).toBe(true);
      expect(err.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('reports a null entry and a config nested thousands deep by file and JSON path, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const nul = join(dir, 'null.json');
    writeFileSync(nul, '{"name":"x","devices":{"a":null}}');
    const deep = join(dir, 'deep.json');
    const depth = 3000;
    writeFileSync(
      deep,
      `{"name":"x","devices":{"nic":{"type":"rtl8139","config":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}}`,
    );
    const deepArray = join(dir, 'deep-array.json');
    writeFileSync(deepArray, `{"name":"x","description":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const cases: [string, RegExp][] = [
      [nul, /null\.json: \/devices\/a: null removes an entry, but no profile this one extends defines "a"/],
      [deep, /deep\.json: \/devices\/nic\/config(\/a)+: nested more than 64 levels deep/],
      [deepArray, /deep-array\.json: \/description(\/0)+: nested more than 64 levels deep/],
    ];
    for (const [file, message] of cases) {
      const { code, err } = await cli('validate', file);
      expect(code, err).toBe(2);
      expect(err).toMatch(message);
      expect(err).not.toContain('    at ');
    }
    const set = await cli(
      'run',
      `${root}machines/pc.json`,
      '--set',
      `devices.nic.config=${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      '--print-profile',
    );
    expect(set.code, set.err).toBe(2);
    expect(set.err).toMatch(/--set: \/devices\/nic\/config(\/a)+: nested more than 64 levels deep/);
  });

  it('refuses a profile that extends /dev/zero, a FIFO or a huge file instead of reading forever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, `{"name":"x","description":"${'x'.repeat(2 * 1024 * 1024)}"}`);
    const cases: [string, RegExp][] = [
      ['/dev/zero', /dev\/zero: not a regular file/],
      [fifo, /fifo\.json: not a regular file/],
      [huge, /huge\.json: \d+ bytes is too large for a profile \(limit 1048576 bytes\)/],
    ];
    for (const [parent, message] of cases) {
      const child = join(dir, 'child.json');
      writeFileSync(child, JSON.stringify({ name: 'x', extends: parent }));
      const { code, err } = await cli('validate', child);
      expect(code, err).toBe(2);
      expect(err).toMatch(message);
    }
  });

  it('refuses a disk, extent or CD image that is not a regular file, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const fifo = join(dir, 'disk-flat.vmdk');
    execFileSync('mkfifo', [fifo]);
    const descriptor = join(dir, 'disk.vmdk');
    writeFileSync(
      descriptor,
      '# Disk DescriptorFile\ncreateType="monolithicFlat"\nRW 2048 FLAT "disk-flat.vmdk" 0\n',
    );
    const cases: [string[], string][] = [
      [['-hda', '/dev/zero'], '/dev/zero: not a regular file'],
      [['-cdrom', fifo], `${fifo}: not a regular file`],
      [['-hda', descriptor], `${fifo}: not a regular file`],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cli('qemu', '-M', 'pc', ...args, '-display', 'none');
      expect(code, err).toBe(2);
      expect(err).toContain(message);
    }
  });

  it('refuses a firmware image, option ROM, kernel or initrd that is not a regular file, naming it, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const kernel = join(dir, 'vmlinuz');
    writeFileSync(kernel, new Uint8Array(8192));
    const cases: [string[], string][] = [
      [
        ['qemu', '-M', 'pc', '-kernel', '/dev/zero'],
        '/dev/zero: not a regular file (expected a Linux kernel)',
      ],
      [['qemu', '-M', 'pc', '-kernel', fifo], `${fifo}: not a regular file (expected a Linux kernel)`],
      [
        ['qemu', '-M', 'pc', '-kernel', kernel, '-initrd', fifo],
        `${fifo}: not a regular file (expected an initrd)`,
      ],
      [
        ['qemu', '-M', 'pc', '-bios', 'builtin', '-kernel', '/dev/zero'],
        '/dev/zero: not a regular file (expected a Linux kernel)',
      ],
      [['qemu', '-M', 'pc', '-bios', fifo], `${fifo}: not a regular file (expected a firmware image)`],
      [
        ['run', 'pc', '--set', 'devices.vga.config.romfile=/dev/zero'],
        "/dev/zero: not a regular file (expected vga's romfile)",
      ],
      [
        ['run', 'pc', '--set', `devices.nic.config.romfile=${fifo}`],
        `${fifo}: not a regular file (expected nic's romfile)`,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await cli(...args, ...(args[0] === 'qemu' ? ['-display', 'none'] : []));
      expect(code, err).toBe(2);
      expect(err).toBe(`plugboard: ${message}\n`);
    }
  });

  it('-hda on a raw disk whose sector 0 a guest made a VMDK descriptor naming a host file: refused, file untouched', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plugboard-cli-'));
    const vm = join(root, 'vm');
    mkdirSync(vm);
    const secret = join(root, 'host-secret.bin');
    writeFileSync(secret, new Uint8Array(4096).fill(0x5a));
    const before = readFileSync(secret);
    const mtime = statSync(secret).mtimeMs;
    const disk = join(vm, 'guest.img');
    const sector0 = `# Disk DescriptorFile\ncreateType="monolithicFlat"\nRW 8 FLAT "${secret}" 0\n`;
    const bytes = new Uint8Array(1024 * 1024);
    bytes.set(new TextEncoder().encode(sector0));
    writeFileSync(disk, bytes);
    const { code, err } = await cli('qemu', '-M', 'pc', '-hda', disk, '-display', 'none');
    expect(code, err).toBe(2);
    expect(err).toContain(`${disk}: extent ${secret} lies outside the image's directory`);
    expect(Buffer.compare(readFileSync(secret), before)).toBe(0);
    expect(statSync(secret).mtimeMs).toBe(mtime);
  });
});
