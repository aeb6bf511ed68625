/** A bounded FIFO of bytes: the PS/2 devices' output buffers. */
export class ByteQueue {
  private readonly buf: Uint8Array;
  private head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
  }

  get free(): number {
    return this.capacity - this.length;
  }

  /** Adds a byte; false (and nothing added) when full. */
  push(byte: number): boolean {
    if (this.length === this.capacity) return false;
    this.buf[(this.head + this.length) % this.capacity] = byte;
    this.length++;
    return true;
  }

  shift(): number {
    const byte = this.buf[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.length--;
    return byte;
  }

  clear(): void {
    this.head = 0;
    this.length = 0;
  }
}
