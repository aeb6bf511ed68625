import { connect, type Socket } from 'node:net';

// A QMP client for tests: plain JSON over the socket, as QEMU's python client speaks it.

export type Json = Record<string, unknown>;

/** A QMP client: every JSON line received, in order; `next` takes the first not yet taken that matches. */
export class Client {
  private readonly lines: Json[] = [];
  private partial = '';
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\r\n');
      this.partial = parts.pop() ?? '';
      for (const p of parts) this.lines.push(JSON.parse(p) as Json);
    });
  }

  async next(match: (j: Json) => boolean = () => true): Promise<Json> {
    for (let i = 0; i < 1500; i++) {
      const at = this.lines.findIndex(match);
      if (at >= 0) return this.lines.splice(at, 1)[0];
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no such QMP message; have ${JSON.stringify(this.lines)}`);
  }

  /** Sends a command and resolves with its answer (the reply carrying its id). */
  async execute(execute: string, args?: Json): Promise<Json> {
    const id = `${execute}-${Math.random()}`;
    this.socket.write(`${JSON.stringify({ execute, ...(args ? { arguments: args } : {}), id })}\n`);
    return this.next((j) => j.id === id);
  }

  event(name: string): Promise<Json> {
    return this.next((j) => j.event === name);
  }
}

export async function open(path: string | number): Promise<Client> {
  const socket = typeof path === 'number' ? connect(path, '127.0.0.1') : connect(path);
  await new Promise((r) => socket.once('connect', r));
  return new Client(socket);
}
