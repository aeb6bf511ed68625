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
import type { InputGate, RunPosition } from '../replay/host-inputs.js';
import type { Clock } from '../time/clock.js';
import { UserError } from '../user-error.js';
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
  /** Recording or replaying: the gate host input takes (see `replay/`); null otherwise. */
  inputs: InputGate | null = null;
  /** The channel of the monitor's `system_reset` while recording or replaying. */
  private hostResetInput: ((data: Uint8Array) => void) | null = null;

  private running = false;
  private paused = false;
  private unpowered = false;
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

  /**
   * True while the machine is as `buildMachine` left it with `powerOn:
   * false`: no reset has run, so no firmware has loaded anything and RAM is
   * all zeros. A reset, a run (which resets first) or a snapshot load ends it.
   */
  get awaitingPowerOn(): boolean {
    return this.unpowered;
  }

  /** `buildMachine` with `powerOn: false`: the machine is left without its power-on reset. */
  holdPowerOn(): void {
    this.unpowered = true;
  }

  /** A snapshot was loaded: the machine is on at the snapshot's moment, without a reset. */
  stateLoaded(): void {
    this.unpowered = false;
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
    if (this.paused) {
      this.paused = false;
      this.hooks.resume.call(this);
    }
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

  /** Instructions retired and virtual time: where host input is logged. */
  position(): RunPosition {
    return { instructions: this.retired, time: this.clock.now };
  }

  /** Puts host input behind `gate` (record or replay); `buildMachine` does it before creating devices. */
  gateInputs(gate: InputGate): void {
    if (this.clock.options.mode !== 'instructions')
      throw new UserError(`${this.name}: record and replay need "clock": {"mode": "instructions"}`);
    this.inputs = gate;
    gate.attach(this);
    this.clock.detachHostTimers();
    this.hostResetInput = gate.channel('monitor:system_reset', (data) =>
      this.requestReset(new TextDecoder().decode(data)),
    );
  }

  /** A reset asked by the host (the monitor's `system_reset`), logged when recording. */
  requestHostReset(reason: string): void {
    if (this.hostResetInput) this.hostResetInput(new TextEncoder().encode(reason));
    else this.requestReset(reason);
  }

  device<T extends Device = Device>(id: string): T | undefined {
    return this.devices.find((d) => d.id === id)?.device as T | undefined;
  }

  /**
   * A reset: it happens between slices, and the slice ends after the
   * instruction that asked, so where it happens does not depend on slicing.
   */
  requestReset(reason: string): void {
    this.clock.endSlice();
    if (this.noReboot) this.requestShutdown(`${reason} (-no-reboot)`, 0);
    else this.resetReason = reason;
    this.wake();
  }

  requestShutdown(reason: string, exitCode: number): void {
    this.clock.endSlice();
    this.stopEvent ??= { reason, exitCode };
    this.wake();
  }

  /** Ends an idle wait early: an interrupt pin rose or host input arrived. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /**
   * Every device's `prepareReset`: awaited before each reset the machine
   * makes itself (the power-on in `buildMachine`, a run's first, a guest's
   * or the monitor's); a caller of `reset` awaits it first.
   */
  async prepareReset(): Promise<void> {
    for (const d of this.devices) await d.device.prepareReset?.();
  }

  /** Power-on or system reset: every device, then the CPU (after `prepareReset`). */
  reset(): void {
    this.unpowered = false;
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
    if (this.unpowered) {
      await this.prepareReset();
      this.reset();
    }
    const limit = options.maxInstructions ?? Number.POSITIVE_INFINITY;
    const clock = this.clock;
    const inputs = this.inputs;
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
        if (inputs !== null) {
          // The sync point: host input (held while recording, logged when replaying) reaches the guest here.
          this.runHostTimers();
          inputs.sync();
          if (this.stopEvent !== null) break;
        }
        if (this.resetReason !== null) {
          this.resetReason = null;
          await this.prepareReset();
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
        let budget = Math.min(clock.instructionsUntilDeadline(), SLICE, left);
        if (inputs !== null) budget = Math.min(budget, inputs.instructionsUntilNext());
        const ran = budget > 0 ? this.runSlice(cpu, budget) : 0;
        clock.advance(ran);
        if (ran === 0 && budget > 0 && cpu.halted) await this.idle(cpu.interruptible);
        this.runTimers();
        if (clock.options.pace && clock.options.mode === 'instructions' && inputs?.mode !== 'replay') {
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
    inputs?.finish(event);
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

  /** Host-side timers (user-mode networking) while recording: between slices, inside the boundary. */
  private runHostTimers(): void {
    for (;;) {
      try {
        this.clock.runHostDue();
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
    this.inputs?.close();
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
    // What follows depends on host time: the recording logs where it ended, the replay goes there.
    if (this.inputs?.mode === 'replay') {
      clock.advanceTo(this.inputs.idle() as number);
      return;
    }
    await this.hostIdle(deadline);
    this.inputs?.idle();
  }

  private async hostIdle(deadline: number): Promise<void> {
    const clock = this.clock;
    const realTime = clock.options.mode === 'host' || clock.options.pace;
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
