import { networkInterfaces } from 'node:os';
import type { Clock, NetworkBackend, NetworkClient, NetworkPort } from '@plugboard/core';
import { FrameQueue } from '@plugboard/net';
import { buildArpReply, parseArp } from './arp.js';
import { be16, ipToString, parseIp } from './bytes.js';
import { resolveNet, type SlirpConfig, type VirtualNet } from './config.js';
import { DHCP_SERVER_PORT, DhcpServer } from './dhcp.js';
import { DNS_PORT, DnsForwarder } from './dns.js';
import { HostForwarder } from './host-forwarder.js';
import { echoReply } from './icmp.js';
import { buildIpv4, type Ipv4Packet, PROTO_ICMP, PROTO_TCP, PROTO_UDP, parseIpv4 } from './ipv4.js';
import { type HostFwd, parseHostFwd } from './options.js';
import { Reassembler } from './reassembly.js';
import { BROADCAST_MAC, type GatewayUdpHandler, LOOPBACK, SLIRP_MAC, type Stack } from './stack.js';
import { TcpNat } from './tcp-nat.js';
import { TFTP_PORT, TftpServer } from './tftp.js';
import { buildUdp, parseUdp } from './udp.js';
import { UdpNat } from './udp-nat.js';
import { VirtualTimers } from './virtual-timers.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ARP_REQUEST = 1;
/** Gateway UDP ports for TFTP transfers and forwarded UDP peers. */
const GATEWAY_PORT_FIRST = 33000;
const GATEWAY_PORT_LAST = 48999;

export interface SlirpOptions {
  config: SlirpConfig;
  clock: Clock;
  /** Directory the TFTP folder resolves against. */
  tftpRoot?: string | null;
  log?: (message: string) => void;
  /**
   * The host ports the emulator itself listens on (core's HostListeners):
   * guest connections to them through the gateway, or to the host's own
   * addresses, are refused.
   */
  emulatorPorts?: { get(port: number): string | undefined } | null;
}

/**
 * QEMU's user-mode network without root rights: the guest sees a router at
 * 10.0.2.2 with DHCP, DNS at 10.0.2.3, TFTP, and reaches the host and the
 * world through ordinary host sockets (TCP and UDP NAT), plus host ports
 * forwarded into the guest.
 *
 * Frames answering a guest frame (ARP, ping, DHCP, TCP) are never delivered
 * inside the NIC's `send`: they wait for a virtual-time timer armed at `now`,
 * which fires after the CPU slice, so replies are deterministic. Frames caused
 * by host sockets are delivered from Node's event loop, between slices.
 */
export class Slirp implements NetworkBackend, Stack {
  readonly config: SlirpConfig;
  readonly vnet: VirtualNet;
  readonly clock: Clock;
  readonly timers: VirtualTimers;
  readonly dhcp: DhcpServer;
  readonly dns: DnsForwarder;
  readonly udp: UdpNat;
  readonly tcp: TcpNat;
  readonly tftp: TftpServer;
  readonly forwarder: HostForwarder;
  readonly reassembler: Reassembler;
  /** Guest frames dropped as malformed or unroutable. */
  dropped = 0;
  private readonly forwards: HostFwd[];
  private readonly out: FrameQueue;
  private readonly flushTimer;
  private readonly gatewayUdp = new Map<number, GatewayUdpHandler>();
  private nextGatewayPort = GATEWAY_PORT_FIRST;
  private client: NetworkClient | null = null;
  /** Guest packets refused because they were for the emulator's own listeners. */
  deniedCount = 0;
  private inSend = false;
  /** A TCP connection found the queue backlogged and waits for `outputReady`. */
  private outputWaiting = false;
  private guestMac: Uint8Array | null = null;
  private learnedIp: number | null = null;
  private ipId = 0;
  private readonly logger: (message: string) => void;
  private readonly emulatorPorts: { get(port: number): string | undefined } | null;
  /** The host's own IPv4 addresses: reaching one from the guest reaches the host as the gateway does. */
  private readonly hostAddresses: Set<number>;

  constructor(
    readonly id: string,
    options: SlirpOptions,
  ) {
    this.config = options.config;
    this.vnet = resolveNet(options.config);
    this.forwards = options.config.hostfwd.map(parseHostFwd);
    this.clock = options.clock;
    this.logger = options.log ?? (() => {});
    this.emulatorPorts = options.emulatorPorts ?? null;
    this.hostAddresses = ownAddresses();
    this.timers = new VirtualTimers(options.clock);
    this.out = new FrameQueue(options.config.limits.queueFrames, options.config.limits.queueFrames * 1514);
    this.flushTimer = this.timers.create(() => this.flush());
    this.reassembler = new Reassembler(16, options.config.limits.fragmentMemory);
    this.dhcp = new DhcpServer(this);
    this.dns = new DnsForwarder(this);
    this.udp = new UdpNat(this);
    this.tcp = new TcpNat(this, (dst, port) => this.tcpTarget(dst, port));
    this.tftp = new TftpServer(this, options.tftpRoot ?? null);
    this.forwarder = new HostForwarder(this, this.tcp);
  }

