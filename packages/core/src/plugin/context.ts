import type { Container } from 'inversify';
import type { Dma } from '../dma/dma.js';
import type { PortBus } from '../io/port-bus.js';
import type { ApicBus } from '../irq/apic-bus.js';
import type { CpuPins } from '../irq/cpu-pins.js';
import type { IrqLine, IrqLines } from '../irq/irq-line.js';
import type { MachineHooks } from '../machine/hooks.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { PciAddress } from '../pci/address.js';
import type { PciBus } from '../pci/pci-bus.js';
import type { Clock } from '../time/clock.js';

/** Asks the machine to reset or stop; devices such as 0xCF9, the i8042 and ACPI S5 use it. */
export interface SystemControl {
  requestReset(reason: string): void;
  requestShutdown(reason: string, exitCode: number): void;
}

/**
 * Everything a device may touch: core's buses and services. A plugin gets
 * one per device it builds, with that device's id, PCI address, IRQs and
 * the directory relative paths in its config are resolved against.
 */
export interface DeviceContext {
  /** The profile key of this device, e.g. `nic0`. */
  readonly id: string;
  readonly memory: PhysicalMemory;
  readonly ports: PortBus;
  readonly pci: PciBus;
  /** The 16 ISA interrupt lines (wired to the 8259s and the I/O APIC by the chipset). */
  readonly isaIrqs: IrqLines;
  readonly cpuPins: CpuPins;
  readonly apicBus: ApicBus;
  readonly dma: Dma;
  readonly clock: Clock;
  readonly hooks: MachineHooks;
  readonly system: SystemControl;
  /** The machine's container, for services plugins provide to each other (see Tokens). */
  readonly container: Container;
  /** `pci` of the profile entry, when it has one. */
  readonly pciAddress: PciAddress | null;
  /** `irq` of the profile entry: ISA IRQ numbers this device drives. */
  readonly irqs: readonly number[];
  /** Resolves a path from the profile against the profile's own directory. */
  resolvePath(path: string): string;
  /**
   * Finds a firmware file (a BIOS, an option ROM): a name with a slash is a
   * path, resolved like `resolvePath`; a bare name is looked up in the
   * machine's firmware directories (QEMU's -L). Throws naming what it searched.
   */
  findFirmware(name: string): string;
  /**
   * Reads a whole file named by `resolvePath` or `findFirmware` (a path in
   * Node, a URL in a page): `what` it should be and at most `maxBytes`
   * (`HostFiles.read`); rejects with a `UserError` naming it.
   */
  readFile(path: string, what: string, maxBytes: number): Promise<Uint8Array>;
  /** A line onto ISA IRQ `n`. */
  isaIrq(n: number): IrqLine;
  /** Logs a message attributed to this device (shown with --verbose, always kept for `info log`). */
  log(message: string): void;
}
