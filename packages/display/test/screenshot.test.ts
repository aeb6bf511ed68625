import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { screenshot } from '../src/screenshot.js';
import { FakeDisplay } from './fakes.js';

const dir = mkdtempSync(join(tmpdir(), 'plugboard-display-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('screenshot', () => {
  it('writes the frame as an RGB PNG, pixel for pixel', async () => {
    const display = new FakeDisplay(300, 170);
    display.fill(10, 10, 5, 5, [1, 2, 3]);
    const path = join(dir, 'shot.png');
    await screenshot(display, path);
    const png = PNG.sync.read(readFileSync(path));
    expect([png.width, png.height]).toEqual([300, 170]);
    for (let y = 0; y < 170; y++)
      for (let x = 0; x < 300; x++) {
        const i = (y * 300 + x) * 4;
        expect([png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]]).toEqual([
          ...display.pixel(x, y),
          255,
        ]);
      }
  });

  it('names the file it cannot write', async () => {
    await expect(screenshot(new FakeDisplay(), join(dir, 'missing', 'shot.png'))).rejects.toThrow(
      /cannot write .*missing\/shot\.png \(ENOENT\)/,
    );
  });

  it('refuses a display that shows nothing', async () => {
    const empty = new FakeDisplay();
    empty.replace({ width: 0, height: 0, rgba: new Uint8Array(0) });
    await expect(screenshot(empty, join(dir, 'empty.png'))).rejects.toThrow(/shows nothing/);
  });
});
