import dgram from 'node:dgram';
import net from 'node:net';
import type { NetworkBackend, NetworkClient, NetworkPort } from '@plugboard/core';
import { type HostPort, parseHostPort } from './address.js';
import { FrameQueue } from './frame-queue.js';
import { frameForStream, StreamDeframer } from './stream-framing.js';

export type SocketConfig = {
  listen?: string;
  connect?: string;
  udp?: string;
  mcast?: string;
  localaddr?: string;
  queueFrames: number;
  /** Bytes the host socket may hold unsent before frames from the NIC are dropped. */
  sendBuffer: number;
};

type Mode =
  | { kind: 'listen'; at: HostPort }
  | { kind: 'connect'; at: HostPort }
  | { kind: 'udp'; peer: HostPort; local: HostPort }
  | { kind: 'mcast'; group: HostPort; local: string | null };

export function socketMode(config: SocketConfig): Mode {
  const given = (['listen', 'connect', 'udp', 'mcast'] as const).filter((k) => config[k] !== undefined);
  if (given.length !== 1) {
    throw new Error(
      `socket: give exactly one of listen, connect, udp, mcast (got ${given.join(', ') || 'none'})`,
    );
  }
  if (config.listen !== undefined) return { kind: 'listen', at: parseHostPort(config.listen, 'listen') };
  if (config.connect !== undefined) return { kind: 'connect', at: parseHostPort(config.connect, 'connect') };
  if (config.udp !== undefined) {
    if (config.localaddr === undefined)
      throw new Error('socket: udp= needs localaddr=host:port to receive on');
    return {
      kind: 'udp',
      peer: parseHostPort(config.udp, 'udp'),
      local: parseHostPort(config.localaddr, 'localaddr'),
    };
  }
  return { kind: 'mcast', group: parseHostPort(config.mcast!, 'mcast'), local: config.localaddr ?? null };
}

/**
 * QEMU's `-net socket`: frames to another process over TCP (each frame
 * preceded by a 4-byte big-endian length, as QEMU does, so a QEMU machine can
 * be the peer), over UDP unicast, or over UDP multicast (one frame per
 * datagram). Host data arrives from Node's event loop, between CPU slices, so
 * delivery to the NIC never runs inside the NIC's own `send`.
 */
