import { UserError } from '@plugboard/core';

/** Where the monitor goes, as `-monitor` and `plugboard run --monitor` spell it. */
export type MonitorSpec = { type: 'stdio' } | { type: 'tcp'; host: string; port: number; wait: boolean };

export class MonitorSpecError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorSpecError';
  }
}

/** `stdio`, `tcp:[HOST]:PORT,server[,nowait]` or `none` (null). */
export function parseMonitorSpec(spec: string): MonitorSpec | null {
  if (spec === 'none') return null;
  if (spec === 'stdio' || spec === 'mon:stdio') return { type: 'stdio' };
  const m = /^tcp:([^:,]*):(\d+)((?:,[a-z]+(?:=[a-z]+)?)*)$/.exec(spec);
  if (m) {
    const props = m[3].split(',').filter(Boolean);
    const port = Number(m[2]);
    if (port > 65535) throw new MonitorSpecError(`monitor ${spec}: port ${port} is out of range`);
    if (!props.some((p) => p === 'server' || p === 'server=on'))
      throw new MonitorSpecError(`monitor ${spec}: only a listening monitor is supported: add ,server`);
    const unknown = props.filter((p) => !/^(server|nowait|wait)(=(on|off))?$/.test(p));
    if (unknown.length) throw new MonitorSpecError(`monitor ${spec}: unknown option ${unknown.join(', ')}`);
    const wait = !props.some((p) => p === 'nowait' || p === 'wait=off');
    return { type: 'tcp', host: m[1] || '127.0.0.1', port, wait };
  }
  throw new MonitorSpecError(`monitor ${spec}: expected stdio, tcp:HOST:PORT,server[,nowait] or none`);
}
