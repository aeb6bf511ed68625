import type { Device } from '../plugin/manifest.js';
import { ConfigError } from '../plugin/registry.js';
import type { TraceFilter } from './trace-filter.js';
import type { RegisterTraceWriter } from './trace-writer.js';

/**
 * Taps the register trace of every device `filter` names and sends the
 * accesses it lets through to `writer`. A pattern that names no device with
 * a register trace is an error, so a typo does not silently trace nothing.
 */
export function traceRegisters(
  devices: readonly { id: string; device: Device }[],
  filter: TraceFilter,
  writer: RegisterTraceWriter,
): void {
  const traced = devices.filter((d) => d.device.registerTrace !== undefined);
  const unmatched = filter.unmatched(traced.map((d) => d.id));
  if (unmatched.length > 0) {
    const ids = traced.map((d) => d.id).join(', ') || 'none';
    throw new ConfigError(
      `trace ${unmatched.join(', ')}: no device with a register trace matches (devices with one: ${ids})`,
    );
  }
  for (const d of traced) {
    if (!filter.wantsDevice(d.id)) continue;
    d.device.registerTrace!.tap('trace', (e) => {
      if (filter.matches(e.device, e.register, e.write)) writer.event(e);
    });
  }
}
