import { describe, expect, it } from 'vitest';
import type { NetworkBackend, NetworkClient } from '../src/index.js';
import { plugNetwork } from '../src/index.js';

/** A backend that records what the NIC sent and hands the test its client. */
function loopBackend() {
  const sent: number[] = [];
  let client: NetworkClient | null = null;
  const backend: NetworkBackend = {
    id: 'net0',
    connect(c) {
      client = c;
      return { send: (f) => sent.push(f[0]), receiveReady: () => {}, disconnect: () => {} };
    },
    close: () => {},
  };
  return { backend, sent, client: () => client! };
}

describe('the link switch (set_link)', () => {
  it('down: the NIC hears it once, and frames are dropped both ways; up again: they flow', () => {
    const { backend, sent, client } = loopBackend();
    const got: number[] = [];
    const links: boolean[] = [];
    const port = plugNetwork(
      backend,
      { receive: (f) => got.push(f[0]), canReceive: () => false, linkChanged: (up) => links.push(up) },
      () => {},
    );
    port.setLink(false);
    port.setLink(false);
    port.send(Uint8Array.of(1));
    client().receive(Uint8Array.of(2));
    // A NIC with a full ring must not hold frames back while its link is down.
    expect(client().canReceive()).toBe(true);
    expect([sent, got, links, port.linkUp]).toEqual([[], [], [false], false]);
    port.setLink(true);
    port.send(Uint8Array.of(3));
    client().receive(Uint8Array.of(4));
    expect([sent, got, links, port.linkUp]).toEqual([[3], [4], [false, true], true]);
  });

  it("a backend's own link loss and the switch together: up only when both are", () => {
    const { backend, client } = loopBackend();
    const links: boolean[] = [];
    const port = plugNetwork(
      backend,
      { receive: () => {}, canReceive: () => true, linkChanged: (up) => links.push(up) },
      () => {},
    );
    client().linkChanged?.(false);
    port.setLink(false);
    client().linkChanged?.(true);
    expect(port.linkUp).toBe(false);
    port.setLink(true);
    expect([links, port.linkUp]).toEqual([[false, true], true]);
  });
});
