/**
 * The host side of a serial port. The UART calls `write` for every byte the
 * guest sends and gives the backend a `receive` callback for host input; the
 * backend may call it at any time (from Node's event loop), the UART queues.
 */
export interface SerialBackend {
  write(byte: number): void;
  attach(receive: (data: Uint8Array) => void): void;
  close(): void | Promise<void>;
}

export const nullBackend = (): SerialBackend => ({ write() {}, attach() {}, close() {} });

/** Collects output and injects input: for tests and for embedding. */
export class MemoryBackend implements SerialBackend {
  private out = new Uint8Array(256);
  private length = 0;
  private receive: ((data: Uint8Array) => void) | null = null;
  private pending: Uint8Array[] = [];

  write(byte: number): void {
    if (this.length === this.out.length) {
      const bigger = new Uint8Array(this.out.length * 2);
      bigger.set(this.out);
      this.out = bigger;
    }
    this.out[this.length++] = byte;
  }

  attach(receive: (data: Uint8Array) => void): void {
    this.receive = receive;
    for (const p of this.pending) receive(p);
    this.pending = [];
  }

  /** Sends host input to the guest. */
  inject(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (this.receive) this.receive(bytes);
    else this.pending.push(bytes);
  }

  /** Everything the guest sent so far. */
  output(): Uint8Array {
    return this.out.slice(0, this.length);
  }

  text(): string {
    return new TextDecoder('latin1').decode(this.output());
  }

  clear(): void {
    this.length = 0;
  }

  close(): void {}
}
