import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type NetProxy, startNetProxy } from '../src/net-proxy/proxy.js';

const PAGE = 'http://127.0.0.1:8080';
const GUEST_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

/** An ARP request from the guest (10.0.2.15) for the gateway, 10.0.2.2. */
function arpForGateway(): Uint8Array {
  return Uint8Array.from([
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ...GUEST_MAC,
    0x08,
    0x06,
    ...[0, 1, 8, 0, 6, 4, 0, 1],
    ...GUEST_MAC,
    ...[10, 0, 2, 15],
    ...[0, 0, 0, 0, 0, 0],
    ...[10, 0, 2, 2],
  ]);
}

let proxy: NetProxy | null = null;
afterEach(async () => {
  await proxy?.close();
  proxy = null;
});

function connect(origin: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${proxy!.port}/`, { origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('plugboard net-proxy', () => {
  it("answers a page's guest as user-mode networking: ARP for the gateway", async () => {
    const log: string[] = [];
    proxy = await startNetProxy({
      host: '127.0.0.1',
      port: 0,
      allowedOrigins: [PAGE],
      log: (m) => log.push(m),
    });
    const ws = await connect(PAGE);
    const reply = new Promise<Uint8Array>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(new Uint8Array(data))),
    );
    ws.send(arpForGateway());
    const frame = await reply;
    expect(Array.from(frame.subarray(0, 6))).toEqual(GUEST_MAC);
    expect((frame[12]! << 8) | frame[13]!).toBe(0x0806);
    expect(frame[21]).toBe(2); // ARP reply
    expect(Array.from(frame.subarray(28, 32))).toEqual([10, 0, 2, 2]);
    ws.close();
  });

  it('refuses a page from an origin it was not told to allow', async () => {
    const log: string[] = [];
    proxy = await startNetProxy({
      host: '127.0.0.1',
      port: 0,
      allowedOrigins: [PAGE],
      log: (m) => log.push(m),
    });
    await expect(connect('http://evil.example')).rejects.toThrow(/HTTP 401/);
    expect(log.join('\n')).toContain('refusing a WebSocket from origin http://evil.example');
  });
});
