import type { NetworkBackend, NetworkClient, NetworkPort } from '../net/network.js';
import type { InputGate, RunPosition } from './host-inputs.js';
import { EntryKind, type LogHeader, LogWriter } from './log-format.js';

type Attached = Parameters<InputGate['attach']>[0];

/** A NIC behind the gate: frames from its backend wait here until a sync point. */
interface NicLink {
  channel: number;
  nic: NetworkClient;
  port: NetworkPort;
  /** Frames of this NIC in the queue: the backend holds the rest (its bounded queue). */
  waiting: number;
  /** The NIC refused the frame at the head: try again once it says `receiveReady`. */
  blocked: boolean;
}

type Held =
  | { channel: number; deliver: (data: Uint8Array) => void; data: Uint8Array; link?: undefined }
  | { link: NicLink; frame: Uint8Array | null; up?: boolean };

const NO_PAYLOAD = new Uint8Array(0);
/** The first payload byte of a network channel's input. */
export const NetInput = { Frame: 0, LinkDown: 1, LinkUp: 2 } as const;

/**
 * `--record`: host input waits in one queue, in arrival order, and the run
 * loop's sync point delivers and logs it; a halted CPU's waits on host time
 * are logged too, and the run's end.
 */
export class Recorder implements InputGate {
  readonly mode = 'record';
  private readonly writer: LogWriter;
  private machine: Attached | null = null;
  private queue: Held[] = [];
  private channels = 0;
  private readonly names = new Set<string>();

  constructor(file: string, header: LogHeader) {
    this.writer = new LogWriter(file, header);
  }

  attach(machine: Attached): void {
    this.machine = machine;
  }

  private position(): RunPosition {
    return this.machine?.position() ?? { instructions: 0, time: 0 };
  }

  private log(kind: EntryKind, channel: number, payload: Uint8Array = NO_PAYLOAD): void {
    const { instructions, time } = this.position();
    this.writer.append({ kind, channel, instructions, time, payload });
  }

  private open(name: string): number {
    if (this.names.has(name)) throw new Error(`input channel ${name} opened twice`);
    this.names.add(name);
    const id = this.channels++;
    this.log(EntryKind.Channel, id, new TextEncoder().encode(name));
    return id;
  }

  channel(name: string, deliver: (data: Uint8Array) => void): (data: Uint8Array) => void {
    const channel = this.open(name);
    return (data) => {
      if (data.length === 0) return;
      this.queue.push({ channel, deliver, data: data.slice() });
      this.machine?.wake();
    };
  }

  hostValue(name: string, read: () => number): number {
    const value = read();
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setFloat64(0, value, true);
    this.log(EntryKind.Value, this.open(name), payload);
    return value;
  }

  network(id: string, backend: NetworkBackend | null): NetworkBackend {
    if (backend === null) throw new Error(`netdev ${id}: recording needs the backend`);
    let connections = 0;
    return {
      id,
      connect: (nic) => {
        const link = {
          channel: this.open(`net:${id}#${connections++}`),
          nic,
          waiting: 0,
          blocked: false,
        } as NicLink;
        link.port = backend.connect({
          receive: (frame) => {
            link.waiting++;
            this.queue.push({ link, frame: frame.slice() });
            this.machine?.wake();
          },
          // One frame at a time waits here; the backend's own queue holds the rest.
          canReceive: () => link.waiting === 0,
          linkChanged: (up) => {
            this.queue.push({ link, frame: null, up });
            this.machine?.wake();
          },
        });
        return {
          send: (frame) => link.port.send(frame),
          receiveReady: () => {
            link.blocked = false;
            link.port.receiveReady();
          },
          disconnect: () => link.port.disconnect(),
        };
      },
      close: () => backend.close(),
    };
  }

  sync(): void {
    if (this.queue.length === 0) return;
    const kept: Held[] = [];
    // Delivering a frame lets its backend hand over the next one, appended here and delivered in this pass.
    for (let i = 0; i < this.queue.length; i++) {
      const held = this.queue[i];
      if (held.link === undefined) {
        this.log(EntryKind.Input, held.channel, held.data);
        held.deliver(held.data);
        continue;
      }
      const link = held.link;
      if (link.blocked) {
        kept.push(held);
        continue;
      }
      if (held.frame === null) {
        this.log(EntryKind.Input, link.channel, Uint8Array.of(held.up ? NetInput.LinkUp : NetInput.LinkDown));
        link.nic.linkChanged?.(held.up ?? false);
        continue;
      }
      if (!link.nic.canReceive()) {
        this.log(EntryKind.Refused, link.channel);
        link.blocked = true;
        kept.push(held);
        continue;
      }
      const payload = new Uint8Array(held.frame.length + 1);
      payload[0] = NetInput.Frame;
      payload.set(held.frame, 1);
      this.log(EntryKind.Input, link.channel, payload);
      link.waiting--;
      link.nic.receive(held.frame);
      link.port.receiveReady();
    }
    this.queue = kept;
  }

  instructionsUntilNext(): number {
    return Number.POSITIVE_INFINITY;
  }

  idle(): null {
    this.log(EntryKind.Idle, 0);
    return null;
  }

  finish(event: { reason: string; exitCode: number }): void {
    this.log(EntryKind.End, 0, new TextEncoder().encode(JSON.stringify(event)));
    this.writer.flush();
  }

  close(): void {
    this.writer.close();
  }
}
