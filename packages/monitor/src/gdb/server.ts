import { createServer, type Server, type Socket } from 'node:net';
import { type HostListeners, type Machine, Tokens, UserError } from '@plugboard/core';
import type { Monitor } from '../monitor.js';
import { framePacket, PacketReader } from './packets.js';
import { GdbStub } from './stub.js';

export interface GdbServer {
  /** The port listened on (the one asked for, or the one picked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** QEMU's `-s`: `-gdb tcp::1234`. */
export const DEFAULT_GDB_PORT = 1234;

/**
 * `-gdb DEV` as QEMU spells the common cases: `tcp::PORT`, `tcp:HOST:PORT`
 * (a listening socket; `,server`, `,nowait` and their `=on|off` forms are
 * taken, as QEMU implies them) or `none` (null). Without a host, only this
 * machine can connect (127.0.0.1), where QEMU listens on every interface.
 */
export function parseGdbSpec(spec: string): { host: string; port: number } | null {
  if (spec === 'none') return null;
  const m = /^tcp:([^:,]*):(\d+)((?:,[a-z]+(?:=[a-z]+)?)*)$/.exec(spec);
  if (!m) throw new UserError(`-gdb ${spec}: expected tcp::PORT, tcp:HOST:PORT or none`);
  const port = Number(m[2]);
  if (port > 65535) throw new UserError(`-gdb ${spec}: port ${port} is out of range`);
  const unknown = m[3]
    .split(',')
    .filter(Boolean)
    .filter((p) => !/^(server|nowait)(=on)?$|^wait=off$/.test(p));
  if (unknown.length)
    throw new UserError(`-gdb ${spec}: unknown or unsupported option ${unknown.join(', ')}`);
  return { host: m[1] || '127.0.0.1', port };
}

/**
 * A GDB remote-protocol server for `machine` (`-gdb`, `-s`): one debugger at
 * a time, as QEMU's; a second connection is closed at once. When the run
 * ends, the debugger hears that the process exited.
 */
export async function listenGdb(
  machine: Machine,
  host: string,
  port: number,
  /** Where GDB's `monitor CMD` goes. */
  monitor: Monitor | null = null,
): Promise<GdbServer> {
  let client: { socket: Socket; stub: GdbStub } | null = null;
  const server: Server = createServer((socket) => {
    if (client) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    const stub = new GdbStub(machine, (data) => socket.write(framePacket(data), 'latin1'), monitor);
    const reader = new PacketReader({
      packet: (data) => {
        socket.write('+');
        const reply = stub.handle(data);
        if (reply !== null) socket.write(framePacket(reply), 'latin1');
      },
      interrupt: () => stub.interrupt(),
      corrupt: () => socket.write('-'),
    });
    client = { socket, stub };
    stub.attach();
    socket.on('data', (chunk: string) => reader.feed(chunk));
    socket.on('close', () => {
      if (client?.socket === socket) client = null;
      stub.detach();
    });
    socket.on('error', () => socket.destroy());
  });
  const onShutdown = (_m: Machine, event: { exitCode: number }) => {
    client?.stub.exited(event.exitCode);
    client?.socket.end();
  };
  machine.hooks.shutdown.tap('gdbstub', onShutdown);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UserError(`-gdb tcp:${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  // The guest must not reach the debugger through user-mode networking's gateway.
  const listeners = machine.container.isBound(Tokens.HostListeners)
    ? machine.container.get<HostListeners>(Tokens.HostListeners)
    : null;
  listeners?.add(bound, 'gdbstub');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        listeners?.delete(bound);
        client?.socket.destroy();
        server.close(() => resolve());
      }),
  };
}
