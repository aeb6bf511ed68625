import type { NetworkBackend, NetworkClient, NetworkPort } from './network.js';

/**
 * Plugs a NIC into a backend across an exception boundary, one try per frame:
 * a frame the NIC cannot take (its receive path threw) or the backend cannot
 * send (a host socket refused it) is dropped and logged once, each way,
 * instead of ending the run or Node's event loop with an uncaught exception.
 */
export function plugNetwork(
  backend: NetworkBackend,
  nic: NetworkClient,
  log: (message: string) => void,
): NetworkPort {
  const reported = new Set<string>();
  const fail = (what: string, error: unknown) => {
    if (reported.has(what)) return;
    reported.add(what);
    log(
      `${what} failed, frame dropped (reported once): ${error instanceof Error ? error.message : String(error)}`,
    );
  };
  const port = backend.connect({
    receive(frame) {
      try {
        nic.receive(frame);
      } catch (error) {
        fail(`receive from ${backend.id}`, error);
      }
    },
    canReceive() {
      try {
        return nic.canReceive();
      } catch (error) {
        fail(`receive from ${backend.id}`, error);
        return true;
      }
    },
    linkChanged(up) {
      try {
        nic.linkChanged?.(up);
      } catch (error) {
        fail('link change', error);
      }
    },
  });
  return {
    send(frame) {
      try {
        port.send(frame);
      } catch (error) {
        fail(`send to ${backend.id}`, error);
      }
    },
    receiveReady: () => port.receiveReady(),
    disconnect: () => port.disconnect(),
  };
}
