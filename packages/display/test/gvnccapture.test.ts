import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { screenshot } from '../src/screenshot.js';
import { VncServer } from '../src/vnc-server.js';
import { FakeDisplay } from './fakes.js';

const run = promisify(execFile);
const GVNCCAPTURE = '/usr/bin/gvnccapture';
const dir = mkdtempSync(join(tmpdir(), 'plugboard-gvnc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** gtk-vnc's capture tool (Debian package gvncviewer), a real RFB client. */
describe('gvnccapture', () => {
  it('is installed (Debian package gvncviewer)', () => {
    expect(existsSync(GVNCCAPTURE), `${GVNCCAPTURE} missing: apt-get install gvncviewer`).toBe(true);
  });

  it("captures a screen identical to Plugboard's own PNG, at two screen sizes", async () => {
    const display = new FakeDisplay(400, 300);
    display.fill(20, 30, 100, 50, [255, 255, 0]);
    const displayNumber = 50000 + (process.pid % 5000);
    const server = new VncServer({ host: '127.0.0.1', port: 5900 + displayNumber });
    server.attach(display, null);
    await server.listen();
    try {
      for (const [width, height] of [
        [400, 300],
        [640, 480],
      ]) {
        if (width !== display.frame.width) display.replace(FakeDisplay.gradient(width, height));
        const theirs = join(dir, `gvnc-${width}.png`);
        const ours = join(dir, `ours-${width}.png`);
        await run(GVNCCAPTURE, ['--quiet', `127.0.0.1:${displayNumber}`, theirs], { timeout: 30_000 });
        await screenshot(display, ours);
        const a = PNG.sync.read(readFileSync(theirs));
        const b = PNG.sync.read(readFileSync(ours));
        expect([a.width, a.height]).toEqual([width, height]);
        expect([b.width, b.height]).toEqual([width, height]);
        let differing = 0;
        for (let i = 0; i < a.data.length; i += 4)
          if (a.data[i] !== b.data[i] || a.data[i + 1] !== b.data[i + 1] || a.data[i + 2] !== b.data[i + 2])
            differing++;
        expect(differing).toBe(0);
      }
    } finally {
      await server.close();
    }
  });
});
