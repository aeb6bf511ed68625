import type { NetworkBackend, NetworkClient, NetworkPort } from '@plugboard/core';
import { Hub } from './hub.js';

interface Shared {
  hub: Hub;
  users: number;
}

/** Process-wide segments by name: QEMU's vlan numbers, shared by every machine of the process. */
const segments = new Map<string, Shared>();

/**
 * One machine's view of a named segment: NICs and netdevs of this machine
 * join the segment's hub; closing the view unplugs only what this machine
 * plugged in, and the segment goes when its last machine does.
 */
export class SegmentView implements NetworkBackend {
  private readonly unplug: (() => void)[] = [];
  private readonly shared: Shared;
  private closed = false;

  constructor(
    readonly id: string,
    readonly segment: string,
    queueFrames: number,
    queueBytes: number,
  ) {
    let shared = segments.get(segment);
    if (!shared) {
      shared = { hub: new Hub(`segment ${segment}`, queueFrames, queueBytes), users: 0 };
      segments.set(segment, shared);
    }
    shared.users++;
    this.shared = shared;
  }

  get hub(): Hub {
    return this.shared.hub;
  }

  connect(client: NetworkClient): NetworkPort {
    const port = this.shared.hub.connect(client);
    this.unplug.push(() => port.disconnect());
    return port;
  }

  attach(backend: NetworkBackend): void {
    this.unplug.push(this.shared.hub.attach(backend));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unplug) u();
    if (--this.shared.users === 0) segments.delete(this.segment);
  }
}
