import type { NetworkBackend, NetworkClient, NetworkPort } from './network.js';

/**
 * A netdev that keeps what the NIC sends and lets its owner deliver frames:
 * for tests, and for embedding Plugboard where the host program is the network.
 */
export class MemoryNetwork implements NetworkBackend {
  /** Copies of every frame the NIC sent, oldest first. */
  sent: Uint8Array[] = [];
  /** The NIC plugged in, to deliver frames to with `client.receive`. */
  client: NetworkClient | null = null;
  /** How many times the NIC said it has receive room again. */
  ready = 0;

  constructor(readonly id = 'net0') {}

  connect(client: NetworkClient): NetworkPort {
    this.client = client;
    return {
      send: (frame) => {
        this.sent.push(frame.slice());
      },
      receiveReady: () => {
        this.ready++;
      },
      disconnect: () => {
        this.client = null;
      },
    };
  }

  close(): void {
    this.client = null;
  }
}
