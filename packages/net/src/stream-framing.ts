/** Largest frame QEMU's socket netdev accepts (NET_BUFSIZE): a 64 KiB frame plus headroom. */
export const MAX_STREAM_FRAME = 4096 + 65536;

/**
 * QEMU's `-net socket` stream framing: each frame preceded by its length as a
 * 32-bit big-endian number. Splits a byte stream into frames; a length beyond
 * MAX_STREAM_FRAME is a protocol error (the caller closes the connection).
 */
export class StreamDeframer {
  private readonly buffer = new Uint8Array(4 + MAX_STREAM_FRAME);
  private filled = 0;
  private need = 4;
  private inFrame = false;

  /** Feeds bytes; calls `onFrame` per whole frame (valid during the call). False on a bad length. */
  push(data: Uint8Array, onFrame: (frame: Uint8Array) => void): boolean {
    let at = 0;
    while (at < data.length) {
      const take = Math.min(this.need - this.filled, data.length - at);
      this.buffer.set(data.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled < this.need) break;
      if (!this.inFrame) {
        const length =
          ((this.buffer[0]! << 24) | (this.buffer[1]! << 16) | (this.buffer[2]! << 8) | this.buffer[3]!) >>>
          0;
        if (length > MAX_STREAM_FRAME) return false;
        this.inFrame = true;
        this.need = 4 + length;
      }
      if (this.filled === this.need) {
        onFrame(this.buffer.subarray(4, this.need));
        this.inFrame = false;
        this.filled = 0;
        this.need = 4;
      }
    }
    return true;
  }

  reset(): void {
    this.filled = 0;
    this.need = 4;
    this.inFrame = false;
  }
}

/** The length prefix plus the frame, ready to write. */
export function frameForStream(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, 4);
  return out;
}
