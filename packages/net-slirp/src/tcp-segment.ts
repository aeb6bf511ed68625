import { be16, be32, fold, pseudoSum, put16, put32, sum16 } from './bytes.js';
import { PROTO_TCP } from './ipv4.js';

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** The MSS option of a SYN, or 0. */
  mss: number;
  /** The window scale option of a SYN (RFC 7323), or -1. */
  wscale: number;
  data: Uint8Array;
}

/** Checks the header length and checksum and reads the MSS option; null when malformed. */
export function parseTcp(src: number, dst: number, b: Uint8Array): TcpSegment | null {
  if (b.length < 20) return null;
  const headerLength = (b[12]! >> 4) * 4;
  if (headerLength < 20 || headerLength > b.length) return null;
  if (fold(sum16(b, 0, b.length, pseudoSum(src, dst, PROTO_TCP, b.length))) !== 0) return null;
  let mss = 0;
  let wscale = -1;
  for (let at = 20; at < headerLength; ) {
    const kind = b[at]!;
    if (kind === 0) break;
    if (kind === 1) {
      at++;
      continue;
    }
    const len = at + 1 < headerLength ? b[at + 1]! : 0;
    if (len < 2 || at + len > headerLength) break;
    if (kind === 2 && len === 4) mss = be16(b, at + 2);
    else if (kind === 3 && len === 3) wscale = Math.min(b[at + 2]!, 14);
    at += len;
  }
  return {
    srcPort: be16(b, 0),
    dstPort: be16(b, 2),
    seq: be32(b, 4),
    ack: be32(b, 8),
    flags: b[13]! & 0x3f,
    window: be16(b, 14),
    mss,
    wscale,
    data: b.subarray(headerLength),
  };
}

/** The options a SYN carries: MSS, and a window scale shift unless -1. */
export interface SynOptions {
  mss: number;
  wscale: number;
}

/** A TCP segment with its checksum; `syn` adds SYN options. */
export function buildTcp(
  src: number,
  srcPort: number,
  dst: number,
  dstPort: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  syn: SynOptions | null,
  dataLength: number,
  fill?: (out: Uint8Array, at: number) => void,
): Uint8Array {
  const headerLength = syn === null ? 20 : syn.wscale < 0 ? 24 : 28;
  const b = new Uint8Array(headerLength + dataLength);
  put16(b, 0, srcPort);
  put16(b, 2, dstPort);
  put32(b, 4, seq);
  put32(b, 8, ack);
  b[12] = (headerLength / 4) << 4;
  b[13] = flags;
  put16(b, 14, window);
  if (syn !== null) {
    b[20] = 2;
    b[21] = 4;
    put16(b, 22, syn.mss);
    if (syn.wscale >= 0) b.set([1, 3, 3, syn.wscale], 24);
  }
  if (fill) fill(b, headerLength);
  put16(b, 16, fold(sum16(b, 0, b.length, pseudoSum(src, dst, PROTO_TCP, b.length))));
  return b;
}

/** a < b in 32-bit sequence space. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}
