/** QEMU's VNC display numbers count from this TCP port. */
export const VNC_BASE_PORT = 5900;
/** And `websocket=on` listens from this one. */
export const WEBSOCKET_BASE_PORT = 5700;

export interface DisplayAddress {
  host: string;
  display: number;
  port: number;
}

/**
 * Reads a display as QEMU spells it after `-vnc`: `:1`, `1` or `host:1`
 * (display 1 is TCP port 5901). A host in the spelling wins over `host`.
 */
export function parseDisplay(spec: string | number, host: string): DisplayAddress {
  let display: number;
  if (typeof spec === 'number') display = spec;
  else {
    const m = /^(?:(.*):)?(\d+)$/.exec(spec.trim());
    if (!m)
      throw new Error(`display "${spec}": expected ":N", "N" or "host:N" (display N is TCP port 5900+N)`);
    if (m[1]) host = m[1].replace(/^\[(.*)\]$/, '$1');
    display = Number(m[2]);
  }
  if (!Number.isInteger(display) || display < 0 || display > 65535 - VNC_BASE_PORT)
    throw new Error(`display ${spec}: the number must be 0-${65535 - VNC_BASE_PORT}`);
  return { host, display, port: VNC_BASE_PORT + display };
}
