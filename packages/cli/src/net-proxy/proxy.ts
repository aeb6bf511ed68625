import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock, type NetworkPort } from '@plugboard/core';
import { originAllowed } from '@plugboard/display';
import { Slirp, type SlirpConfig, withDefaults } from '@plugboard/net-slirp';
import { type WebSocket, WebSocketServer } from 'ws';

export interface NetProxyOptions {
  host: string;
  port: number;
  /** Origins of pages allowed to connect besides the proxy's own host (`*`: any). */
  allowedOrigins: readonly string[];
  /** User-mode network settings, as `-netdev user` takes them (hostfwd, restrict, ...). */
  slirp?: Partial<SlirpConfig>;
  log: (message: string) => void;
}

/** Frames the page has not read yet beyond which the guest's NIC is told to wait (its queue then holds them). */
const MAX_BUFFERED = 4 << 20;
/** Largest frame taken from a page: an Ethernet frame, jumbo at most. */
const MAX_FRAME = 65550;
/** How often the proxy's own clock fires user-mode networking's timers (TCP, DHCP replies, flushes). */
const TICK_MS = 2;

export interface NetProxy {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The host side of a page's network (`plugboard net-proxy`): each WebSocket
 * carries one guest's Ethernet frames, one binary message per frame, into a
 * user-mode network of its own (net-slirp, as `-net user` in Node), so DHCP,
 * DNS, TCP and UDP reach the host and beyond. The proxy has no guest clock:
 * its network's timers run on host time.
 */
export async function startNetProxy(options: NetProxyOptions): Promise<NetProxy> {
  const { log } = options;
  const server = new WebSocketServer({
    host: options.host,
    port: options.port,
    maxPayload: MAX_FRAME,
    verifyClient: ({ origin, req }: { origin: string; req: IncomingMessage }) => {
      const ok = originAllowed(origin, req.headers.host, options.allowedOrigins);
      if (!ok) log(`net-proxy: refusing a WebSocket from origin ${origin} (allow it with --allow-origin)`);
      return ok;
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  let count = 0;
  server.on('connection', (socket) => {
    void serveGuest(socket, `page${++count}`, options).catch((err) => {
      log(`net-proxy: ${(err as Error).message}`);
      socket.close();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

async function serveGuest(socket: WebSocket, id: string, options: NetProxyOptions): Promise<void> {
  const clock = new Clock({ mode: 'host' });
  const slirp = new Slirp(id, { config: withDefaults(options.slirp ?? {}), clock, log: options.log });
  await slirp.open();
  options.log(`net-proxy: ${id} connected`);
  const port: NetworkPort = slirp.connect({
    receive: (frame) => socket.send(frame.slice()),
    canReceive: () => socket.bufferedAmount < MAX_BUFFERED,
  });
  const tick = setInterval(() => {
    clock.advance(0);
    clock.runDue();
    if (socket.bufferedAmount < MAX_BUFFERED) port.receiveReady();
  }, TICK_MS);
  socket.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    port.send(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  });
  socket.on('close', () => {
    clearInterval(tick);
    port.disconnect();
    slirp.close();
    options.log(`net-proxy: ${id} disconnected`);
  });
}
