/**
 * The host TCP/UDP ports the emulator itself listens on (the monitor, VNC and
 * its WebSocket). User-mode networking maps its gateway to the host's
 * loopback, so without this list a guest could connect to the monitor (whose
 * `screendump` writes any host file) or drive the console through VNC. The
 * listeners add their ports once bound; the network refuses guest
 * connections to them.
 */
export class HostListeners {
  private readonly ports = new Map<number, string>();

  add(port: number, what: string): void {
    this.ports.set(port, what);
  }

  delete(port: number): void {
    this.ports.delete(port);
  }

  /** What listens on `port`, or undefined when the emulator does not. */
  get(port: number): string | undefined {
    return this.ports.get(port);
  }
}
