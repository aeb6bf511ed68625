import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { cli } from './run-cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = 'plugboard-plugin-example';

/** A profile in a fresh folder extending the repository's pc machine. */
function profile(name: string, body: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plugboard-plugins-'));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ extends: `${root}machines/pc.json`, name, ...body }));
  return file;
}

describe("a profile's plugins, in every command", () => {
  const withScratch = profile('scratch', {
    plugins: [EXAMPLE],
    devices: { scratch: { type: 'example-scratch', config: { xor: 1 } } },
  });

  it('validate, lspci and devices load them as run does', async () => {
    const valid = await cli('validate', '--strict', withScratch);
    expect(valid.err).toBe('');
    expect(valid.code).toBe(0);
    expect((await cli('lspci', withScratch)).code).toBe(0);
    const devices = await cli('devices', '--profile', withScratch);
    expect(devices.out).toMatch(
      /\nexample-scratch +isa +Example scratch register +\(plugboard-plugin-example\)/,
    );
    const run = await cli('run', withScratch, '--max-instructions', '1000');
    expect(run.code).toBe(0);
  });

  it('--plugin loads a package in any command', async () => {
    expect((await cli('devices', 'example-scratch')).code).toBe(2);
    const shown = await cli('devices', '--plugin', EXAMPLE, 'example-scratch');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).meta.package).toBe(EXAMPLE);
    const bare = profile('bare-scratch', { devices: { scratch: { type: 'example-scratch' } } });
    expect((await cli('validate', '--strict', bare)).code).toBe(2);
    expect((await cli('validate', '--strict', '--plugin', EXAMPLE, bare)).code).toBe(0);
    expect((await cli('lspci', '--plugin', EXAMPLE, bare)).code).toBe(0);
    const q = await cli('qemu', '--plugin', EXAMPLE, '-device', 'example-scratch,xor=3', '--print-profile');
    expect(JSON.parse(q.out).devices['example-scratch-0']).toEqual({
      type: 'example-scratch',
      config: { xor: 3 },
    });
  });

  it('a plugin package that is not installed: the profile, the package and the npm install, exit 2', async () => {
    const file = profile('missing', { plugins: ['plugboard-plugin-nope'] });
    for (const command of ['validate', 'lspci', 'run']) {
      const { code, err } = await cli(command, file);
      expect(code, command).toBe(2);
      expect(err).toContain(
        `${file}: /plugins: plugin package "plugboard-plugin-nope" is not installed (looked from`,
      );
      expect(err).toContain('`npm install plugboard-plugin-nope`');
    }
  });

  it('an ISA device given a PCI address: the profile and the device, in validate, lspci and run alike', async () => {
    const file = profile('isa-pci', { devices: { com2: { type: 'uart16550a', pci: '00:06.0' } } });
    for (const command of ['validate', 'lspci', 'run']) {
      const { code, err } = await cli(command, file);
      expect(code, command).toBe(2);
      expect(err).toContain(
        `${file}: /devices/com2/pci: "uart16550a" is not a PCI device (its kind is isa): it takes no "pci" address (00:06.0)`,
      );
    }
  });

  it('a port range another device claimed: the profile, both devices and the port, exit 2', async () => {
    const file = profile('clash', {
      plugins: [EXAMPLE],
      devices: { scratch: { type: 'example-scratch', config: { port: 0x511 } } },
    });
    const { code, err } = await cli('run', file, '--max-instructions', '1');
    expect(code).toBe(2);
    expect(err).toMatch(
      new RegExp(`${file}: /devices/scratch: scratch: port 0x511 is already claimed by fw-cfg`),
    );
  });

  it('RAM the machine cannot have is refused by validate as by run', async () => {
    const file = profile('huge', { memory: '4G' });
    for (const command of ['validate', 'run']) {
      const { code, err } = await cli(command, file);
      expect(code, command).toBe(2);
      expect(err).toContain(
        `${file}: /memory: 4294967296 bytes; expected a multiple of 4 KiB from 4K up to 3584M`,
      );
    }
  });
});

describe('shipped machines by name, version', () => {
  it('finds puredarwin-xmas from any folder', async () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      const { code, out } = await cli('lspci', 'puredarwin-xmas');
      expect(code).toBe(0);
      expect(out).toMatch(/^00:00\.0 Host bridge/);
      expect((await cli('validate', 'pc', 'bare')).out).toBe('pc: valid\nbare: valid\n');
    } finally {
      process.chdir(cwd);
    }
  });

  it('prints its version', async () => {
    expect((await cli('--version')).out).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await cli('qemu', '-version')).out).toMatch(/^Plugboard \d+\.\d+\.\d+ /);
  });
});

describe('where the screen is', () => {
  /** What runProfile says on the process's stderr while `argv` runs. */
  async function notes(...argv: string[]): Promise<{ code: number; text: string }> {
    let text = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      text += String(chunk);
      return true;
    });
    try {
      const { code } = await cli(...argv);
      return { code, text };
    } finally {
      spy.mockRestore();
    }
  }

  it('says there is no window, and how to see the screen, when nothing shows it', async () => {
    const { code, text } = await notes('run', 'pc', '--max-instructions', '1000');
    expect(code).toBe(0);
    expect(text).toMatch(/plugboard: no window: .*--nographic.*"vnc" device/);
    expect(
      (await notes('run', 'pc', '--nographic', '--monitor', 'none', '--max-instructions', '1000')).text,
    ).not.toMatch(/no window/);
  });

  it('prints the address a VNC server listens on', async () => {
    const display = 100 + Math.floor(Math.random() * 800);
    const { code, text } = await notes(
      'run',
      'pc',
      '--set',
      `devices.display={"type":"vnc","config":{"display":":${display}"}}`,
      '--max-instructions',
      '1000',
    );
    expect(code).toBe(0);
    expect(text).toContain(`plugboard: the screen is on VNC at 127.0.0.1:${5900 + display}\n`);
    expect(text).not.toMatch(/no window/);
  });
});

describe('extends of a shipped machine by package path', () => {
  it('builds on @plugboard/cli/machines/pc.json from a folder outside the checkout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-extends-'));
    const file = join(dir, 'mine.json');
    writeFileSync(
      file,
      JSON.stringify({ extends: '@plugboard/cli/machines/pc.json', name: 'mine', memory: '64M' }),
    );
    const { code, out } = await cli('lspci', file);
    expect(code).toBe(0);
    expect(out).toMatch(/\n00:03\.0 Ethernet controller/);
    writeFileSync(file, JSON.stringify({ extends: '@plugboard/nope/pc.json', name: 'mine' }));
    const bad = await cli('lspci', file);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      '/extends: "@plugboard/nope/pc.json" is neither a relative path nor a file of an installed package',
    );
  });
});
