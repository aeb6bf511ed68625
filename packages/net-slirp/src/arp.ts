import { be16, be32, put16, put32 } from './bytes.js';

export interface ArpPacket {
  op: number;
  senderMac: Uint8Array;
  senderIp: number;
  targetIp: number;
}

/** An Ethernet/IPv4 ARP packet (the body after the Ethernet header); null for anything else. */
export function parseArp(b: Uint8Array): ArpPacket | null {
  if (b.length < 28) return null;
  if (be16(b, 0) !== 1 || be16(b, 2) !== 0x0800 || b[4] !== 6 || b[5] !== 4) return null;
  return { op: be16(b, 6), senderMac: b.slice(8, 14), senderIp: be32(b, 14), targetIp: be32(b, 24) };
}

/** An ARP reply frame (Ethernet header included), padded to the 60-byte minimum. */
export function buildArpReply(
  ourMac: Uint8Array,
  ourIp: number,
  toMac: Uint8Array,
  toIp: number,
): Uint8Array {
  const f = new Uint8Array(60);
  f.set(toMac, 0);
  f.set(ourMac, 6);
  put16(f, 12, 0x0806);
  put16(f, 14, 1);
  put16(f, 16, 0x0800);
  f[18] = 6;
  f[19] = 4;
  put16(f, 20, 2);
  f.set(ourMac, 22);
  put32(f, 28, ourIp);
  f.set(toMac, 32);
  put32(f, 38, toIp);
  return f;
}
