import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type HostListeners, Tokens, UserError } from '@plugboard/core';
import type { Monitor } from '../monitor.js';
import { QmpEvents, type QmpIdentity, QmpSession } from './session.js';

/** Where QMP listens, as `-qmp` spells it. */
export type QmpSpec =
  | { type: 'tcp'; host: string; port: number; wait: boolean }
  | { type: 'unix'; path: string; wait: boolean }
  /** The process's own stdin and stdout, as QEMU's `-qmp stdio`: one session, nothing else on the terminal. */
  | { type: 'stdio'; wait: false };

export interface QmpServer {
  /** The TCP port listened on (the one picked for port 0), or null on a Unix socket. */
  readonly port: number | null;
  close(): Promise<void>;
}

/**
 * `-qmp tcp:[HOST]:PORT,server[=on][,wait=off|nowait]`,
 * `-qmp unix:PATH,server[=on][,wait=off|nowait]`, `stdio`, or `none` (null). QEMU waits
 * for the first client unless told `wait=off`; so does this. Without a host,
 * 127.0.0.1.
 */
export function parseQmpSpec(spec: string): QmpSpec | null {
  if (spec === 'none') return null;
  if (spec === 'stdio') return { type: 'stdio', wait: false };
  if (spec === 'mon:stdio')
    throw new UserError(`-qmp ${spec}: QMP cannot share the terminal with a console; use -qmp stdio alone`);
  const m = /^(tcp:([^:,]*):(\d+)|unix:([^,]+))((?:,[a-z]+(?:=[a-z]+)?)*)$/.exec(spec);
  if (!m)
    throw new UserError(
      `-qmp ${spec}: expected tcp:HOST:PORT,server[,wait=off], unix:PATH,server[,wait=off], stdio or none`,
    );
  const props = m[5].split(',').filter(Boolean);
  if (!props.some((p) => p === 'server' || p === 'server=on'))
    throw new UserError(`-qmp ${spec}: only a listening QMP socket is supported: add ,server=on`);
  const unknown = props.filter((p) => !/^(server|nowait|wait)(=(on|off))?$/.test(p));
  if (unknown.length) throw new UserError(`-qmp ${spec}: unknown option ${unknown.join(', ')}`);
  const wait = !props.some((p) => p === 'nowait' || p === 'wait=off');
  if (m[4] !== undefined) return { type: 'unix', path: m[4], wait };
  const port = Number(m[3]);
  if (port > 65535) throw new UserError(`-qmp ${spec}: port ${port} is out of range`);
  return { type: 'tcp', host: m[2] || '127.0.0.1', port, wait };
}

/**
 * QMP on a socket: every client gets its own session (greeting, negotiation,
 * commands), and all of them the machine's events. With `wait`, resolves
 * once the first client has connected, as QEMU holds the guest until then.
 */
export async function listenQmp(
  monitor: Monitor,
  spec: Exclude<QmpSpec, { type: 'stdio' }>,
  identity: QmpIdentity,
): Promise<QmpServer> {
  const events = new QmpEvents(monitor.machine);
  const sockets = new Set<Socket>();
  let firstClient!: () => void;
  const connected = new Promise<void>((resolve) => {
    firstClient = resolve;
  });
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session = new QmpSession(monitor, identity, events, (text) => socket.write(`${text}\r\n`));
    socket.on('data', (chunk: string) => session.feed(chunk));
    socket.on('close', () => {
      sockets.delete(socket);
      session.close();
    });
    socket.on('error', () => socket.destroy());
    session.greet();
    firstClient();
  });
  const where = spec.type === 'tcp' ? `tcp:${spec.host}:${spec.port}` : `unix:${spec.path}`;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UserError(`-qmp ${where}: ${err.message}`)));
    if (spec.type === 'tcp') server.listen(spec.port, spec.host, () => resolve());
    else server.listen(spec.path, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : null;
  // The guest must not reach QMP through user-mode networking's gateway.
  const container = monitor.machine.container;
  const listeners = container.isBound(Tokens.HostListeners)
    ? container.get<HostListeners>(Tokens.HostListeners)
    : null;
  if (port !== null) listeners?.add(port, 'qmp');
  if (spec.wait) await connected;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if (port !== null) listeners?.delete(port);
        // end, not destroy: the SHUTDOWN event written just before must reach the client.
        for (const s of sockets) {
          s.end();
          setTimeout(() => s.destroy(), 200).unref();
        }
        server.close(() => {
          if (spec.type === 'unix') rmSync(spec.path, { force: true });
          resolve();
        });
      }),
  };
}

/**
 * `-qmp stdio`: one QMP session on `input` and `output` (the process's own),
 * greeted at once; the run's other output goes to stderr. The session ends
 * with the input, as QEMU's does.
 */
export function qmpOnStdio(
  monitor: Monitor,
  identity: QmpIdentity,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): QmpServer {
  const session = new QmpSession(monitor, identity, new QmpEvents(monitor.machine), (text) =>
    output.write(`${text}\r\n`),
  );
  const onData = (chunk: Buffer | string) => session.feed(String(chunk));
  input.on('data', onData);
  input.once('end', () => session.close());
  session.greet();
  return {
    port: null,
    close: async () => {
      input.off('data', onData);
      input.pause();
      session.close();
    },
  };
}
