import { queueHostTask } from '@plugboard/core';

/**
 * Output is gathered and handed to the host once per turn of its event
 * loop, so a guest printing a line costs one write, not one per byte.
 */
export class OutputBuffer {
  private buf = new Uint8Array(4096);
  private length = 0;
  private scheduled = false;

  constructor(private readonly sink: (chunk: Uint8Array) => void) {}

  push(byte: number): void {
    if (this.length === this.buf.length) this.flush();
    this.buf[this.length++] = byte;
    if (!this.scheduled) {
      this.scheduled = true;
      queueHostTask(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.length === 0) return;
    const chunk = this.buf.slice(0, this.length);
    this.length = 0;
    this.sink(chunk);
  }
}
