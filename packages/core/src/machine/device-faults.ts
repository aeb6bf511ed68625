import type { PortBus } from '../io/port-bus.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { PciBus } from '../pci/pci-bus.js';
import type { Clock } from '../time/clock.js';
import type { MachineHooks } from './hooks.js';
import type { MachineDevice } from './machine.js';

/**
 * The run loop's exception boundary. A device whose handler, or timer
 * callback, throws (a bug a guest found) must not end the run: the machine
 * names it from what was in flight (the bus access or the timer), logs the
 * first failure of each device, puts it back in its reset state and runs on.
 * The CPU handles its own faults before they get here; anything that escapes
 * with nothing in flight is the emulator's own bug and still ends the run.
 */
export class DeviceFaults {
  private readonly reported = new Set<string>();
  /** Failures caught since power-on, every device together. */
  count = 0;

  constructor(
    private readonly parts: {
      ports: PortBus;
      memory: PhysicalMemory;
      pci: PciBus;
      clock: Clock;
      hooks: MachineHooks;
      devices: readonly MachineDevice[];
    },
  ) {}

  /** A slice of instructions threw: blames the bus access in flight; false when there was none. */
  accessFailed(error: unknown): boolean {
    const { ports, memory, pci } = this.parts;
    const name =
      pci.activeFunction?.name ??
      memory.activeRegion?.name ??
      (ports.active >= 0 ? (ports.claimAt(ports.active)?.name ?? null) : null);
    this.clearInFlight();
    if (name === null) return false;
    this.isolate(name, error);
    return true;
  }

  /**
   * A timer callback threw: blames the device that made the timer (a timer
   * named without its device's id, `i8254 OUT0`, is named after it here);
   * false when no timer was firing.
   */
  timerFailed(error: unknown): boolean {
    const timer = this.parts.clock.firing;
    this.clearInFlight();
    if (timer === null) return false;
    const { owner, name } = timer;
    this.isolate(
      owner === null || name === owner || name.startsWith(`${owner} `) ? name : `${owner} ${name}`,
      error,
    );
    return true;
  }

  private clearInFlight(): void {
    this.parts.ports.active = -1;
    this.parts.memory.activeRegion = null;
    this.parts.pci.activeFunction = null;
    this.parts.clock.firing = null;
  }

  /** Claims, regions, PCI functions and timers are named after their device's id (`nic0 BAR0`). */
  private owner(name: string): MachineDevice | null {
    let best: MachineDevice | null = null;
    for (const d of this.parts.devices) {
      if ((name === d.id || name.startsWith(`${d.id} `)) && (best === null || d.id.length > best.id.length))
        best = d;
    }
    return best;
  }

  private isolate(name: string, error: unknown): void {
    this.count++;
    const device = this.owner(name);
    const source = device?.id ?? name;
    let resetError: unknown = null;
    try {
      device?.device.reset?.();
    } catch (e) {
      resetError = e;
    }
    if (this.reported.has(source)) return;
    this.reported.add(source);
    const what = error instanceof Error ? error.message : String(error);
    const after = device?.device.reset
      ? resetError === null
        ? 'device reset'
        : `its reset failed too: ${resetError instanceof Error ? resetError.message : String(resetError)}`
      : 'access dropped';
    this.parts.hooks.log.call({
      source,
      message: `internal error in ${name}: ${what}; ${after} (reported once)`,
      time: this.parts.clock.now,
    });
  }
}
