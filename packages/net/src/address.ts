/** A `host:port` of QEMU's socket options; `[v6]:port` for IPv6; an empty host means `defaultHost`. */
export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string, field: string, defaultHost = '127.0.0.1'): HostPort {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535)
    throw new Error(`${field}: expected host:port such as 127.0.0.1:1234, got "${text}"`);
  return { host: m[1] ?? (m[2] || defaultHost), port };
}
