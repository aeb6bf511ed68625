import { createServer, type Server, type Socket } from 'node:net';
import { type HostListeners, Tokens } from '@plugboard/core';
import type { Monitor } from './monitor.js';
import { MonitorSession } from './session.js';

export interface MonitorServer {
  /** The port listened on (the one asked for, or the one picked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The monitor on a TCP port (`-monitor tcp:HOST:PORT,server[,nowait]`): every
 * client gets its own session. With `wait`, resolves once the first client
 * has connected, as QEMU holds the guest until then.
 */
export async function listenMonitor(
  monitor: Monitor,
  host: string,
  port: number,
  wait = false,
): Promise<MonitorServer> {
  const sockets = new Set<Socket>();
  let firstClient!: () => void;
  const connected = new Promise<void>((resolve) => {
    firstClient = resolve;
  });
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = new MonitorSession(monitor, socket, socket, false);
    socket.on('close', () => {
      sockets.delete(socket);
      session.close();
    });
    socket.on('error', () => socket.destroy());
    session.show();
    firstClient();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`monitor tcp:${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  // The guest must not reach the monitor through user-mode networking's gateway.
  const listeners = monitor.machine.container.isBound(Tokens.HostListeners)
    ? monitor.machine.container.get<HostListeners>(Tokens.HostListeners)
    : null;
  listeners?.add(bound, 'monitor');
  if (wait) await connected;
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        listeners?.delete(bound);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
