/** A fixed-size FIFO of bytes: data from a host socket waiting for the guest to acknowledge it. */
export class ByteRing {
  private readonly data: Uint8Array;
  private head = 0;
  private used = 0;

  constructor(readonly capacity: number) {
    this.data = new Uint8Array(capacity);
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
    let tail = (this.head + this.used) % this.capacity;
    const first = Math.min(n, this.capacity - tail);
    this.data.set(bytes.subarray(0, first), tail);
    if (n > first) this.data.set(bytes.subarray(first, n), 0);
    tail = (tail + n) % this.capacity;
    this.used += n;
    return n;
  }

  /** Copies `length` bytes starting `offset` bytes past the head into `out` at `at`. */
  copy(offset: number, length: number, out: Uint8Array, at: number): void {
    const start = (this.head + offset) % this.capacity;
    const first = Math.min(length, this.capacity - start);
    out.set(this.data.subarray(start, start + first), at);
    if (length > first) out.set(this.data.subarray(0, length - first), at + first);
  }

  /** Drops `n` bytes from the head. */
  consume(n: number): void {
    n = Math.min(n, this.used);
    this.head = (this.head + n) % this.capacity;
    this.used -= n;
  }

  clear(): void {
    this.head = 0;
    this.used = 0;
  }
}
