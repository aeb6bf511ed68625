import { createServer, type Server, type Socket } from 'node:net';
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
  if (wait) await connected;
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
