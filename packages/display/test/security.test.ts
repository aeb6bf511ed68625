import { createDeviceContext, createMachineParts, type RemoteConsoleService, Tokens } from '@plugboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { originAllowed, VncServer } from '../src/index.js';
import { vncPlugin } from '../src/plugin.js';
import { vncAuthResponse } from '../src/vnc-auth.js';
import { FakeDisplay } from './fakes.js';
import { TestClient } from './rfb-client.js';

let server: VncServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options: Partial<ConstructorParameters<typeof VncServer>[0]> = {}) {
  server = new VncServer({ host: '127.0.0.1', port: 0, websocketPort: 0, ...options });
  server.attach(new FakeDisplay(16, 8), null);
  await server.listen();
  return server.ports;
}

/** Runs the 3.8 handshake up to the SecurityResult, answering the challenge with `password`. */
async function login(
  port: number,
  password: string,
): Promise<{ c: TestClient; result: number; reason: string }> {
  const c = await TestClient.open(port);
  await c.read(12);
  c.send(Buffer.from('RFB 003.008\n', 'latin1'));
  const n = (await c.read(1))[0]!;
  expect([...(await c.read(n))]).toEqual([2]);
  c.send([2]);
  const challenge = await c.read(16);
  c.send(vncAuthResponse(password, challenge));
  const result = (await c.read(4)).readUInt32BE();
  let reason = '';
  if (result !== 0) reason = (await c.read((await c.read(4)).readUInt32BE())).toString('latin1');
  return { c, result, reason };
}

describe('VNC authentication', () => {
  it('answers the RFB DES challenge as the reference: key bits reversed, 8 characters used', () => {
    // RFC 6143 7.2.2: only the first 8 characters make the key.
    const zero = new Uint8Array(16);
    expect(vncAuthResponse('password', zero).toString('hex')).toBe(
      vncAuthResponse('password-longer', zero).toString('hex'),
    );
    expect(vncAuthResponse('password', zero).equals(vncAuthResponse('passwore', zero))).toBe(false);
    // DES itself: FIPS 46 test vector (key 133457799BBCDFF1, bits as given, so reverse them for the VNC key).
    const reversedKey = Buffer.from('133457799bbcdff1', 'hex').map((b) => {
      let r = 0;
      for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
      return r;
    });
    const out = vncAuthResponse(
      reversedKey.toString('latin1'),
      Buffer.from('0123456789abcdef0123456789abcdef', 'hex'),
    );
    expect(out.toString('hex')).toBe('85e813540f0ab40585e813540f0ab405');
  });

  it('refuses every client until a password is set, then only the right one gets the desktop', async () => {
    const { tcp } = await start({ password: true });
    const early = await login(tcp, '');
    expect([early.result, early.reason]).toEqual([1, 'Authentication failed']);
    await early.c.closedByServer();
    server!.setPassword('s3cret');
    const wrong = await login(tcp, 's3creT');
    expect(wrong.result).toBe(1);
    const right = await login(tcp, 's3cret');
    expect(right.result).toBe(0);
    right.c.send([1]); // ClientInit
    expect((await right.c.read(4)).readUInt32BE()).toBe((16 << 16) | 8);
    right.c.socket.destroy();
  });

  it('an RFB 3.3 client is told VNC authentication and challenged', async () => {
    const { tcp } = await start({ password: true });
    server!.setPassword('pw');
    const c = await TestClient.open(tcp);
    await c.read(12);
    c.send(Buffer.from('RFB 003.003\n', 'latin1'));
    expect((await c.read(4)).readUInt32BE()).toBe(2);
    const challenge = await c.read(16);
    c.send(vncAuthResponse('pw', challenge));
    expect((await c.read(4)).readUInt32BE()).toBe(0);
    c.socket.destroy();
  });

  it("the monitor's set_password reaches the server through the machine's RemoteConsole service", async () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const ctx = createDeviceContext(parts, { requestReset() {}, requestShutdown() {} }, { id: 'vnc0' });
    const device = await vncPlugin.create(ctx, {
      display: ':0',
      host: '127.0.0.1',
      websocket: false,
      maxClients: 4,
      password: true,
      allowedOrigins: [],
    });
    const consoles = parts.container.getAll<RemoteConsoleService>(Tokens.RemoteConsole);
    expect(consoles.map((r) => r.protocol)).toEqual(['vnc']);
    const set: string[] = [];
    device.server.setPassword = (p) => set.push(p);
    consoles[0]!.setPassword('x');
    expect(set).toEqual(['x']);
  });
});

describe('WebSocket Origin', () => {
  it('allows pages from the host the client connected to, listed origins, and non-browser clients', () => {
    expect(originAllowed(undefined, '127.0.0.1:5700', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:5700', '127.0.0.1:5700', [])).toBe(true);
    expect(originAllowed('http://evil.example', '127.0.0.1:5700', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:5700', [])).toBe(false);
    expect(originAllowed('http://127.0.0.1:8080', '127.0.0.1:5700', ['http://127.0.0.1:8080'])).toBe(true);
    expect(originAllowed('null', '127.0.0.1:5700', [])).toBe(false);
    expect(originAllowed('https://any.example', 'h:1', ['*'])).toBe(true);
  });

  it('refuses the upgrade for a page from another site, and serves one from the same host', async () => {
    const { websocket } = await start();
    const open = (origin: string) =>
      new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${websocket}`, { origin });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => {});
      });
    expect(await open('http://evil.example')).toBe(401);
    expect(await open(`http://127.0.0.1:${websocket}`)).toBe('open');
  });
});
