import dgram from 'node:dgram';
import net from 'node:net';
import { parseIp } from './bytes.js';
import type { HostFwd } from './options.js';
import type { Stack } from './stack.js';
import type { TcpNat } from './tcp-nat.js';

interface UdpPeer {
  key: string;
  gatewayPort: number;
  lastUsed: number;
}

/**
 * The host side of `hostfwd` rules: a listening socket per rule. TCP
 * connections become connections from the gateway to the guest's port; UDP
 * peers each get a gateway port, so the guest's replies find their way back.
 */
export class HostForwarder {
  private readonly servers: net.Server[] = [];
  private readonly udpSockets: dgram.Socket[] = [];
  private readonly udpPeers = new Map<string, UdpPeer>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly stack: Stack,
    private readonly tcp: TcpNat,
  ) {}

  /** Opens every rule's listener; rejects naming the rule that could not listen. */
  async open(rules: HostFwd[]): Promise<void> {
    for (const rule of rules) await (rule.proto === 'tcp' ? this.openTcp(rule) : this.openUdp(rule));
  }

  /** The host ports actually bound, in rule order (useful with hostport 0). */
  boundPorts(): number[] {
    return [...this.servers, ...this.udpSockets].map((s) => {
      const a = s.address();
      return a && typeof a === 'object' ? a.port : 0;
    });
  }

  close(): void {
    for (const s of this.servers) s.close();
    for (const s of this.udpSockets) s.close();
    for (const p of this.udpPeers.values()) this.stack.unbindGatewayUdp(p.gatewayPort);
    this.udpPeers.clear();
    if (this.sweeper) clearInterval(this.sweeper);
  }

  private guestIp(rule: HostFwd): number {
    return rule.guestAddr ? parseIp(rule.guestAddr)! : this.stack.vnet.dhcpStart;
  }

  private async openTcp(rule: HostFwd): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.tcp.forward(socket, this.guestIp(rule), rule.guestPort),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new Error(`slirp: hostfwd tcp ${rule.hostAddr}:${rule.hostPort}: cannot listen: ${err.message}`),
        ),
      );
      server.listen(rule.hostPort, rule.hostAddr, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (err) => this.stack.log(`hostfwd: ${err.message}`));
    this.servers.push(server);
  }

  private async openUdp(rule: HostFwd): Promise<void> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) =>
        reject(
          new Error(`slirp: hostfwd udp ${rule.hostAddr}:${rule.hostPort}: cannot bind: ${err.message}`),
        ),
      );
      socket.bind(rule.hostPort, rule.hostAddr, () => resolve());
    });
    socket.removeAllListeners('error');
    socket.on('error', (err) => this.stack.log(`hostfwd: ${err.message}`));
    socket.on('message', (msg, rinfo) => {
      const key = `${rule.hostPort}/${rinfo.address}/${rinfo.port}`;
      let peer = this.udpPeers.get(key);
      if (!peer) {
        if (this.udpPeers.size >= this.stack.config.limits.maxUdpSockets) return;
        const gatewayPort = this.stack.bindGatewayUdp((_ip, _port, payload) => {
          const p = this.udpPeers.get(key);
          if (p) p.lastUsed = performance.now();
          socket.send(Buffer.from(payload), rinfo.port, rinfo.address);
        });
        peer = { key, gatewayPort, lastUsed: performance.now() };
        this.udpPeers.set(key, peer);
        this.startSweeper();
      }
      peer.lastUsed = performance.now();
      this.stack.sendUdp(this.stack.vnet.host, peer.gatewayPort, this.guestIp(rule), rule.guestPort, msg);
    });
    this.udpSockets.push(socket);
  }

  /** Forgets UDP peers silent for `udpTimeout` seconds of host time. */
  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const limit = performance.now() - this.stack.config.udpTimeout * 1000;
      for (const p of [...this.udpPeers.values()]) {
        if (p.lastUsed >= limit) continue;
        this.udpPeers.delete(p.key);
        this.stack.unbindGatewayUdp(p.gatewayPort);
      }
    }, 1000);
    this.sweeper.unref();
  }
}
