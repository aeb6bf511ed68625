/** Bytes a ring starts with; it doubles up to its capacity as data waits. */
const INITIAL_SIZE = 16384;

/**
 * A FIFO of bytes bounded by `capacity`: data from a host socket waiting for
 * the guest to acknowledge it. Storage grows on demand, so idle connections
 * cost little.
 */
export class ByteRing {
  private data: Uint8Array;
  private head = 0;
  private used = 0;

  constructor(readonly capacity: number) {
    this.data = new Uint8Array(Math.min(capacity, INITIAL_SIZE));
  }

  get length(): number {
    return this.used;
  }

  get free(): number {
    return this.capacity - this.used;
  }

  /** Appends as much of `bytes` as fits; returns how many. */
  push(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.free);
    if (this.used + n > this.data.length) this.grow(this.used + n);
    const size = this.data.length;
    const tail = (this.head + this.used) % size;
    const first = Math.min(n, size - tail);
    this.data.set(bytes.subarray(0, first), tail);
    if (n > first) this.data.set(bytes.subarray(first, n), 0);
    this.used += n;
    return n;
  }

  /** Copies `length` bytes starting `offset` bytes past the head into `out` at `at`. */
  copy(offset: number, length: number, out: Uint8Array, at: number): void {
    const size = this.data.length;
    const start = (this.head + offset) % size;
    const first = Math.min(length, size - start);
    out.set(this.data.subarray(start, start + first), at);
    if (length > first) out.set(this.data.subarray(0, length - first), at + first);
  }

  /** Drops `n` bytes from the head. */
  consume(n: number): void {
    n = Math.min(n, this.used);
    this.head = (this.head + n) % this.data.length;
    this.used -= n;
  }

  clear(): void {
    this.head = 0;
    this.used = 0;
  }

  private grow(needed: number): void {
    let size = this.data.length;
    while (size < needed) size *= 2;
    const next = new Uint8Array(Math.min(size, this.capacity));
    this.copy(0, this.used, next, 0);
    this.data = next;
    this.head = 0;
  }
}
