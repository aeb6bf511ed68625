import {
  type ApicMessage,
  createDeviceContext,
  createMachineParts,
  type DeviceContext,
  type MachineParts,
} from '@plugboard/core';

export interface BareMachine {
  parts: MachineParts;
  resets: string[];
  shutdowns: { reason: string; exitCode: number }[];
  /** Level changes of each ISA line, with the virtual time they happened. */
  irqEvents: { line: number; level: boolean; time: number }[];
  /** APIC messages sent on the bus, with their time. */
  messages: (ApicMessage & { time: number })[];
  ctx(id: string, pci?: string): DeviceContext;
  /** Runs timers in deadline order up to `time`, as the machine's idle loop does. */
  runUntil(time: number): void;
  runFor(ns: number): void;
}

export function bareMachine(memoryBytes = 2 << 20): BareMachine {
  const parts = createMachineParts({ memoryBytes });
  const resets: string[] = [];
  const shutdowns: { reason: string; exitCode: number }[] = [];
  const irqEvents: { line: number; level: boolean; time: number }[] = [];
  const messages: (ApicMessage & { time: number })[] = [];
  const system = {
    requestReset: (reason: string) => resets.push(reason),
    requestShutdown: (reason: string, exitCode: number) => shutdowns.push({ reason, exitCode }),
  };
  parts.isaIrqs.connect({
    setInput: (line, level) => irqEvents.push({ line, level, time: parts.clock.now }),
  });
  parts.apicBus.addTarget({
    accepts: () => true,
    deliver: (m) => messages.push({ ...m, time: parts.clock.now }),
  });
  const runUntil = (time: number) => {
    const clock = parts.clock;
    while (clock.nextDeadline <= time) {
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
    }
    clock.advanceTo(time);
    clock.runDue();
  };
  return {
    parts,
    resets,
    shutdowns,
    irqEvents,
    messages,
    ctx: (id, pci) => createDeviceContext(parts, system, { id, pci: pci ?? null }),
    runUntil,
    runFor: (ns) => runUntil(parts.clock.now + ns),
  };
}