export class SocketBackend implements NetworkBackend {
  /** Frames from the NIC dropped: no peer yet, or the host socket's buffer full. */
  sendDropped = 0;
  private client: NetworkClient | null = null;
  private readonly queue: FrameQueue;
  private readonly deframer = new StreamDeframer();
  private server: net.Server | null = null;
  private stream: net.Socket | null = null;
  private udp: dgram.Socket | null = null;
  private mcastTx: dgram.Socket | null = null;
  private mcastTxPort = -1;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly mode: Mode,
    private readonly config: Pick<SocketConfig, 'queueFrames' | 'sendBuffer'>,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.queue = new FrameQueue(config.queueFrames);
  }

  /** Frames from the peer dropped because the NIC's queue was full. */
  get receiveDropped(): number {
    return this.queue.dropped;
  }

  get linkUp(): boolean {
    return this.stream !== null || this.udp !== null;
  }

  /** Opens the host socket; resolves once listening, connected or bound. */
  async open(): Promise<void> {
    const m = this.mode;
    if (m.kind === 'listen') {
      const server = net.createServer((s) => this.adopt(s));
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(m.at.port, m.at.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } else if (m.kind === 'connect') {
      const s = net.connect(m.at.port, m.at.host);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (err) =>
          reject(new Error(`socket ${this.id}: cannot connect to ${m.at.host}:${m.at.port}: ${err.message}`)),
        );
        s.once('connect', () => resolve());
      });
      s.removeAllListeners('error');
      this.adopt(s);
    } else {
      const u = dgram.createSocket({ type: 'udp4', reuseAddr: m.kind === 'mcast' });
      u.on('message', (msg, rinfo) => {
        if (m.kind === 'udp' && (rinfo.port !== m.peer.port || rinfo.address !== m.peer.host)) return;
        if (m.kind === 'mcast' && rinfo.port === this.mcastTxPort) return;
        this.fromPeer(msg);
      });
      u.on('error', (err) => this.log(`socket ${this.id}: ${err.message}`));
      const bindTo = m.kind === 'udp' ? m.local : { host: m.local ?? '0.0.0.0', port: m.group.port };
      await new Promise<void>((resolve, reject) => {
        u.once('error', reject);
        u.bind(bindTo.port, m.kind === 'udp' ? bindTo.host : undefined, () => {
          u.off('error', reject);
          resolve();
        });
      });
      this.udp = u;
      if (m.kind === 'mcast') {
        u.addMembership(m.group.host, m.local ?? undefined);
        // Frames go out from a socket of their own, so each member can tell its own frames (by source port) from others'.
        const tx = dgram.createSocket('udp4');
        tx.on('error', (err) => this.log(`socket ${this.id}: ${err.message}`));
        await new Promise<void>((resolve) => tx.bind(0, m.local ?? undefined, () => resolve()));
        tx.setMulticastLoopback(true);
        if (m.local) tx.setMulticastInterface(m.local);
        this.mcastTx = tx;
        this.mcastTxPort = tx.address().port;
      }
    }
  }

  /** The port a `listen` or `udp` socket got (useful with port 0). */
  get localPort(): number {
    const a = this.server?.address() ?? this.udp?.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  connect(client: NetworkClient): NetworkPort {
    if (this.client) throw new Error(`socket netdev ${this.id} already has a NIC; put a hub between several`);
    this.client = client;
    return {
      send: (frame) => this.toPeer(frame),
      receiveReady: () => {
        if (this.client !== client) return;
        this.queue.flush(client);
        if (this.queue.length === 0) this.stream?.resume();
      },
      disconnect: () => {
        if (this.client === client) this.client = null;
        this.queue.clear();
      },
    };
  }

  close(): void {
    this.closed = true;
    this.stream?.destroy();
    this.server?.close();
    this.udp?.close();
    this.mcastTx?.close();
    this.mcastTx = null;
    this.stream = null;
    this.server = null;
    this.udp = null;
  }

  private adopt(s: net.Socket): void {
    if (this.stream || this.closed) {
      s.destroy();
      return;
    }
    this.stream = s;
    this.deframer.reset();
    s.setNoDelay(true);
    s.on('data', (data) => {
      if (!this.deframer.push(data, (frame) => this.fromPeer(frame))) {
        this.log(`socket ${this.id}: frame length beyond ${4096 + 65536} from the peer; closing`);
        s.destroy();
      }
    });
    s.on('error', (err) => this.log(`socket ${this.id}: ${err.message}`));
    s.on('close', () => {
      if (this.stream !== s) return;
      this.stream = null;
      this.client?.linkChanged?.(false);
    });
    this.client?.linkChanged?.(true);
  }

  private fromPeer(frame: Uint8Array): void {
    const client = this.client;
    if (!client) return;
    this.queue.deliver(client, frame);
    // A stream peer waits while the NIC is full rather than losing frames, as QEMU stops reading the fd.
    if (this.queue.length > 0) this.stream?.pause();
  }

  private toPeer(frame: Uint8Array): void {
    const m = this.mode;
    if (this.stream) {
      if (this.stream.writableLength > this.config.sendBuffer) this.sendDropped++;
      else this.stream.write(frameForStream(frame));
    } else if (this.udp && m.kind !== 'listen' && m.kind !== 'connect') {
      const to = m.kind === 'udp' ? m.peer : m.group;
      const out = this.mcastTx ?? this.udp;
      if (out.getSendQueueCount() > this.config.queueFrames) {
        this.sendDropped++;
        return;
      }
      // dgram keeps a reference until sent, and the frame is only valid during this call.
      out.send(Buffer.from(frame), to.port, to.host);
    } else {
      this.sendDropped++;
    }
  }
}
