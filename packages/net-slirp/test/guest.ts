import { Clock, type NetworkClient } from '@plugboard/core';
import { fold, pseudoSum, put16, put32, sum16 } from '../src/bytes.js';
import { Slirp, type SlirpConfig, type SlirpOptions, withDefaults } from '../src/index.js';

export const GUEST_MAC = new Uint8Array([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
export const SLIRP_MAC = new Uint8Array([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
export const GUEST_IP = ip('10.0.2.15');
export const HOST_IP = ip('10.0.2.2');
export const DNS_IP = ip('10.0.2.3');

export function ip(text: string): number {
  return text.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0);
}

/** Plays the guest by hand: crafts frames, collects what slirp sends back. */
export class Guest implements NetworkClient {
  received: Uint8Array[] = [];
  readonly clock = new Clock({ mode: 'instructions' });
  readonly slirp: Slirp;
  readonly port;

  constructor(
    config: Partial<SlirpConfig> = {},
    tftpRoot: string | null = null,
    emulatorPorts: SlirpOptions['emulatorPorts'] = null,
  ) {
    this.slirp = new Slirp('net0', {
      config: withDefaults(config),
      clock: this.clock,
      tftpRoot,
      emulatorPorts,
    });
    this.port = this.slirp.connect(this);
  }

  receive(frame: Uint8Array): void {
    this.received.push(frame.slice());
  }

  /** False plays a NIC whose receive ring is full: slirp queues for it until `port.receiveReady()`. */
  accepting = true;

  canReceive(): boolean {
    return this.accepting;
  }

  /** Sends a frame and lets the deferred replies through. */
  send(frame: Uint8Array): void {
    this.port.send(frame);
    this.clock.runDue();
  }

  advance(ns: number): void {
    this.clock.advanceTo(this.clock.now + ns);
    this.clock.runDue();
  }

  take(): Uint8Array[] {
    const r = this.received;
    this.received = [];
    return r;
  }

  close(): void {
    this.slirp.close();
  }
}

export function ethernet(type: number, body: Uint8Array, dst: Uint8Array = SLIRP_MAC): Uint8Array {
  const f = new Uint8Array(14 + body.length);
  f.set(dst, 0);
  f.set(GUEST_MAC, 6);
  put16(f, 12, type);
  f.set(body, 14);
  return f;
}

export function ipv4(
  proto: number,
  src: number,
  dst: number,
  payload: Uint8Array,
  opts: { id?: number; frag?: number; ttl?: number } = {},
): Uint8Array {
  const h = new Uint8Array(20 + payload.length);
  h[0] = 0x45;
  put16(h, 2, h.length);
  put16(h, 4, opts.id ?? 1);
  put16(h, 6, opts.frag ?? 0);
  h[8] = opts.ttl ?? 64;
  h[9] = proto;
  put32(h, 12, src);
  put32(h, 16, dst);
  put16(h, 10, fold(sum16(h, 0, 20)));
  h.set(payload, 20);
  return h;
}

export function udp(src: number, sport: number, dst: number, dport: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  put16(b, 0, sport);
  put16(b, 2, dport);
  put16(b, 4, b.length);
  b.set(payload, 8);
  put16(b, 6, fold(sum16(b, 0, b.length, pseudoSum(src, dst, 17, b.length))) || 0xffff);
  return b;
}

export function udpFrame(
  sport: number,
  dst: number,
  dport: number,
  payload: Uint8Array,
  src = GUEST_IP,
): Uint8Array {
  return ethernet(0x0800, ipv4(17, src, dst, udp(src, sport, dst, dport, payload)));
}

export function tcp(
  src: number,
  sport: number,
  dst: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  data: Uint8Array = new Uint8Array(0),
  mss = 0,
): Uint8Array {
  const hl = mss ? 24 : 20;
  const b = new Uint8Array(hl + data.length);
  put16(b, 0, sport);
  put16(b, 2, dport);
  put32(b, 4, seq);
  put32(b, 8, ack);
  b[12] = (hl / 4) << 4;
  b[13] = flags;
  put16(b, 14, window);
  if (mss) {
    b[20] = 2;
    b[21] = 4;
    put16(b, 22, mss);
  }
  b.set(data, hl);
  put16(b, 16, fold(sum16(b, 0, b.length, pseudoSum(src, dst, 6, b.length))));
  return b;
}

export function tcpFrame(...args: Parameters<typeof tcp>): Uint8Array {
  return ethernet(0x0800, ipv4(6, args[0], args[2], tcp(...args)));
}

export interface Parsed {
  type: number;
  dstMac: Uint8Array;
  src: number;
  dst: number;
  proto: number;
  l4: Uint8Array;
}

/** Reads an IPv4 frame slirp sent (its checksum verified). */
export function parseOut(f: Uint8Array): Parsed {
  const type = (f[12]! << 8) | f[13]!;
  const h = f.subarray(14);
  if (type !== 0x0800) return { type, dstMac: f.subarray(0, 6), src: 0, dst: 0, proto: 0, l4: h };
  if (fold(sum16(h, 0, 20)) !== 0) throw new Error('bad IP header checksum from slirp');
  const total = (h[2]! << 8) | h[3]!;
  const be32 = (a: number) => ((h[a]! << 24) | (h[a + 1]! << 16) | (h[a + 2]! << 8) | h[a + 3]!) >>> 0;
  return {
    type,
    dstMac: f.subarray(0, 6),
    src: be32(12),
    dst: be32(16),
    proto: h[9]!,
    l4: h.subarray(20, total),
  };
}

export function be16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

export function be32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
