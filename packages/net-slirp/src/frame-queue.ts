import type { NetworkClient } from '@plugboard/core';

/**
 * Frames held for a NIC that cannot receive yet, bounded by count and bytes.
 * A frame that does not fit is dropped and counted, as a switch port drops
 * when its buffer is full; nothing grows without limit.
 */
export class FrameQueue {
  dropped = 0;
  private frames: (Uint8Array | undefined)[];
  private head = 0;
  private count = 0;
  private bytes = 0;

  constructor(
    readonly maxFrames = 256,
    readonly maxBytes = 1 << 20,
  ) {
    this.frames = new Array(maxFrames);
  }

  get length(): number {
    return this.count;
  }

  /** Copies `frame` in; false (and a counted drop) when full. */
  push(frame: Uint8Array): boolean {
    if (this.count >= this.maxFrames || this.bytes + frame.length > this.maxBytes) {
      this.dropped++;
      return false;
    }
    this.frames[(this.head + this.count) % this.maxFrames] = frame.slice();
    this.count++;
    this.bytes += frame.length;
    return true;
  }

  shift(): Uint8Array | undefined {
    if (this.count === 0) return undefined;
    const frame = this.frames[this.head];
    this.frames[this.head] = undefined;
    this.head = (this.head + 1) % this.maxFrames;
    this.count--;
    this.bytes -= frame!.length;
    return frame;
  }

  clear(): void {
    this.frames.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /** Hands `frame` to `client` now if nothing is waiting and it has room, else queues it. */
  deliver(client: NetworkClient, frame: Uint8Array): void {
    if (this.count === 0 && client.canReceive()) client.receive(frame);
    else this.push(frame);
  }

  /** Hands queued frames to `client` while it has room. */
  flush(client: NetworkClient): void {
    while (this.count > 0 && client.canReceive()) client.receive(this.shift()!);
  }
}
