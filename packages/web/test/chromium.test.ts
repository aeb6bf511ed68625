import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ES modules without types
import { serveBlob } from '../../../test/integration/blob.mjs';
// @ts-expect-error: plain ES modules without types
import { buildSite } from '../scripts/build.mjs';
// @ts-expect-error: plain ES modules without types
import { serveStatic } from '../scripts/serve.mjs';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts `plugboard net-proxy` on a free port allowing `origin`; resolves with its port. */
function startProxy(origin: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [join(root, 'packages/cli/dist/bin.js'), 'net-proxy', '--port', '0', '--allow-origin', origin],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const m = /net-proxy on ws:\/\/[\d.]+:(\d+)\//.exec(text);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`net-proxy exited with ${code}: ${text}`)));
  });
}

/**
 * The page in headless Chromium (Debian's), as a person would use it: the
 * test guest boots through linux-direct on puredarwin-xmas, its RTL8139
 * reaches `plugboard net-proxy` over a WebSocket for a DHCP lease and an
 * HTTP download, and a command typed into the xterm.js terminal runs in the
 * guest's shell. linux-direct sets no video mode (the guest's console is
 * COM1), so the canvas is checked on a SeaBIOS boot: its VGA BIOS draws.
 */
describe('the page in Chromium', () => {
  let site: Server;
  let blob: Server;
  let proxy: { child: ChildProcess; port: number };
  let browser: Browser;
  let page: Page;
  let blobSha = '';

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: npm run setup installs it`).toBe(true);
    const { site: dir } = await buildSite();
    site = await serveStatic(dir, 0);
    blob = await serveBlob();
    const body = new Uint8Array(
      await (await fetch(`http://127.0.0.1:${(blob.address() as AddressInfo).port}/blob`)).arrayBuffer(),
    );
    blobSha = createHash('sha256').update(body).digest('hex');
    const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    proxy = await startProxy(origin);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    proxy?.child.kill();
    await new Promise((r) => site?.close(r));
    await new Promise((r) => blob?.close(r));
  });

  it(
    'boots the test guest to its shell, gets a lease and the download, and runs a typed command',
    async () => {
      const sitePort = (site.address() as AddressInfo).port;
      const blobUrl = `http://10.0.2.2:${(blob.address() as AddressInfo).port}/blob`;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(
        `http://127.0.0.1:${sitePort}/?autostart=1&net=ws://127.0.0.1:${proxy.port}/&url=${encodeURIComponent(blobUrl)}`,
      );
      const serial = () => page.evaluate(() => window.plugboard?.serialText() ?? '');
      const deadline = Date.now() + 14 * 60_000;
      while (!(await serial()).includes('a busybox shell')) {
        if (Date.now() > deadline) throw new Error(`no shell in time; the guest printed:\n${await serial()}`);
        const status = await page.evaluate(() => document.getElementById('status')?.textContent ?? '');
        if (status.startsWith('error') || status.startsWith('stopped'))
          throw new Error(`${status}\n${await serial()}\n${errors.join('\n')}`);
        await page.waitForTimeout(500);
      }
      const text = await serial();
      const facts = text
        .split('\n')
        .filter((line) => line.includes('PLUGBOARD'))
        .join('\n');
      expect(errors).toEqual([]);
      expect(text, facts).toMatch(/PLUGBOARD booted 6\.1\./);
      expect(text, facts).toContain('PLUGBOARD dhcp 10.0.2.15/24');
      expect(text, facts).toContain(`PLUGBOARD http ${blobSha} 3145728`);

      await page.click('#terminal');
      await page.keyboard.type('echo $((6 * 7)) from the page\n');
      await page.waitForFunction(() => window.plugboard?.serialText().includes('42 from the page'), null, {
        timeout: 120_000,
      });
    },
    15 * 60_000,
  );

  it("draws SeaBIOS's and the VGA BIOS's screen on the canvas (firmware fetched from next to the page)", async () => {
    const sitePort = (site.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${sitePort}/?autostart=1&firmware=seabios&kernel=`);
    await page.waitForFunction(() => window.plugboard?.screen?.nonBlank(), null, {
      timeout: 180_000,
      polling: 500,
    });
    const { width, height } = await page.evaluate(() => {
      const { canvas } = window.plugboard!.screen!;
      return { width: canvas.width, height: canvas.height };
    });
    expect([width, height]).toEqual([720, 400]);
  }, 240_000);

  it('reads an image by HTTP range requests, as the url drive does', async () => {
    const expected = readFileSync(join(root, 'packages/web/site/guests/initrd.gz'));
    const got = await page.evaluate(async () => {
      const source = await window.PlugboardWeb!.HttpRangeSource.open('guests/initrd.gz');
      // Across a 64 KiB chunk boundary, and the image's last bytes.
      return {
        size: source.size,
        middle: Array.from(source.read(65536 - 8, 16)),
        tail: Array.from(source.read(source.size - 4, 4)),
      };
    });
    expect(got.size).toBe(expected.length);
    expect(got.middle).toEqual(Array.from(expected.subarray(65536 - 8, 65536 + 8)));
    expect(got.tail).toEqual(Array.from(expected.subarray(expected.length - 4)));
  });
});

declare global {
  interface Window {
    plugboard?: {
      serialText(): string;
      screen: { nonBlank(): boolean; canvas: { width: number; height: number } } | null;
    };
    PlugboardWeb?: {
      HttpRangeSource: {
        open(url: string): Promise<{ size: number; read(offset: number, length: number): Uint8Array }>;
      };
    };
  }
}
