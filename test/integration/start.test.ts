import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from './boot.js';

/**
 * The README's main job: `npm start` (scripts/start.sh) boots
 * machines/puredarwin-xmas.json with the test guest, and a newcomer gets a
 * busybox shell on the terminal. util-linux's script(1) gives the CLI a
 * terminal, so it runs in raw mode with Ctrl-A handling, as for a user.
 */
describe('npm start', () => {
  it('boots to a shell that runs a command, and poweroff -f ends the run with 0', {
    timeout: 900_000,
  }, async () => {
    const child = spawn('script', ['-qfec', 'bash scripts/start.sh', '/dev/null'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let exitCode: number | null | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.on('close', (code) => {
      exitCode = code;
    });
    /** Waits until the terminal shows `text` or the run ends; true if it showed. */
    const shows = async (text: string) => {
      while (!out.includes(text) && exitCode === undefined) await new Promise((r) => setTimeout(r, 200));
      return out.includes(text);
    };
    const killer = setTimeout(() => child.kill('SIGKILL'), 850_000);
    try {
      expect(await shows('/ # '), out.slice(-3000)).toBe(true);
      expect(out).toContain('Plugboard test guest: a busybox shell.');
      child.stdin.write('echo plugboard-$((6*7))\r');
      expect(await shows('plugboard-42'), out.slice(-3000)).toBe(true);
      child.stdin.write('poweroff -f\r');
      while (exitCode === undefined) await new Promise((r) => setTimeout(r, 200));
      expect(exitCode).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
