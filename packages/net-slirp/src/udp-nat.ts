import dgram from 'node:dgram';
import { ipToString, parseIp } from './bytes.js';
import { LOOPBACK, type Stack } from './stack.js';

interface Binding {
  key: number;
  guestIp: number;
  guestPort: number;
  socket: dgram.Socket;
  lastUsed: number;
}

/** Datagrams queued in one host socket before further guest sends are dropped. */
const MAX_SEND_QUEUE = 64;

/**
 * UDP from the guest to the world through one host socket per guest source
 * port, as QEMU does. Replies from 127.0.0.1 appear to come from the gateway.
 * A binding silent for `udpTimeout` seconds of host time is closed (host
 * time: it holds a host resource, and virtual time may leap while the guest idles).
 */
export class UdpNat {
  private readonly bindings = new Map<number, Binding>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly stack: Stack) {}

  get size(): number {
    return this.bindings.size;
  }

  /**
   * Sends a guest datagram to `hostIp:dstPort`; dropped when the socket limit
   * is reached, and when the host refuses it: port 0, a datagram too large,
   * an address the host cannot send to (Node's `send` throws for these at once).
   */
  send(guestIp: number, guestPort: number, hostIp: number, dstPort: number, payload: Uint8Array): void {
    if (dstPort === 0) return;
    const key = guestIp * 65536 + guestPort;
    let b = this.bindings.get(key);
    if (!b) {
      if (this.bindings.size >= this.stack.config.limits.maxUdpSockets) return;
      b = this.open(key, guestIp, guestPort);
    }
    b.lastUsed = performance.now();
    if (b.socket.getSendQueueCount() >= MAX_SEND_QUEUE) return;
    try {
      b.socket.send(Buffer.from(payload), dstPort, ipToString(hostIp));
    } catch (err) {
      this.stack.log(`udp ${guestPort} -> ${ipToString(hostIp)}:${dstPort}: ${(err as Error).message}`);
    }
  }

  close(): void {
    for (const b of this.bindings.values()) b.socket.close();
    this.bindings.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private open(key: number, guestIp: number, guestPort: number): Binding {
    const socket = dgram.createSocket('udp4');
    const b: Binding = { key, guestIp, guestPort, socket, lastUsed: performance.now() };
    socket.on('error', (err) => {
      this.stack.log(`udp ${guestPort}: ${err.message}`);
      this.drop(b);
    });
    socket.on('message', (msg, rinfo) => {
      const from = parseIp(rinfo.address);
      if (from === null) return;
      b.lastUsed = performance.now();
      const src = from === LOOPBACK ? this.stack.vnet.host : from;
      this.stack.sendUdp(src, rinfo.port, b.guestIp, b.guestPort, msg);
    });
    this.bindings.set(key, b);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), 1000);
      this.sweeper.unref();
    }
    return b;
  }

  private sweep(): void {
    const limit = performance.now() - this.stack.config.udpTimeout * 1000;
    for (const b of [...this.bindings.values()]) if (b.lastUsed < limit) this.drop(b);
    if (this.bindings.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private drop(b: Binding): void {
    if (this.bindings.get(b.key) !== b) return;
    this.bindings.delete(b.key);
    b.socket.close();
  }
}
