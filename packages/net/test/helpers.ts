import type { NetworkClient } from '@plugboard/core';

/** A NIC stand-in: keeps copies of what it receives, with a switchable "ring full". */
export class FakeNic implements NetworkClient {
  received: Uint8Array[] = [];
  room = Number.POSITIVE_INFINITY;
  link: boolean[] = [];

  receive(frame: Uint8Array): void {
    this.received.push(frame.slice());
    this.room--;
  }

  canReceive(): boolean {
    return this.room > 0;
  }

  linkChanged(up: boolean): void {
    this.link.push(up);
  }
}

export function frame(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
