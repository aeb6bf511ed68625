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
 * reload the guest boots from the written disk and reads the write back,
 * and its USB tablet follows the pointer. After another, SeaBIOS boots from
 * that disk (syslinux reads the kernel through the url drive) to the guest's
 * last report while the VGA BIOS draws on the canvas (linux-direct sets no
 * video mode; the guest's console is COM1). The machine runs in a worker:
 * every page load, reload included, must answer at once.
 */
describe('the page in Chromium', () => {
  let site: Server;
  let blob: Server;
  let proxy: { child: ChildProcess; port: number };
  let browser: Browser;
  let page: Page;
  let blobSha = '';
  let siteDir = '';
  const errors: string[] = [];
  const manifest = JSON.parse(readFileSync(join(homedir(), '.cache/plugboard/guests/manifest.json'), 'utf8'));

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: npm run setup installs it`).toBe(true);
    const { site: dir } = await buildSite();
    siteDir = dir;
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

  /** The guest's report of its disk at boot once it has written: the image's first MiB with the write, read through the overlay. */
  function writtenDisk(): string {
    const firstMiB = readFileSync(join(siteDir, DISK)).subarray(0, 1 << 20);
    firstMiB.set(new TextEncoder().encode(MARK), MARK_OFFSET);
    const sum = createHash('sha256').update(firstMiB).digest('hex');
    return `PLUGBOARD disk sda ${manifest.diskBytes / 1024} ${sum}`;
  }

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
      // The translator runs in the page's worker unchanged: its WebAssembly units retire most of the boot.
      const { instructions, jit } = await page.evaluate(() => window.plugboard!.status());
      expect(jit?.webAssembly).toBeGreaterThan(0);
      expect(jit!.retired / instructions).toBeGreaterThan(0.5);

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

  it(
    'after a reload the guest boots from its written disk and reads its write back; its USB tablet follows the pointer',
    async () => {
      await page.goto(`http://127.0.0.1:${sitePort()}/?autostart=1&disk=${DISK}&usb=tablet`, {
        timeout: 30_000,
      });
      const text = await waitSerial('a busybox shell', 12);
      expect(errors).toEqual([]);
      expect(text).toContain(writtenDisk());
      expect(text).toContain('PLUGBOARD input QEMU QEMU USB Tablet');

      await page.click('#terminal');
      await page.keyboard.type(
        `dd if=/dev/sda bs=512 skip=40 count=1 2>/dev/null | head -c ${MARK.length}; echo ' read back'\n`,
      );
      await waitSerial(`${MARK} read back`, 2);

      // The tablet's reports as the guest's hidraw gives them (the guest has no evdev module):
      // buttons, X and Y (16 bits, little-endian), wheel.
      await page.keyboard.type(
        'h=$(ls /sys/class/hidraw | head -n 1); dd if=/dev/$h bs=6 count=4 2>/dev/null | od -An -tu1 -w6 -v; echo tablet-$((6 * 7))\n',
      );
      const canvas = page.locator('#screen canvas');
      // linux-direct sets no video mode (the card's picture is a few pixels): size the canvas as an
      // embedding page's CSS may; the pointer's place scales to its size on the page.
      await canvas.evaluate((c) => {
        c.style.width = '640px';
        c.style.height = '480px';
      });
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const spot = { x: Math.round(box.width / 4), y: Math.round((box.height * 2) / 3) };
      // The tablet reports changes only, and the guest gets only those after it opened the device: move
      // by a pixel and back until it has read four (the echoed command line has no "tablet-42").
      let after = '';
      for (let i = 0; !after.includes('tablet-42'); i++) {
        if (i > 240) throw new Error(`the guest read no tablet events:\n${after}`);
        await page.mouse.move(box.x + spot.x + (i % 2), box.y + spot.y + (i % 2));
        await page.waitForTimeout(500);
        after = (await serial()).slice(text.length);
      }
      const reports = [...after.matchAll(/^\s*(\d+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)\s*$/gm)].map((m) =>
        m.slice(1).map(Number),
      );
      // The pointer's place over the canvas, scaled to 0..0x7fff: back in pixels, the spot give or take the jiggle.
      const pixel = (lo: number, hi: number, size: number) => ((lo + hi * 0x100) * size) / 0x7fff;
      expect(reports.length, after).toBe(4);
      for (const r of reports) {
        expect(Math.abs(pixel(r[1]!, r[2]!, box.width) - spot.x), after).toBeLessThanOrEqual(2);
        expect(Math.abs(pixel(r[3]!, r[4]!, box.height) - spot.y), after).toBeLessThanOrEqual(2);
      }
      expect(errors).toEqual([]);
    },
    15 * 60_000,
  );

  it("keeps the disk's writes across a reload, boots SeaBIOS from that disk to the guest's last report and draws its screen; reset forgets them", async () => {
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
    // The guest decompresses its own XZ kernel (the translator makes that affordable) and reports its disk as written.
    expect(await waitSerial('PLUGBOARD done', 6)).toContain(writtenDisk());
    // Its power-off ends the run: the page's status line comes from the API's shutdown event.
    await page.waitForFunction(
      () => document.getElementById('status')?.textContent?.startsWith('stopped: '),
      null,
      { timeout: 120_000, polling: 500 },
    );
    await page.evaluate(() => window.plugboard!.resetDisks());
    await page.goto(url, { timeout: 30_000 });
    await page.evaluate(() => window.plugboard!.ready);
    expect(await mark()).not.toBe(MARK);
    expect(errors).toEqual([]);
  }, 720_000);
});

declare global {
  interface Window {
    plugboard?: {
      serialText(): string;
      ready: Promise<void>;
      screen: { nonBlank(): boolean; canvas: { width: number; height: number } } | null;
      status(): Promise<{
        instructions: number;
        jit: { webAssembly: number; retired: number } | null;
        drives: { id: string; changedSectors: number; unsaved: number; rangeRequests: number }[];
      }>;
      changedImage(drive: string): Promise<Uint8Array>;
      resetDisks(): Promise<void>;
    };
  }
}