  /** Opens the forwarded host ports. */
  async open(): Promise<void> {
    await this.forwarder.open(this.forwards);
  }

  /** The guest's address once learned (ARP or IP), else the first DHCP address. */
  get guestIp(): number {
    return this.learnedIp ?? this.vnet.dhcpStart;
  }

  /** Frames for the guest dropped because its NIC's queue was full. */
  get queueDropped(): number {
    return this.out.dropped;
  }

  connect(client: NetworkClient): NetworkPort {
    if (this.client) throw new Error(`slirp netdev ${this.id} already has a NIC; put a hub between several`);
    this.client = client;
    return {
      send: (frame) => this.send(frame),
      receiveReady: () => this.flush(),
      disconnect: () => {
        if (this.client === client) this.client = null;
        this.out.clear();
      },
    };
  }

  /** Guest reset: leases and learned addresses go, connections stay with their host sockets until they time out. */
  reset(): void {
    this.dhcp.reset();
    this.reassembler.clear();
    this.guestMac = null;
    this.learnedIp = null;
  }

  close(): void {
    this.forwarder.close();
    this.tcp.close();
    this.udp.close();
    this.dns.close();
    this.tftp.close();
    this.timers.clear();
    this.out.clear();
    this.client = null;
  }

  info(): string {
    return [
      `slirp ${this.id}: net ${ipToString(this.vnet.network)}/${this.vnet.prefix}, guest ${ipToString(this.guestIp)}${this.config.restrict ? ', restricted' : ''}`,
      `  ${this.tcp.size} tcp, ${this.udp.size} udp, ${this.dns.inFlight} dns, ${this.tftp.active} tftp; dropped ${this.dropped} in, ${this.out.dropped} out; ${this.out.length} frames waiting for the NIC`,
      ...this.tcp.describe().map((l) => `  ${l}`),
    ].join('\n');
  }

  log(message: string): void {
    this.logger(message);
  }

  outputBacklogged(): boolean {
    const backlogged = this.out.length * 2 >= this.out.maxFrames;
    if (backlogged) this.outputWaiting = true;
    return backlogged;
  }

  sendIp(proto: number, src: number, dst: number, payload: Uint8Array, toMac?: Uint8Array): void {
    this.ipId = (this.ipId + 1) & 0xffff;
    const mac = toMac ?? this.guestMac ?? BROADCAST_MAC;
    for (const f of buildIpv4(proto, src, dst, this.ipId, payload)) {
      f.set(mac, 0);
      f.set(SLIRP_MAC, 6);
      f[12] = ETHERTYPE_IPV4 >> 8;
      f[13] = ETHERTYPE_IPV4 & 0xff;
      this.emit(f.length < 60 ? padded(f) : f);
    }
  }

  sendUdp(
    src: number,
    srcPort: number,
    dst: number,
    dstPort: number,
    payload: Uint8Array,
    toMac?: Uint8Array,
  ): void {
    this.sendIp(PROTO_UDP, src, dst, buildUdp(src, srcPort, dst, dstPort, payload), toMac);
  }

  bindGatewayUdp(handler: GatewayUdpHandler): number {
    for (let tries = 0; tries <= GATEWAY_PORT_LAST - GATEWAY_PORT_FIRST; tries++) {
      const port = this.nextGatewayPort;
      this.nextGatewayPort = port === GATEWAY_PORT_LAST ? GATEWAY_PORT_FIRST : port + 1;
      if (!this.gatewayUdp.has(port)) {
        this.gatewayUdp.set(port, handler);
        return port;
      }
    }
    throw new Error('slirp: no free gateway UDP port');
  }

  unbindGatewayUdp(port: number): void {
    this.gatewayUdp.delete(port);
  }

  /** A frame from the guest. */
  send(frame: Uint8Array): void {
    this.inSend = true;
    try {
      this.input(frame);
    } finally {
      this.inSend = false;
    }
  }

  private input(frame: Uint8Array): void {
    if (frame.length < 14 || frame[6]! & 1) {
      this.dropped++;
      return;
    }
    if (!sameMac(frame, BROADCAST_MAC) && !sameMac(frame, SLIRP_MAC)) return;
    const type = be16(frame, 12);
    const body = frame.subarray(14);
    if (type === ETHERTYPE_ARP) this.onArp(frame, body);
    else if (type === ETHERTYPE_IPV4) this.onIpv4(frame, body);
  }

  private learnMac(frame: Uint8Array): void {
    if (!this.guestMac) this.guestMac = new Uint8Array(6);
    this.guestMac.set(frame.subarray(6, 12));
  }

  private isGuestAddress(ip: number): boolean {
    const v = this.vnet;
    return (
      (ip & v.mask) >>> 0 === v.network &&
      ip !== v.network &&
      ip !== v.broadcast &&
      ip !== v.host &&
      ip !== v.dns
    );
  }

