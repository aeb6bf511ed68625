import type { Ipv4Packet } from './ipv4.js';

interface Pending {
  key: string;
  firstSeen: number;
  pieces: { offset: number; data: Uint8Array }[];
  bytes: number;
  /** Payload length once the last fragment arrived, else -1. */
  total: number;
}

/**
 * IPv4 fragment reassembly bounded in memory and time: at most `maxDatagrams`
 * in progress and `maxBytes` held, each given up after `timeoutNs` of virtual
 * time. Overlapping fragments drop the whole datagram (as RFC 5722 asks for
 * IPv6), since overlaps are how reassembly attacks hide headers; an exact
 * repeat of a fragment is ignored.
 */
export class Reassembler {
  dropped = 0;
  private pending: Pending[] = [];
  private held = 0;

  constructor(
    private readonly maxDatagrams = 16,
    private readonly maxBytes = 256 * 1024,
    private readonly timeoutNs = 30e9,
  ) {}

  get inProgress(): number {
    return this.pending.length;
  }

  get bytesHeld(): number {
    return this.held;
  }

  /** Takes a fragment; returns the whole payload when this one completes it, else null. */
  add(p: Ipv4Packet, now: number): Uint8Array | null {
    this.expire(now);
    const end = p.fragOffset + p.payload.length;
    const key = `${p.src}/${p.dst}/${p.proto}/${p.id}`;
    let entry = this.pending.find((e) => e.key === key);
    // Non-final fragments carry multiples of 8 bytes; the whole datagram fits in 65535 with its header.
    const malformed =
      (p.moreFragments && p.payload.length % 8 !== 0) || end + 20 > 65535 || p.payload.length === 0;
    if (malformed) {
      if (entry) this.remove(entry);
      this.dropped++;
      return null;
    }
    if (!entry) {
      if (this.pending.length >= this.maxDatagrams) this.remove(this.pending[0]!);
      entry = { key, firstSeen: now, pieces: [], bytes: 0, total: -1 };
      this.pending.push(entry);
    }
    for (const piece of entry.pieces) {
      const pieceEnd = piece.offset + piece.data.length;
      if (piece.offset === p.fragOffset && pieceEnd === end) return null;
      if (p.fragOffset < pieceEnd && piece.offset < end) {
        this.remove(entry);
        this.dropped++;
        return null;
      }
    }
    if (!p.moreFragments) {
      if (entry.total !== -1 || entry.pieces.some((q) => q.offset + q.data.length > end)) {
        this.remove(entry);
        this.dropped++;
        return null;
      }
      entry.total = end;
    } else if (entry.total !== -1 && end > entry.total) {
      this.remove(entry);
      this.dropped++;
      return null;
    }
    while (this.held + p.payload.length > this.maxBytes && this.pending.length > 1) {
      const oldest = this.pending[0] === entry ? this.pending[1]! : this.pending[0]!;
      this.remove(oldest);
      this.dropped++;
    }
    if (this.held + p.payload.length > this.maxBytes) {
      this.remove(entry);
      this.dropped++;
      return null;
    }
    entry.pieces.push({ offset: p.fragOffset, data: p.payload.slice() });
    entry.bytes += p.payload.length;
    this.held += p.payload.length;
    if (entry.total === -1 || entry.bytes !== entry.total) return null;
    const whole = new Uint8Array(entry.total);
    for (const piece of entry.pieces) whole.set(piece.data, piece.offset);
    this.remove(entry);
    return whole;
  }

  clear(): void {
    this.pending = [];
    this.held = 0;
  }

  private expire(now: number): void {
    while (this.pending.length > 0 && now - this.pending[0]!.firstSeen > this.timeoutNs) {
      this.remove(this.pending[0]!);
      this.dropped++;
    }
  }

  private remove(entry: Pending): void {
    this.pending = this.pending.filter((e) => e !== entry);
    this.held -= entry.bytes;
  }
}
