import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { be16, put16, put32 } from './bytes.js';
import type { Stack } from './stack.js';

export const DNS_PORT = 53;
const TYPE_A = 1;
const TYPE_ANY = 255;
const CLASS_IN = 1;
const RCODE_FORMERR = 1;
const RCODE_REFUSED = 5;

/** The first IPv4 nameserver of a resolv.conf text, or null. */
export function resolverFromResolvConf(text: string): string | null {
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (m) return m[1]!;
  }
  return null;
}

export function hostResolver(): { host: string; port: number } {
  try {
    const ip = resolverFromResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
    if (ip) return { host: ip, port: DNS_PORT };
  } catch {
    // No resolv.conf: fall back to a resolver on the host itself.
  }
  return { host: '127.0.0.1', port: DNS_PORT };
}

export interface DnsQuestion {
  id: number;
  /** Lower-cased dotted name. */
  name: string;
  type: number;
  cls: number;
  /** Offset just past the first question. */
  end: number;
}

/** The first question of a standard query; null when malformed (labels run off the end, pointers, a response). */
export function parseQuestion(b: Uint8Array): DnsQuestion | null {
  if (b.length < 12 || (b[2]! & 0x80) !== 0 || be16(b, 4) < 1) return null;
  const labels: string[] = [];
  let at = 12;
  for (;;) {
    if (at >= b.length) return null;
    const len = b[at]!;
    if (len === 0) break;
    if (len > 63 || at + 1 + len > b.length) return null;
    labels.push(String.fromCharCode(...b.subarray(at + 1, at + 1 + len)).toLowerCase());
    at += 1 + len;
  }
  at++;
  if (at + 4 > b.length) return null;
  return { id: be16(b, 0), name: labels.join('.'), type: be16(b, at), cls: be16(b, at + 2), end: at + 4 };
}

/** A reply holding the query's first question, with an A record for it when `ip` is given. */
export function localAnswer(query: Uint8Array, q: DnsQuestion, rcode: number, ip: number | null): Uint8Array {
  const answer = ip === null ? 0 : 16;
  const b = new Uint8Array(q.end + answer);
  b.set(query.subarray(0, q.end));
  b[2] = 0x84 | (query[2]! & 0x01);
  b[3] = 0x80 | rcode;
  put16(b, 4, 1);
  put16(b, 6, ip === null ? 0 : 1);
  put16(b, 8, 0);
  put16(b, 10, 0);
  if (ip !== null) {
    const a = q.end;
    put16(b, a, 0xc00c);
    put16(b, a + 2, TYPE_A);
    put16(b, a + 4, CLASS_IN);
    put32(b, a + 6, 60);
    put16(b, a + 10, 4);
    put32(b, a + 12, ip);
  }
  return b;
}

/**
 * The virtual DNS server: answers the host's alias itself, and forwards
 * everything else unchanged to the host's resolver over a UDP socket, relaying
 * the reply as it comes (so it carries the guest's query ID). Waiting on the
 * resolver is host time (`dnsTimeout` ms), not virtual time: virtual time may
 * leap ahead while the guest idles, and the resolver lives on the host.
 */
export class DnsForwarder {
  private readonly pending = new Set<dgram.Socket>();
  readonly resolverAddress: { host: string; port: number };

  constructor(private readonly stack: Stack) {
    const r = stack.config.resolver;
    if (r) {
      const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d{1,5}))?$/.exec(r);
      if (!m) throw new Error(`slirp: resolver: expected an IPv4 address with an optional :port, got "${r}"`);
      this.resolverAddress = { host: m[1]!, port: m[2] ? Number(m[2]) : DNS_PORT };
    } else {
      this.resolverAddress = hostResolver();
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  handle(guestIp: number, guestPort: number, query: Uint8Array): void {
    const { stack } = this;
    const reply = (b: Uint8Array) => stack.sendUdp(stack.vnet.dns, DNS_PORT, guestIp, guestPort, b);
    const q = parseQuestion(query);
    if (!q) {
      if (query.length >= 12 && (query[2]! & 0x80) === 0) {
        const err = query.slice(0, 12);
        err[2] = 0x80 | (query[2]! & 0x79);
        err[3] = RCODE_FORMERR;
        err.fill(0, 4, 12);
        reply(err);
      }
      return;
    }
    if (q.name === stack.config.hostAlias.toLowerCase()) {
      const wantsA = (q.type === TYPE_A || q.type === TYPE_ANY) && q.cls === CLASS_IN;
      reply(localAnswer(query, q, 0, wantsA ? stack.vnet.host : null));
      return;
    }
    if (stack.config.restrict) {
      reply(localAnswer(query, q, RCODE_REFUSED, null));
      return;
    }
    if (this.pending.size >= stack.config.limits.maxUdpSockets) return;
    const socket = dgram.createSocket('udp4');
    this.pending.add(socket);
    const done = () => {
      clearTimeout(timer);
      if (this.pending.delete(socket)) socket.close();
    };
    const timer = setTimeout(done, stack.config.dnsTimeout);
    timer.unref();
    socket.on('error', done);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address !== this.resolverAddress.host || rinfo.port !== this.resolverAddress.port) return;
      if (msg.length < 12 || be16(msg, 0) !== q.id) return;
      done();
      reply(msg);
    });
    socket.send(Buffer.from(query), this.resolverAddress.port, this.resolverAddress.host);
  }

  close(): void {
    for (const s of this.pending) s.close();
    this.pending.clear();
  }
}
