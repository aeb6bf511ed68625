import type { Container } from 'inversify';
import { Tokens } from '../plugin/tokens.js';
import type { NetworkBackend, NetworkClient, NetworkPort } from './network.js';

/** A NIC's connection with the monitor's link switch (`set_link`). */
export interface PluggedPort extends NetworkPort {
  /** The link as the monitor set it: down, the NIC sees no carrier and frames are dropped both ways. */
  setLink(up: boolean): void;
  /** Up unless `set_link` took it down or the backend lost its peer. */
  readonly linkUp: boolean;
}

/**
 * A NIC's link, bound under `Tokens.NetworkLink` by its plugin (`bindNetworkLink`)
 * for the monitor's `set_link NAME on|off`.
 */
export interface NetworkLinkService {
  /** The NIC's device id and its netdev's id, either of which `set_link` takes. */
  readonly names: readonly string[];
  readonly port: PluggedPort;
}

/** Makes `port` reachable by `set_link` under `names` (the NIC's id, its netdev's). */
export function bindNetworkLink(container: Container, names: readonly string[], port: PluggedPort): void {
  container.bind(Tokens.NetworkLink).toConstantValue({ names, port } satisfies NetworkLinkService);
}

/**
 * Plugs a NIC into a backend across an exception boundary, one try per frame:
 * a frame the NIC cannot take (its receive path threw) or the backend cannot
 * send (a host socket refused it) is dropped and logged once, each way,
 * instead of ending the run or Node's event loop with an uncaught exception.
 * The link the NIC sees is the backend's (a socket peer may close) and the
 * monitor's (`setLink`) together.
 */
export function plugNetwork(
  backend: NetworkBackend,
  nic: NetworkClient,
  log: (message: string) => void,
): PluggedPort {
  const reported = new Set<string>();
  const fail = (what: string, error: unknown) => {
    if (reported.has(what)) return;
    reported.add(what);
    log(
      `${what} failed, frame dropped (reported once): ${error instanceof Error ? error.message : String(error)}`,
    );
  };
  let backendUp = true;
  let adminUp = true;
  const tellNic = (up: boolean) => {
    try {
      nic.linkChanged?.(up);
    } catch (error) {
      fail('link change', error);
    }
  };
  const port = backend.connect({
    receive(frame) {
      if (!adminUp) return;
      try {
        nic.receive(frame);
      } catch (error) {
        fail(`receive from ${backend.id}`, error);
      }
    },
    canReceive() {
      if (!adminUp) return true;
      try {
        return nic.canReceive();
      } catch (error) {
        fail(`receive from ${backend.id}`, error);
        return true;
      }
    },
    linkChanged(up) {
      backendUp = up;
      if (adminUp) tellNic(up);
    },
  });
  return {
    send(frame) {
      if (!adminUp) return;
      try {
        port.send(frame);
      } catch (error) {
        fail(`send to ${backend.id}`, error);
      }
    },
    receiveReady: () => port.receiveReady(),
    disconnect: () => port.disconnect(),
    setLink(up) {
      if (up === adminUp) return;
      adminUp = up;
      if (backendUp) tellNic(up);
      // Frames held while the NIC had no room may flow (and be dropped) now.
      if (!up) port.receiveReady();
    },
    get linkUp() {
      return adminUp && backendUp;
    },
  };
}
