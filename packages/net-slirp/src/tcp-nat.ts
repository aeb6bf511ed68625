import net from 'node:net';
import { ipToString } from './bytes.js';
import type { Ipv4Packet } from './ipv4.js';
import { PROTO_TCP } from './ipv4.js';
import type { Stack } from './stack.js';
import { TcpConnection, type TcpOwner } from './tcp-connection.js';
import { ACK, buildTcp, FIN, parseTcp, RST, SYN, seqAdd, type TcpSegment } from './tcp-segment.js';
import type { VirtualTimer } from './virtual-timers.js';

/** Where a guest connection goes on the host, or null to refuse it. */
export type TcpTarget = (dst: number, port: number) => { host: string; port: number } | null;

/** First source port the gateway uses for connections it opens toward the guest (forwards). */
const FORWARD_PORT_BASE = 49152;

/**
 * The table of TCP connections: demultiplexes guest segments, opens a host
 * socket per guest SYN (refusing with RST beyond the limit or where `target`
 * says no), and opens connections toward the guest for port forwards.
 */
export class TcpNat implements TcpOwner {
  private readonly conns = new Map<string, TcpConnection>();
  private nextIss = 0x1000;
  private nextPort = FORWARD_PORT_BASE;
  private readonly burst = new Set<TcpConnection>();
  private readonly burstTimer: VirtualTimer;

  constructor(
    readonly stack: Stack,
    private readonly target: TcpTarget,
  ) {
    this.burstTimer = stack.timers.create(() => {
      for (const c of [...this.burst]) c.endOfBurst();
      this.burst.clear();
    });
  }

  afterBurst(conn: TcpConnection): void {
    this.burst.add(conn);
    if (!this.burstTimer.armed) this.burstTimer.armIn(0);
  }

  /** The guest's NIC drained the backlog: connections holding segments back send them. */
  outputReady(): void {
    for (const c of this.conns.values()) c.outputReady();
  }

  get size(): number {
    return this.conns.size;
  }

  connections(): IterableIterator<TcpConnection> {
    return this.conns.values();
  }

  input(ip: Ipv4Packet): void {
    const seg = parseTcp(ip.src, ip.dst, ip.payload);
    if (!seg) return;
    const key = `${ip.src}:${seg.srcPort}>${ip.dst}:${seg.dstPort}`;
    const conn = this.conns.get(key);
    // A new SYN on a 4-tuple in TIME_WAIT starts a new connection (guests reuse ports quickly).
    if (conn && conn.state === 'TIME_WAIT' && (seg.flags & (SYN | ACK | RST)) === SYN) conn.destroy();
    else if (conn) {
      conn.onSegment(seg);
      return;
    }
    if (seg.flags & RST) return;
    if ((seg.flags & (SYN | ACK)) !== SYN) {
      this.refuse(ip, seg);
      return;
    }
    const to = this.target(ip.dst, seg.dstPort);
    if (!to || this.conns.size >= this.stack.config.limits.maxConnections) {
      this.refuse(ip, seg);
      return;
    }
    const socket = net.connect({ host: to.host, port: to.port, allowHalfOpen: true });
    const c = new TcpConnection(
      this,
      key,
      ip.src,
      seg.srcPort,
      ip.dst,
      seg.dstPort,
      socket,
      this.iss(),
      'CONNECTING',
    );
    c.acceptSyn(seg);
    this.conns.set(key, c);
  }

  /** A host connection accepted by a forward: open a connection to the guest's port. */
  forward(socket: net.Socket, guestIp: number, guestPort: number): void {
    if (this.conns.size >= this.stack.config.limits.maxConnections) {
      socket.destroy();
      return;
    }
    const localIp = this.stack.vnet.host;
    let key = '';
    let port = 0;
    for (let tries = 0; tries < 16384; tries++) {
      port = this.nextPort;
      this.nextPort = this.nextPort === 65535 ? FORWARD_PORT_BASE : this.nextPort + 1;
      key = `${guestIp}:${guestPort}>${localIp}:${port}`;
      if (!this.conns.has(key)) break;
    }
    this.conns.set(
      key,
      new TcpConnection(this, key, guestIp, guestPort, localIp, port, socket, this.iss(), 'SYN_SENT'),
    );
  }

  remove(conn: TcpConnection): void {
    if (this.conns.get(conn.key) === conn) this.conns.delete(conn.key);
  }

  close(): void {
    for (const c of [...this.conns.values()]) c.destroy();
    this.conns.clear();
  }

  describe(): string[] {
    return [...this.conns.values()].map(
      (c) =>
        `tcp ${ipToString(c.guestIp)}:${c.guestPort} <-> ${ipToString(c.localIp)}:${c.localPort} ${c.state}`,
    );
  }

  /** Initial sequence numbers from a counter, so a run repeats exactly. */
  private iss(): number {
    this.nextIss = (this.nextIss + 0x10000 * 7 + 1) >>> 0;
    return this.nextIss;
  }

  /** RFC 793's reset for a segment to no connection: a closed port, or a refused destination. */
  private refuse(ip: Ipv4Packet, seg: TcpSegment): void {
    const len = seg.data.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
    const rst =
      seg.flags & ACK
        ? buildTcp(ip.dst, seg.dstPort, ip.src, seg.srcPort, seg.ack, 0, RST, 0, null, 0)
        : buildTcp(ip.dst, seg.dstPort, ip.src, seg.srcPort, 0, seqAdd(seg.seq, len), RST | ACK, 0, null, 0);
    this.stack.sendIp(PROTO_TCP, ip.dst, ip.src, rst);
  }
}
