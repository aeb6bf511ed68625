import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
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

/** The bytes the guest writes at sector 40 of its disk (in the gap before the first partition). */
const MARK = 'plugboard-persisted';
const MARK_OFFSET = 40 * 512;
const DISK = 'guests/guest.img';

/**
 * The page in headless Chromium (Debian's), as a person would use it: the
 * test guest boots through linux-direct on puredarwin-xmas with its disk
 * read from a URL by range requests, its RTL8139 reaches `plugboard
 * net-proxy` over a WebSocket for a DHCP lease and an HTTP download, and a
 * command typed into the xterm.js terminal writes to the disk. After a
 * reload the written sectors come back from IndexedDB while SeaBIOS boots
 * from that disk (syslinux reads the kernel through the url drive) and the
 * VGA BIOS draws on the canvas (linux-direct sets no video mode; the guest's
 * console is COM1). The machine runs in a worker: every page load, reload
 * included, must answer at once.
 */
describe('the page in Chromium', () => {
  let site: Server;
  let blob: Server;
  let proxy: { child: ChildProcess; port: number };
  let browser: Browser;
  let page: Page;
  let blobSha = '';
  const errors: string[] = [];
  const manifest = JSON.parse(readFileSync(join(homedir(), '.cache/plugboard/guests/manifest.json'), 'utf8'));

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
    page.on('pageerror', (e) => errors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    proxy?.child.kill();
    await new Promise((r) => site?.close(r));
    await new Promise((r) => blob?.close(r));
  });

  const sitePort = () => (site.address() as AddressInfo).port;
  const serial = () => page.evaluate(() => window.plugboard?.serialText() ?? '');

  /** Waits for `text` on COM1, failing early with the transcript when the page reports an error. */
  async function waitSerial(text: string, minutes: number): Promise<string> {
    const deadline = Date.now() + minutes * 60_000;
    for (;;) {
      const got = await serial();
      if (got.includes(text)) return got;
      if (Date.now() > deadline) throw new Error(`no "${text}" in time; the guest printed:\n${got}`);
      const status = await page.evaluate(() => document.getElementById('status')?.textContent ?? '');
      if (status.startsWith('error') || status.startsWith('stopped'))
        throw new Error(`${status}\n${got}\n${errors.join('\n')}`);
      await page.waitForTimeout(500);
    }
  }

  it(
    'boots the test guest to its shell with its disk from a URL, gets a lease and the download, and runs a typed command',
    async () => {
      const blobUrl = `http://10.0.2.2:${(blob.address() as AddressInfo).port}/blob`;
      await page.goto(
        `http://127.0.0.1:${sitePort()}/?autostart=1&disk=${DISK}&net=ws://127.0.0.1:${proxy.port}/&url=${encodeURIComponent(blobUrl)}`,
      );
      const text = await waitSerial('a busybox shell', 12);
      const facts = text
        .split('\n')
        .filter((line) => line.includes('PLUGBOARD'))
        .join('\n');
      expect(errors).toEqual([]);
      expect(text, facts).toMatch(/PLUGBOARD booted 6\.1\./);
      expect(text, facts).toContain('PLUGBOARD dhcp 10.0.2.15/24');
      expect(text, facts).toContain(`PLUGBOARD http ${blobSha} 3145728`);
      // The first MiB read through the url drive, 16 range requests, as the image holds it.
      expect(text, facts).toContain(
        `PLUGBOARD disk sda ${manifest.diskBytes / 1024} ${manifest.diskFirstMiB}`,
      );

      await page.click('#terminal');
      await page.keyboard.type(
        `printf ${MARK} | dd of=/dev/sda bs=512 seek=40 conv=notrunc 2>/dev/null; sync; echo $((6 * 7)) from the page\n`,
      );
      await waitSerial('42 from the page', 2);
      // The guest's sync flushed the disk; its written sectors reach IndexedDB.
      await page.waitForFunction(
        async () => {
          const hda = (await window.plugboard!.status()).drives.find((d) => d.id === 'hda');
          return hda !== undefined && hda.changedSectors > 0 && hda.unsaved === 0;
        },
        null,
        { timeout: 60_000, polling: 500 },
      );
    },
    15 * 60_000,
  );

  it("keeps the disk's writes across a reload, boots SeaBIOS from that disk and draws its screen; reset forgets them", async () => {
    const url = `http://127.0.0.1:${sitePort()}/?autostart=1&firmware=seabios&kernel=&disk=${DISK}`;
    await page.goto(url, { timeout: 30_000 });
    await page.waitForFunction(() => window.plugboard?.screen?.nonBlank(), null, {
      timeout: 180_000,
      polling: 500,
    });
    const { width, height } = await page.evaluate(() => {
      const { canvas } = window.plugboard!.screen!;
      return { width: canvas.width, height: canvas.height };
    });
    expect([width, height]).toEqual([720, 400]);
    const mark = () =>
      page.evaluate(
        async ([from, length]) => {
          const image = await window.plugboard!.changedImage('hda');
          return new TextDecoder().decode(image.subarray(from, from! + length!));
        },
        [MARK_OFFSET, MARK.length],
      );
    expect(await mark()).toBe(MARK);
    // SeaBIOS boots the disk: syslinux reads its kernel and initramfs (some 7 MB) through the url drive.
    await page.waitForFunction(
      async () => (await window.plugboard!.status()).drives[0]!.rangeRequests > 100,
      null,
      { timeout: 180_000, polling: 1000 },
    );
    await page.evaluate(() => window.plugboard!.resetDisks());
    await page.goto(url, { timeout: 30_000 });
    await page.evaluate(() => window.plugboard!.ready);
    expect(await mark()).not.toBe(MARK);
    expect(errors).toEqual([]);
  }, 420_000);
});

declare global {
  interface Window {
    plugboard?: {
      serialText(): string;
      ready: Promise<void>;
      screen: { nonBlank(): boolean; canvas: { width: number; height: number } } | null;
      status(): Promise<{
        drives: { id: string; changedSectors: number; unsaved: number; rangeRequests: number }[];
      }>;
      changedImage(drive: string): Promise<Uint8Array>;
      resetDisks(): Promise<void>;
    };
  }
}
