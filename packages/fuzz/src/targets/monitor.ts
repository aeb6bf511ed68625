import { createMachineParts, Machine } from '@plugboard/core';
import { Monitor, MonitorError, parseCommandLine } from '@plugboard/monitor';
import type { FuzzTarget } from '../target.js';

/**
 * Command lines for the monitor's parser and its commands that only read
 * (help, info): ones that write host files (screendump), end the run or
 * wait on the guest are left out. A command that fails other than with its
 * own error message (`Error: ...`, an exception the monitor caught) is a finding.
 */
const SAFE = /^\s*(help|\?|info)\b/;

let monitor: Monitor | null = null;

export const target: FuzzTarget = {
  name: 'monitor',
  seeds() {
    return [
      'help',
      'info pci',
      'info registers',
      'help info',
      'info "network" \\x',
      "info 'status'",
      'info block extra args',
    ].map((s) => Uint8Array.from(Buffer.from(s, 'latin1')));
  },
  async run(input) {
    monitor ??= new Monitor(new Machine(createMachineParts({ name: 'fuzz', memoryBytes: 1 << 20 })));
    const line = Buffer.from(input).toString('latin1').slice(0, 4096);
    try {
      parseCommandLine(line);
    } catch (err) {
      if (!(err instanceof MonitorError)) throw err;
    }
    if (!SAFE.test(line)) return;
    const reply = await monitor.execute(line);
    if (reply.startsWith('Error: ')) throw new Error(`monitor ${JSON.stringify(line)}: ${reply}`);
  },
};
