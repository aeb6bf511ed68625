import type { NetworkBackend, NetworkClient, NetworkPort } from '@plugboard/core';
import type { PcapWriter } from './pcap-writer.js';

/**
 * QEMU's `-net dump`, as a filter: a netdev that stands in front of another
 * one and records every frame in both directions to a pcap file. NICs name the
 * dump's id; the dump names the netdev it wraps.
 */
export class DumpFilter implements NetworkBackend {
  constructor(
    readonly id: string,
    private readonly inner: () => NetworkBackend,
    private readonly writer: PcapWriter,
    private readonly now: () => number,
  ) {}

  connect(client: NetworkClient): NetworkPort {
    const writer = this.writer;
    const now = this.now;
    const port = this.inner().connect({
      receive: (frame) => {
        writer.write(frame, now());
        client.receive(frame);
      },
      canReceive: () => client.canReceive(),
      linkChanged: client.linkChanged ? (up) => client.linkChanged!(up) : undefined,
    });
    return {
      send: (frame) => {
        writer.write(frame, now());
        port.send(frame);
      },
      receiveReady: () => port.receiveReady(),
      disconnect: () => port.disconnect(),
    };
  }

  close(): void {
    this.writer.close();
  }
}