  private onArp(frame: Uint8Array, body: Uint8Array): void {
    const arp = parseArp(body);
    if (!arp) {
      this.dropped++;
      return;
    }
    if (this.isGuestAddress(arp.senderIp)) {
      this.learnMac(frame);
      this.learnedIp = arp.senderIp;
    }
    // Only the service addresses answer: answering others would fail the guest's duplicate-address probes.
    if (arp.op === ARP_REQUEST && (arp.targetIp === this.vnet.host || arp.targetIp === this.vnet.dns)) {
      this.emit(buildArpReply(SLIRP_MAC, arp.targetIp, arp.senderMac, arp.senderIp));
    }
  }

  private onIpv4(frame: Uint8Array, body: Uint8Array): void {
    let ip = parseIpv4(body);
    if (!ip || ip.src === 0xffffffff || ip.src >>> 28 === 0xe) {
      this.dropped++;
      return;
    }
    this.learnMac(frame);
    if (this.isGuestAddress(ip.src)) this.learnedIp = ip.src;
    if (ip.moreFragments || ip.fragOffset > 0) {
      const whole = this.reassembler.add(ip, this.clock.now);
      if (!whole) return;
      ip = { ...ip, fragOffset: 0, moreFragments: false, payload: whole };
    }
    switch (ip.proto) {
      case PROTO_ICMP:
        this.onIcmp(ip);
        return;
      case PROTO_UDP:
        this.onUdp(ip);
        return;
      case PROTO_TCP:
        this.tcp.input(ip);
        return;
      default:
        this.dropped++;
    }
  }

  private onIcmp(ip: Ipv4Packet): void {
    if (ip.dst !== this.vnet.host && ip.dst !== this.vnet.dns) return;
    const reply = echoReply(ip.payload);
    if (reply) this.sendIp(PROTO_ICMP, ip.dst, ip.src, reply);
    else this.dropped++;
  }

  private onUdp(ip: Ipv4Packet): void {
    const u = parseUdp(ip.src, ip.dst, ip.payload);
    if (!u) {
      this.dropped++;
      return;
    }
    const v = this.vnet;
    if (u.dstPort === DHCP_SERVER_PORT) {
      if (ip.dst === 0xffffffff || ip.dst === v.host || ip.dst === v.broadcast) this.dhcp.handle(u.payload);
      return;
    }
    if (ip.dst === v.dns && u.dstPort === DNS_PORT) {
      this.dns.handle(ip.src, u.srcPort, u.payload);
      return;
    }
    if (ip.dst === v.host && u.dstPort === TFTP_PORT) {
      this.tftp.handleRequest(ip.src, u.srcPort, u.payload);
      return;
    }
    const gateway = ip.dst === v.host ? this.gatewayUdp.get(u.dstPort) : undefined;
    if (gateway) {
      gateway(ip.src, u.srcPort, u.payload);
      return;
    }
    const inside = (ip.dst & v.mask) >>> 0 === v.network;
    if (this.config.restrict || ip.dst >>> 28 >= 0xe || (inside && ip.dst !== v.host)) return;
    if (this.toEmulator(ip.dst, u.dstPort)) return;
    this.udp.send(ip.src, u.srcPort, ip.dst === v.host ? LOOPBACK : ip.dst, u.dstPort, u.payload);
  }

  /** A guest packet to `dst:port` would reach one of the emulator's own listeners: refused, and said once. */
  private toEmulator(dst: number, port: number): boolean {
    if (dst !== this.vnet.host && !this.hostAddresses.has(dst)) return false;
    const what = this.emulatorPorts?.get(port);
    if (what === undefined) return false;
    this.deniedCount++;
    if (this.deniedCount === 1)
      this.log(`refused a guest connection to the emulator's own ${what} (port ${port})`);
    return true;
  }

  private tcpTarget(dst: number, port: number): { host: string; port: number } | null {
    const v = this.vnet;
    if (this.config.restrict || this.toEmulator(dst, port)) return null;
    if (dst === v.host) return { host: '127.0.0.1', port };
    if (dst === v.dns && port === DNS_PORT) return this.dns.resolverAddress;
    if ((dst & v.mask) >>> 0 === v.network || dst >>> 28 >= 0xe || dst === 0) return null;
    return { host: ipToString(dst), port };
  }

  private emit(frame: Uint8Array): void {
    const client = this.client;
    if (!client) return;
    if (this.inSend) {
      this.out.push(frame);
      if (!this.flushTimer.armed) this.flushTimer.armIn(0);
    } else {
      this.out.deliver(client, frame);
    }
  }

  private flush(): void {
    if (!this.client) return;
    this.out.flush(this.client);
    if (this.outputWaiting && this.out.length * 2 < this.out.maxFrames) {
      this.outputWaiting = false;
      this.tcp.outputReady();
    }
  }
}

function sameMac(frame: Uint8Array, mac: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (frame[i] !== mac[i]) return false;
  return true;
}

function padded(f: Uint8Array): Uint8Array {
  const p = new Uint8Array(60);
  p.set(f);
  return p;
}

function ownAddresses(): Set<number> {
  const all = new Set<number>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      const ip = a.family === 'IPv4' ? parseIp(a.address) : null;
      if (ip !== null) all.add(ip);
    }
  }
  return all;
}
