/**
 * The RTL8139C+ transmit offloads 8139cp uses: IPv4 header checksum, TCP and
 * UDP checksums, and large send (TCP segmentation). Frames come from the
 * guest, so every header length is checked against the frame before use; a
 * frame whose headers do not hold up is sent as the guest built it.
 */

const ETH_HLEN = 14;
const ETHERTYPE_IPV4 = 0x0800;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

function sum16(buf: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return ~acc & 0xffff;
}

export interface Ipv4Layout {
  /** Offset of the IP header (after Ethernet and any VLAN tag). */
  ip: number;
  ipHeaderLength: number;
  /** End of the IP datagram per its total length, clipped to the frame. */
  end: number;
  protocol: number;
}

/** Finds a well-formed IPv4 header in an Ethernet frame, or null. */
export function ipv4Layout(frame: Uint8Array, length: number): Ipv4Layout | null {
  if (length < ETH_HLEN + 20) return null;
  let ip = ETH_HLEN;
  let type = (frame[12] << 8) | frame[13];
  if (type === 0x8100) {
    if (length < ETH_HLEN + 24) return null;
    type = (frame[16] << 8) | frame[17];
    ip += 4;
  }
  if (type !== ETHERTYPE_IPV4 || frame[ip] >> 4 !== 4) return null;
  const ipHeaderLength = (frame[ip] & 0x0f) * 4;
  const total = (frame[ip + 2] << 8) | frame[ip + 3];
  if (ipHeaderLength < 20 || total < ipHeaderLength || ip + total > length) return null;
  return { ip, ipHeaderLength, end: ip + total, protocol: frame[ip + 9] };
}

export function setIpv4Checksum(frame: Uint8Array, l: Ipv4Layout): void {
  frame[l.ip + 10] = 0;
  frame[l.ip + 11] = 0;
  const c = fold(sum16(frame, l.ip, l.ip + l.ipHeaderLength, 0));
  frame[l.ip + 10] = c >> 8;
  frame[l.ip + 11] = c & 0xff;
}

/** The TCP/UDP checksum field's offset within the transport header. */
function checksumField(protocol: number): number {
  return protocol === PROTO_TCP ? 16 : 6;
}

/** Fills the TCP or UDP checksum over the pseudo-header; false if the transport header does not fit. */
export function setTransportChecksum(frame: Uint8Array, l: Ipv4Layout): boolean {
  if (l.protocol !== PROTO_TCP && l.protocol !== PROTO_UDP) return false;
  const t = l.ip + l.ipHeaderLength;
  const minHeader = l.protocol === PROTO_TCP ? 20 : 8;
  if (t + minHeader > l.end) return false;
  const field = t + checksumField(l.protocol);
  frame[field] = 0;
  frame[field + 1] = 0;
  const length = l.end - t;
  let acc = sum16(frame, l.ip + 12, l.ip + 20, 0) + l.protocol + length;
  acc = sum16(frame, t, l.end, acc);
  let c = fold(acc);
  if (c === 0 && l.protocol === PROTO_UDP) c = 0xffff;
  frame[field] = c >> 8;
  frame[field + 1] = c & 0xff;
  return true;
}

/** Whether the receive path should report the TCP/UDP checksum as good. */
export function transportChecksumOk(frame: Uint8Array, l: Ipv4Layout): boolean {
  const t = l.ip + l.ipHeaderLength;
  if (t + (l.protocol === PROTO_TCP ? 20 : 8) > l.end) return false;
  if (l.protocol === PROTO_UDP && frame[t + 6] === 0 && frame[t + 7] === 0) return true;
  const acc = sum16(frame, t, l.end, sum16(frame, l.ip + 12, l.ip + 20, 0) + l.protocol + (l.end - t));
  return fold(acc) === 0;
}

export function ipv4ChecksumOk(frame: Uint8Array, l: Ipv4Layout): boolean {
  return fold(sum16(frame, l.ip, l.ip + l.ipHeaderLength, 0)) === 0;
}

/**
 * Large send: cuts a TCP/IPv4 frame into segments of at most `mss` payload
 * bytes, each with its own IP length, id, sequence number, flags and
 * checksums, handing each to `emit` (which must copy it). Returns false when
 * the frame is not TCP/IPv4 or its headers do not fit.
 */
export function segmentTcp(
  frame: Uint8Array,
  length: number,
  mss: number,
  scratch: Uint8Array,
  emit: (segment: Uint8Array) => void,
): boolean {
  const l = ipv4Layout(frame, length);
  if (!l || l.protocol !== PROTO_TCP || mss <= 0) return false;
  const t = l.ip + l.ipHeaderLength;
  const tcpHeaderLength = (frame[t + 12] >> 4) * 4;
  if (tcpHeaderLength < 20 || t + tcpHeaderLength > l.end) return false;
  const headers = t + tcpHeaderLength;
  const payload = l.end - headers;
  const flags = frame[t + 13];
  const seq0 = ((frame[t + 4] << 24) | (frame[t + 5] << 16) | (frame[t + 6] << 8) | frame[t + 7]) >>> 0;
  const id0 = (frame[l.ip + 4] << 8) | frame[l.ip + 5];
  if (headers + Math.min(mss, payload) > scratch.length) return false;
  let offset = 0;
  let n = 0;
  do {
    const chunk = Math.min(mss, payload - offset);
    scratch.set(frame.subarray(0, headers), 0);
    scratch.set(frame.subarray(headers + offset, headers + offset + chunk), headers);
    const total = l.ipHeaderLength + tcpHeaderLength + chunk;
    scratch[l.ip + 2] = total >> 8;
    scratch[l.ip + 3] = total & 0xff;
    const id = (id0 + n) & 0xffff;
    scratch[l.ip + 4] = id >> 8;
    scratch[l.ip + 5] = id & 0xff;
    const seq = (seq0 + offset) >>> 0;
    scratch[t + 4] = seq >>> 24;
    scratch[t + 5] = (seq >>> 16) & 0xff;
    scratch[t + 6] = (seq >>> 8) & 0xff;
    scratch[t + 7] = seq & 0xff;
    const last = offset + chunk >= payload;
    // FIN and PSH belong to the last segment only.
    scratch[t + 13] = last ? flags : flags & ~0x09;
    const seg: Ipv4Layout = {
      ip: l.ip,
      ipHeaderLength: l.ipHeaderLength,
      end: l.ip + total,
      protocol: PROTO_TCP,
    };
    setIpv4Checksum(scratch, seg);
    setTransportChecksum(scratch, seg);
    emit(scratch.subarray(0, headers + chunk));
    offset += chunk;
    n++;
  } while (offset < payload);
  return true;
}
