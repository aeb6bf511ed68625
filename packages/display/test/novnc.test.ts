import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VncServer } from '../src/vnc-server.js';
import { FakeDisplay, FakeInput } from './fakes.js';

const CHROMIUM = '/usr/bin/chromium';
const NOVNC = dirname(dirname(createRequire(import.meta.url).resolve('@novnc/novnc')));

const PAGE = `<!doctype html>
<html><body style="margin:0;background:#808080">
<div id="screen" style="width:400px;height:300px"></div>
<script type="module">
import RFB from '/core/rfb.js';
const rfb = new RFB(document.getElementById('screen'), 'ws://127.0.0.1:' + location.hash.slice(1));
rfb.focusOnClick = true;
rfb.addEventListener('connect', () => { window.vncState = 'connected'; });
rfb.addEventListener('disconnect', (e) => { window.vncState = 'disconnected ' + JSON.stringify(e.detail); });
window.rfb = rfb;
</script></body></html>`;

/** Serves noVNC's ES modules and the page above. */
function serveNoVnc(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split(/[?#]/)[0];
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    const file = normalize(join(NOVNC, path));
    if (!file.startsWith(NOVNC) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Four coloured quadrants, so a scaled or shifted picture shows. */
function quadrants(display: FakeDisplay): void {
  display.fill(0, 0, 200, 150, [255, 0, 0]);
  display.fill(200, 0, 200, 150, [0, 255, 0]);
  display.fill(0, 150, 200, 150, [0, 0, 255]);
  display.fill(200, 150, 200, 150, [255, 255, 255]);
}

describe('noVNC in headless Chromium, over the WebSocket listener', () => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'plugboard-chromium-'));
  let browser: BrowserContext;
  let http: Server;
  const display = new FakeDisplay(400, 300);
  const input = new FakeInput();
  // The page comes from another port than the WebSocket: another origin, so it is listed.
  const allowedOrigins: string[] = [];
  const vnc = new VncServer({ host: '127.0.0.1', port: 0, websocketPort: 0, allowedOrigins });

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`).toBe(true);
    quadrants(display);
    vnc.attach(display, input);
    await vnc.listen();
    http = await serveNoVnc();
    allowedOrigins.push(`http://127.0.0.1:${(http.address() as { port: number }).port}`);
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await vnc.close();
    http?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  });

  it('shows the screen, follows changes, and sends keys and the pointer', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.setViewportSize({ width: 400, height: 300 });
    const address = http.address();
    if (!address || typeof address !== 'object') throw new Error('no http address');
    await page.goto(`http://127.0.0.1:${address.port}/#${vnc.ports.websocket}`);
    await page.waitForFunction(() => (window as unknown as { vncState?: string }).vncState, null, {
      timeout: 20_000,
    });
    expect(await page.evaluate(() => (window as unknown as { vncState: string }).vncState)).toBe('connected');

    const canvas = page.locator('#screen canvas');
    /** The colour Chromium shows at (x, y) of the canvas, from a screenshot. */
    const shot = async () => PNG.sync.read(await canvas.screenshot());
    const at = (png: PNG, x: number, y: number) => [
      ...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3),
    ];
    const until = async (check: (png: PNG) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const png = await shot();
        if (check(png)) return png;
        await page.waitForTimeout(100);
      }
      throw new Error('the canvas never showed the expected picture');
    };

    const png = await until((p) => at(p, 100, 75).join() === '255,0,0');
    expect([png.width, png.height]).toEqual([400, 300]);
    expect(at(png, 100, 75)).toEqual([255, 0, 0]);
    expect(at(png, 300, 75)).toEqual([0, 255, 0]);
    expect(at(png, 100, 225)).toEqual([0, 0, 255]);
    expect(at(png, 300, 225)).toEqual([255, 255, 255]);

    display.fill(180, 130, 40, 40, [255, 255, 0]); // straddles all four quadrants
    const changed = await until((p) => at(p, 200, 150).join() === '255,255,0');
    expect(at(changed, 181, 131)).toEqual([255, 255, 0]);
    expect(at(changed, 100, 75)).toEqual([255, 0, 0]);

    await canvas.click({ position: { x: 50, y: 60 } });
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowUp');
    const events = await input.waitUntil((list) => list.filter((e) => e.kind === 'code').length >= 4);
    const keys = events.filter((e) => e.kind === 'code');
    // noVNC uses the QEMU extended key event: scancodes, layout-independent.
    expect(keys).toEqual([
      { kind: 'code', code: 0x1e, down: true },
      { kind: 'code', code: 0x1e, down: false },
      { kind: 'code', code: 0xe048, down: true },
      { kind: 'code', code: 0xe048, down: false },
    ]);
    const mouse = events.filter((e) => e.kind === 'mouse');
    expect(mouse.some((e) => e.kind === 'mouse' && e.buttons === 1)).toBe(true);
    expect(mouse.at(-1)).toMatchObject({ buttons: 0 });
  });
});
