import { be16, fold, pseudoSum, put16, sum16 } from './bytes.js';
import { PROTO_UDP } from './ipv4.js';

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** Checks length and (when present) checksum; null when malformed. */
export function parseUdp(src: number, dst: number, b: Uint8Array): UdpDatagram | null {
  if (b.length < 8) return null;
  const length = be16(b, 4);
  if (length < 8 || length > b.length) return null;
  if (be16(b, 6) !== 0 && fold(sum16(b, 0, length, pseudoSum(src, dst, PROTO_UDP, length))) !== 0)
    return null;
  return { srcPort: be16(b, 0), dstPort: be16(b, 2), payload: b.subarray(8, length) };
}

export function buildUdp(
  src: number,
  srcPort: number,
  dst: number,
  dstPort: number,
  payload: Uint8Array,
): Uint8Array {
  const length = 8 + payload.length;
  const b = new Uint8Array(length);
  put16(b, 0, srcPort);
  put16(b, 2, dstPort);
  put16(b, 4, length);
  b.set(payload, 8);
  put16(b, 6, fold(sum16(b, 0, length, pseudoSum(src, dst, PROTO_UDP, length))) || 0xffff);
  return b;
}
