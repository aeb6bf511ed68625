import type { Container } from 'inversify';
import type { Cpu } from '../cpu/cpu.js';
import type { Dma } from '../dma/dma.js';
import type { PortBus } from '../io/port-bus.js';
import type { ApicBus } from '../irq/apic-bus.js';
import type { CpuPins } from '../irq/cpu-pins.js';
import type { IrqLines } from '../irq/irq-line.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { PciBus } from '../pci/pci-bus.js';
import { queueHostTask } from '../platform/host-task.js';
import type { SystemControl } from '../plugin/context.js';
import type { Device, DevicePlugin } from '../plugin/manifest.js';
import type { Clock } from '../time/clock.js';
import { DeviceFaults } from './device-faults.js';
import type { MachineHooks, ShutdownEvent } from './hooks.js';

/** A built device with the profile entry it came from. */
export interface MachineDevice {
  id: string;
  plugin: DevicePlugin;
  /** Its config as validated, defaults filled in. */
  config: Record<string, unknown>;
  device: Device;
}

export interface MachineParts {
  name: string;
  memory: PhysicalMemory;
  ports: PortBus;
  pci: PciBus;
  isaIrqs: IrqLines;
  cpuPins: CpuPins;
  apicBus: ApicBus;
  dma: Dma;
  clock: Clock;
  hooks: MachineHooks;
  container: Container;
}

/** Instructions per slice: short enough that host I/O and timers stay responsive. */
const SLICE = 100_000;
/** Host milliseconds between yields to the host's event loop (sockets, stdin, timers, a page's rendering). */
const YIELD_MS = 8;

/**
 * A built machine: the buses, the devices, the CPU and the run loop that
 * turns executed instructions into virtual time.
 */
export class Machine implements SystemControl {
  readonly name: string;
  readonly memory: PhysicalMemory;
  readonly ports: PortBus;
  readonly pci: PciBus;
  readonly isaIrqs: IrqLines;
  readonly cpuPins: CpuPins;
  readonly apicBus: ApicBus;
  readonly dma: Dma;
  readonly clock: Clock;
  readonly hooks: MachineHooks;
  readonly container: Container;
  readonly devices: MachineDevice[] = [];
  cpu: Cpu | null = null;
  /** What `-no-reboot` asks: a guest reset ends the run instead. */
  noReboot = false;
  /** The boundary that keeps a throwing device from ending the run. */
  readonly faults: DeviceFaults;

