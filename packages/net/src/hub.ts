import type { NetworkBackend, NetworkClient, NetworkPort } from '@plugboard/core';
import { FrameQueue } from './frame-queue.js';

interface HubMember {
  client: NetworkClient;
  queue: FrameQueue;
}

/**
 * One Ethernet segment, as QEMU's hub (`-net ...,vlan=n`): every frame a
 * member sends reaches every other member, never back to the sender. NICs
 * join with `connect`; other netdevs join with `attach`, the hub acting as
 * their NIC. Delivery is synchronous: a member's `send` runs the other members'
 * `receive` before it returns, so a member must not send to the hub from its
 * own `receive` (backends here defer such replies; NICs do not send on receive).
 */
export class Hub implements NetworkBackend {
  private members: HubMember[] = [];
  private readonly ports: NetworkPort[] = [];

  constructor(
    readonly id: string,
    private readonly queueFrames = 256,
    private readonly queueBytes = 1 << 20,
  ) {}

  /** Frames dropped because a member's queue was full, summed over members. */
  get dropped(): number {
    let n = 0;
    for (const m of this.members) n += m.queue.dropped;
    return n;
  }

  get memberCount(): number {
    return this.members.length;
  }

  connect(client: NetworkClient): NetworkPort {
    const member: HubMember = { client, queue: new FrameQueue(this.queueFrames, this.queueBytes) };
    this.members.push(member);
    return {
      send: (frame) => this.forward(member, frame),
      receiveReady: () => member.queue.flush(member.client),
      disconnect: () => {
        this.members = this.members.filter((m) => m !== member);
      },
    };
  }

  /** Plugs another netdev into the hub, the hub standing for its NIC; returns the unplugging. */
  attach(backend: NetworkBackend): () => void {
    let backendPort: NetworkPort | null = null;
    const hubPort = this.connect({ receive: (frame) => backendPort?.send(frame), canReceive: () => true });
    backendPort = backend.connect({ receive: (frame) => hubPort.send(frame), canReceive: () => true });
    this.ports.push(backendPort, hubPort);
    return () => {
      backendPort.disconnect();
      hubPort.disconnect();
    };
  }

  close(): void {
    for (const p of this.ports) p.disconnect();
    this.ports.length = 0;
    this.members = [];
  }

  private forward(from: HubMember, frame: Uint8Array): void {
    for (const m of this.members) if (m !== from) m.queue.deliver(m.client, frame);
  }
}
