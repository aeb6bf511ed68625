import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Plugboard as a new user gets it: every workspace package packed as npm
 * would publish it, the tarballs installed into an empty folder (external
 * dependencies from the registry), and the `plugboard` bin run there, far
 * from this checkout. `npm test` builds before vitest, so dist/ exists.
 */
describe('installed from packed tarballs', () => {
  const work = mkdtempSync(join(tmpdir(), 'plugboard-install-'));
  const tarballs = join(work, 'tarballs');
  const app = join(work, 'app');
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, env, encoding: 'utf8' });
  /** The installed bin; `npx` itself is run once (it costs seconds a call on a loaded machine). */
  const run = (command: string, args: string[]) => {
    const r = spawnSync(command, args, { cwd: app, env, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const plugboard = (...args: string[]) => run(join(app, 'node_modules/.bin/plugboard'), args);

  beforeAll(() => {
    mkdirSync(tarballs);
    mkdirSync(app);
    npm(['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], root);
    // The published packages (packages/*), not the test fixtures that are workspaces too.
    const published = readdirSync(join(root, 'packages')).map((d) => `plugboard-${d}-`);
    const packed = readdirSync(tarballs).filter((f) => published.some((p) => f.startsWith(p)));
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    // External dependencies come from the registry, through npm's cache where it has them already.
    npm(
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((f) => join(tarballs, f))],
      app,
    );
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

  it('lists the shipped machine by name with every built-in plugin present', () => {
    const { code, out, err } = run('npx', ['--no-install', 'plugboard', 'lspci', 'puredarwin-xmas']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/^00:00\.0 Host bridge \[0600\]: .* \[8086:1237\]/);
    expect(out).toMatch(/\n00:03\.0 Ethernet controller \[0200\]: .* \[10ec:8139\]/);
  });

  it('ships profiles whose $schema names a file in the package', () => {
    const dir = join(app, 'node_modules/@plugboard/cli/machines');
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('schema'))) {
      const profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      expect(existsSync(join(dir, profile.$schema)), name).toBe(true);
    }
  });

  it('answers QEMU help and version requests', () => {
    expect(plugboard('qemu', '-M', 'help').out).toMatch(/^Supported machines are:\npc /);
    expect(plugboard('--version').out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('creates and inspects a VMDK with plugboard img', () => {
    expect(plugboard('img', 'create', '-f', 'vmdk', 'disk.vmdk', '1M').code).toBe(0);
    const { code, out } = plugboard('img', 'info', 'disk.vmdk');
    expect(code).toBe(0);
    expect(out).toMatch(/file format: vmdk/);
    expect(out).toMatch(/virtual size: 1 MiB/);
  });

  it('runs a test ROM on the bare machine', () => {
    // mov al,'K'; out 0xe9,al; mov al,0; out 0xf4,al; hlt: at the reset vector.
    writeFileSync(join(app, 'test.rom'), Buffer.from('b04be6e9b000e6f4f490909090909090', 'hex'));
    const { code, out } = plugboard('qemu', '-M', 'bare', '-bios', 'test.rom', '-debugcon', 'stdio');
    expect(out).toBe('K');
    expect(code).toBe(1); // isa-debug-exit: (0 << 1) | 1
  });

  it('loads the template plugin from its tarball in validate, lspci, devices and run', () => {
    writeFileSync(
      join(app, 'my-pc.json'),
      JSON.stringify({
        extends: '@plugboard/cli/machines/pc.json',
        name: 'my-pc',
        plugins: ['@plugboard/plugin-template'],
        devices: { dma: { type: 'template-copy-engine', pci: '00:05.0', config: { xor: 90 } } },
      }),
    );
    expect(plugboard('validate', '--strict', 'my-pc.json')).toMatchObject({
      code: 0,
      out: 'my-pc.json: valid\n',
    });
    expect(plugboard('lspci', 'my-pc.json').out).toMatch(
      /\n00:05\.0 .*Template PCI DMA copy engine \[1b36:00f0\]/,
    );
    expect(plugboard('devices', '--profile', 'my-pc.json').out).toMatch(
      /template-copy-engine +pci +Template PCI DMA copy engine \[1b36:00f0\] +\(@plugboard\/plugin-template\)/,
    );
    expect(plugboard('devices', '--plugin', '@plugboard/plugin-template', 'template-copy-engine').code).toBe(
      0,
    );
    const run = plugboard('run', 'my-pc.json', '--max-instructions', '200000', '--set', 'devices.vga=null');
    expect(run.err).toMatch(/my-pc stopped: instruction limit reached after 200000 instructions/);
    expect(run.code).toBe(0);
  }, 120_000);

  it('names the profile, the device and the conflict for a port clash; names a plugin package that is not installed', () => {
    writeFileSync(
      join(app, 'clash.json'),
      JSON.stringify({
        extends: '@plugboard/cli/machines/pc.json',
        name: 'clash',
        devices: { com2: { type: 'uart16550a', irq: 3, config: { iobase: 0x3f8 } } },
      }),
    );
    const clash = plugboard('run', 'clash.json', '--max-instructions', '1');
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(
      /clash\.json: \/devices\/com2: com2 16550A: port 0x3f8 is already claimed by com1/,
    );
    writeFileSync(
      join(app, 'missing.json'),
      JSON.stringify({
        extends: '@plugboard/cli/machines/pc.json',
        name: 'missing',
        plugins: ['plugboard-plugin-missing'],
      }),
    );
    const missing = plugboard('validate', 'missing.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(
      /missing\.json: \/plugins: plugin package "plugboard-plugin-missing" is not installed .*npm install plugboard-plugin-missing/,
    );
  });
});