  private running = false;
  private paused = false;
  private resetReason: string | null = null;
  private stopEvent: ShutdownEvent | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(parts: MachineParts) {
    this.name = parts.name;
    this.memory = parts.memory;
    this.ports = parts.ports;
    this.pci = parts.pci;
    this.isaIrqs = parts.isaIrqs;
    this.cpuPins = parts.cpuPins;
    this.apicBus = parts.apicBus;
    this.dma = parts.dma;
    this.clock = parts.clock;
    this.hooks = parts.hooks;
    this.container = parts.container;
    this.cpuPins.onWake = () => this.wake();
    this.faults = new DeviceFaults(this);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Stopped by `pause` (the monitor's `stop`): a run waits, time stands still, until `resume`. */
  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.hooks.pause.call(this);
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /**
   * Instructions retired since power-on, exact inside a run slice too (a
   * device access sees the count of the instruction making it), so a trace
   * line or a captured frame can say where in the run it happened.
   */
  get retired(): number {
    return (this.cpu?.instructionCount ?? 0) + this.clock.retired;
  }

  device<T extends Device = Device>(id: string): T | undefined {
    return this.devices.find((d) => d.id === id)?.device as T | undefined;
  }

  requestReset(reason: string): void {
    if (this.noReboot) this.requestShutdown(`${reason} (-no-reboot)`, 0);
    else this.resetReason = reason;
    this.wake();
  }

  requestShutdown(reason: string, exitCode: number): void {
    this.stopEvent ??= { reason, exitCode };
    this.wake();
  }

  /** Ends an idle wait early: an interrupt pin rose or host input arrived. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /** Power-on or system reset: every device, then the CPU. */
  reset(): void {
    for (const d of this.devices) d.device.reset?.();
    this.hooks.reset.call(this);
  }

  /**
   * Runs until the guest powers off, a device asks to stop, or the CPU has
   * retired `maxInstructions` since power-on. Resolves with why it stopped;
   * calling it again continues the same machine.
   */
  async run(options: { maxInstructions?: number; signal?: AbortSignal } = {}): Promise<ShutdownEvent> {
    const cpu = this.cpu;
    if (!cpu) throw new Error(`${this.name}: the profile has no CPU`);
    const limit = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    const clock = this.clock;
    // A run may follow another that stopped (an instruction limit, a pause).
    this.stopEvent = null;
    this.running = true;
    this.hooks.run.call(this);
    let lastYield = performance.now();
    const onAbort = () => this.wake();
    options.signal?.addEventListener('abort', onAbort);
    try {
      while (this.stopEvent === null) {
        if (options.signal?.aborted) this.requestShutdown('aborted', 1);
        if (this.resetReason !== null) {
          this.resetReason = null;
          this.reset();
        }
        if (this.paused) {
          await new Promise<void>((resolve) => {
            this.wakeUp = resolve;
          });
          lastYield = performance.now();
          continue;
        }
        const left = limit - cpu.instructionCount;
        if (left <= 0) {
          this.requestShutdown('instruction limit reached', 0);
          break;
        }
        const budget = Math.min(clock.instructionsUntilDeadline(), SLICE, left);
        const ran = budget > 0 ? this.runSlice(cpu, budget) : 0;
        clock.advance(ran);
        if (ran === 0 && budget > 0 && cpu.halted) await this.idle(cpu.interruptible);
        this.runTimers();
        if (clock.options.pace && clock.options.mode === 'instructions') {
          const ahead = (clock.now - clock.hostNow()) / 1e6;
          if (ahead > 2) await sleep(Math.min(ahead, 50));
        }
        if (performance.now() - lastYield > YIELD_MS) {
          await new Promise<void>((r) => queueHostTask(r));
          lastYield = performance.now();
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.running = false;
    }
    const event = this.stopEvent ?? { reason: 'stopped', exitCode: 0 };
    this.hooks.shutdown.call(this, event);
    return event;
  }

  /**
   * One slice, inside the exception boundary: one try per slice costs nothing
   * per instruction, and guest faults never reach it (the CPU delivers them
   * itself). A device that threw is reset and the slice ends after the
   * instructions retired before the failed access.
   */
  private runSlice(cpu: Cpu, budget: number): number {
    try {
      return cpu.run(budget);
    } catch (error) {
      if (!this.faults.accessFailed(error)) throw error;
      return this.clock.retired;
    }
  }

  /** Fires due timers; a callback that throws is its device's failure, and the other timers still fire. */
  private runTimers(): void {
    for (;;) {
      try {
        this.clock.runDue();
        return;
      } catch (error) {
        if (!this.faults.timerFailed(error)) throw error;
      }
    }
  }

  /** Stops a run, then releases every device's host resources. */
  async destroy(): Promise<void> {
    this.requestShutdown('destroyed', 0);
    for (const d of [...this.devices].reverse()) await d.device.destroy?.();
  }

  /**
   * The CPU is halted. Deterministic time jumps to the next timer; host and
   * paced time wait for the host. A CPU halted with maskable interrupts off
   * (`cli; hlt`) wakes only for an NMI or a reset, so there time follows the
   * host too rather than racing through timers at full host speed.
   */
  private async idle(interruptible: boolean): Promise<void> {
    const clock = this.clock;
    const deadline = clock.nextDeadline;
    const realTime = clock.options.mode === 'host' || clock.options.pace;
    if (!realTime && interruptible && deadline !== Number.POSITIVE_INFINITY) {
      clock.advanceTo(deadline);
      return;
    }
    if (!realTime) {
      const from = performance.now();
      await this.hostWait(Math.min(50, (deadline - clock.now) / 1e6));
      clock.advanceTo(Math.min(deadline, clock.now + (performance.now() - from) * 1e6));
      return;
    }
    await this.hostWait(
      deadline === Number.POSITIVE_INFINITY ? 50 : Math.max(0, (deadline - clock.hostNow()) / 1e6),
    );
    if (clock.options.mode === 'host') clock.advance(0);
    else if (deadline !== Number.POSITIVE_INFINITY && clock.hostNow() >= deadline) clock.advanceTo(deadline);
    else clock.advanceTo(Math.min(deadline, clock.hostNow()));
  }

  /** Waits up to `ms` (at most 50) of host time, or until `wake`. */
  private async hostWait(ms: number): Promise<void> {
    if (ms <= 0.5) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake(), Math.min(ms, 50));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
