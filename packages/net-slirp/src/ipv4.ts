import { be16, be32, fold, put16, put32, sum16 } from './bytes.js';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

/** An IPv4 datagram from the guest: header fields and a view of its payload. */
export interface Ipv4Packet {
  src: number;
  dst: number;
  proto: number;
  id: number;
  ttl: number;
  /** Offset in bytes and more-fragments flag, for fragments. */
  fragOffset: number;
  moreFragments: boolean;
  payload: Uint8Array;
}

/**
 * Checks an IPv4 header (version, lengths, checksum) and trims Ethernet
 * padding; null for anything malformed, which is dropped as a router would.
 */
export function parseIpv4(b: Uint8Array): Ipv4Packet | null {
  if (b.length < 20) return null;
  const vihl = b[0]!;
  const ihl = (vihl & 0x0f) * 4;
  if (vihl >> 4 !== 4 || ihl < 20 || ihl > b.length) return null;
  const total = be16(b, 2);
  if (total < ihl || total > b.length) return null;
  if (fold(sum16(b, 0, ihl)) !== 0) return null;
  const frag = be16(b, 6);
  return {
    src: be32(b, 12),
    dst: be32(b, 16),
    proto: b[9]!,
    id: be16(b, 4),
    ttl: b[8]!,
    fragOffset: (frag & 0x1fff) * 8,
    moreFragments: (frag & 0x2000) !== 0,
    payload: b.subarray(ihl, total),
  };
}

/** Largest IP payload per fragment at a 1500-byte MTU, a multiple of 8. */
const FRAGMENT_PAYLOAD = 1480;

/**
 * IPv4 datagrams (fragmented when beyond the MTU) carrying `payload`, each
 * with room for a 14-byte Ethernet header in front.
 */
export function buildIpv4(
  proto: number,
  src: number,
  dst: number,
  id: number,
  payload: Uint8Array,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  do {
    const take = Math.min(FRAGMENT_PAYLOAD, payload.length - at);
    const more = at + take < payload.length;
    const f = new Uint8Array(14 + 20 + take);
    const h = f.subarray(14);
    h[0] = 0x45;
    put16(h, 2, 20 + take);
    put16(h, 4, id);
    put16(h, 6, (more ? 0x2000 : 0) | (at >> 3));
    h[8] = 64;
    h[9] = proto;
    put32(h, 12, src);
    put32(h, 16, dst);
    put16(h, 10, fold(sum16(h, 0, 20)));
    h.set(payload.subarray(at, at + take), 20);
    out.push(f);
    at += take;
  } while (at < payload.length);
  return out;
}
