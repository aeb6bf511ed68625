/**
 * The network side of a NIC, as QEMU splits a NIC from its netdev. A frame is
 * a whole Ethernet frame without FCS; it is valid only during the call, so a
 * receiver that keeps it copies it.
 */
export interface NetworkClient {
  /** Delivers a frame from the network to the NIC. */
  receive(frame: Uint8Array): void;
  /**
   * False while the NIC has no room (receive ring full): the backend holds
   * frames, bounded, until `receiveReady`. Asked only with a frame waiting, so
   * a NIC may flag the exhausted ring as its chip does.
   */
  canReceive(): boolean;
  /** The link went up or down (cable pulled, peer closed). */
  linkChanged?(up: boolean): void;
}

/** What a NIC holds after plugging into a backend. */
export interface NetworkPort {
  /** Sends a frame from the NIC to the network. */
  send(frame: Uint8Array): void;
  /** The NIC freed receive room: queued frames may flow again. */
  receiveReady(): void;
  /** Unplugs the NIC. */
  disconnect(): void;
}

/** A netdev: user-mode NAT, a hub, a socket to another process. */
export interface NetworkBackend {
  readonly id: string;
  connect(client: NetworkClient): NetworkPort;
  close(): void | Promise<void>;
}
