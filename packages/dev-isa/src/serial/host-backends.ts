import { closeSync, openSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { EscapeDecoder, type HostTerminalService } from '@plugboard/core';
import { OutputBuffer } from '../host/output-buffer.js';
import type { SerialBackend } from './backend.js';

/**
 * The terminal: output to stdout, input from stdin (raw when it is a TTY),
 * with QEMU's Ctrl-A x to quit when `onExit` is given.
 */
export function stdioBackend(onExit?: () => void): SerialBackend {
  const out = new OutputBuffer((chunk) => process.stdout.write(chunk));
  let onData: ((chunk: Buffer) => void) | null = null;
  let wasRaw = false;
  return {
    write: (byte) => out.push(byte),
    attach(receive) {
      const escapes = onExit ? new EscapeDecoder({ data: receive, quit: onExit }) : null;
      onData = (chunk) => (escapes ? escapes.feed(chunk) : receive(chunk));
      if (process.stdin.isTTY) {
        wasRaw = process.stdin.isRaw;
        process.stdin.setRawMode(true);
      }
      process.stdin.on('data', onData);
      process.stdin.resume();
    },
    close() {
      out.flush();
      if (onData) {
        process.stdin.off('data', onData);
        process.stdin.pause();
        if (process.stdin.isTTY) process.stdin.setRawMode(wasRaw);
      }
    },
  };
}

/** The front end's terminal (`Tokens.HostTerminal`): it owns stdin and its escapes, this is one console on it. */
export function terminalBackend(terminal: HostTerminalService): SerialBackend {
  const out = new OutputBuffer((chunk) => terminal.write(chunk));
  let attached: ((data: Uint8Array) => void) | null = null;
  return {
    write: (byte) => out.push(byte),
    attach(receive) {
      attached = receive;
      terminal.attach(receive);
    },
    close() {
      out.flush();
      if (attached) terminal.detach(attached);
    },
  };
}

/** Output appended to a file (truncated at start); no input. */
export function fileBackend(path: string): SerialBackend {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new Error(`serial backend file ${path}: ${(err as Error).message}`);
  }
  const out = new OutputBuffer((chunk) => writeSync(fd, chunk));
  return {
    write: (byte) => out.push(byte),
    attach() {},
    close() {
      out.flush();
      closeSync(fd);
    },
  };
}

/**
 * A TCP server with one client at a time (like QEMU's `-serial tcp::PORT,server`).
 * Output while no client is connected is dropped. With `wait`, `ready`
 * resolves only once the first client connects.
 */
export function tcpBackend(
  host: string,
  port: number,
  wait: boolean,
): { backend: SerialBackend; ready: Promise<void>; port: () => number } {
  let client: Socket | null = null;
  let receive: ((data: Uint8Array) => void) | null = null;
  const out = new OutputBuffer((chunk) => client?.write(chunk));
  let connected!: () => void;
  const firstClient = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const server: Server = createServer((socket) => {
    if (client) {
      socket.end('serial port busy\r\n');
      return;
    }
    client = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => receive?.(chunk));
    socket.on('close', () => {
      if (client === socket) client = null;
    });
    socket.on('error', () => socket.destroy());
    connected();
  });
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`serial backend tcp ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const backend: SerialBackend = {
    write: (byte) => {
      if (client) out.push(byte);
    },
    attach(r) {
      receive = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        out.flush();
        client?.destroy();
        server.close(() => resolve());
      }),
  };
  const ready = wait ? listening.then(() => firstClient) : listening;
  const boundPort = () => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };
  return { backend, ready, port: boundPort };
}

/** A TCP client (QEMU's `-serial tcp:HOST:PORT` without `server`): connects at start, output dropped while down. */
export function tcpClientBackend(
  host: string,
  port: number,
): { backend: SerialBackend; ready: Promise<void> } {
  let receive: ((data: Uint8Array) => void) | null = null;
  let open = false;
  const socket = connect(port, host);
  const out = new OutputBuffer((chunk) => {
    if (open) socket.write(chunk);
  });
  socket.setNoDelay(true);
  socket.on('data', (chunk) => receive?.(chunk));
  socket.on('close', () => {
    open = false;
  });
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      open = true;
      socket.on('error', () => socket.destroy());
      resolve();
    });
    socket.once('error', (err) => reject(new Error(`serial backend tcp ${host}:${port}: ${err.message}`)));
  });
  return {
    backend: {
      write: (byte) => {
        if (open) out.push(byte);
      },
      attach(r) {
        receive = r;
      },
      close() {
        out.flush();
        socket.destroy();
      },
    },
    ready,
  };
}
