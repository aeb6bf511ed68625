import { PciBus, type PhysicalMemory, type PortBus } from '@plugboard/core';
import type { AcpiPlatform } from '../acpi/platform.js';
import { CHIPSET_SETUP, PIRQ_IRQS, PM_BASE, REQUIRED_CHIPSET, SCI_IRQ } from './chipset.js';
import { LOCAL_APIC_ADDRESS, probeIoapic } from './ioapic.js';
import { enumerate } from './pci-config.js';
import { assignResources, enableFunctions, PCI_MEM_END } from './pci-resources.js';

/** QEMU's GPE0 block on the PIIX4, and the APM port values its FADT names. */
const GPE0_BASE = 0xafe0;
const GPE0_LENGTH = 4;
const APM_COMMAND = 0xb2;
const ACPI_ENABLE = 0xf1;
const ACPI_DISABLE = 0xf0;
/** The PIIX4's SUS_TYP for soft-off. */
const PIIX4_SOFT_OFF = 0;

/** Names the chipset functions the machine lacks, or returns an empty list. */
export function missingChipset(pci: PciBus): string[] {
  const ids = new Set(enumerate(pci).map((fn) => fn.id));
  return Object.entries(REQUIRED_CHIPSET)
    .filter(([id]) => !ids.has(id))
    .map(([id, what]) => `${what} (${id})`);
}

/**
 * What a BIOS does to the platform before it loads an OS, through PCI
 * configuration space, ports and memory only: every BAR assigned and
 * decoding, INTERRUPT_LINE set from the PIRQ routing, then each chipset
 * function's own set-up. Returns what the ACPI tables must describe.
 */
export function setUpPlatform(pci: PciBus, ports: PortBus, memory: PhysicalMemory): AcpiPlatform {
  const functions = enumerate(pci);
  assignResources(functions, memory.ramSize);
  enableFunctions(functions, (slot, pin) => PIRQ_IRQS[PciBus.pirqOf(slot, pin)]);
  for (const fn of functions) CHIPSET_SETUP[fn.id]?.(fn, { ports });
  return {
    pmBase: PM_BASE,
    gpe0Base: GPE0_BASE,
    gpe0Length: GPE0_LENGTH,
    sciIrq: SCI_IRQ,
    smiCommand: APM_COMMAND,
    acpiEnable: ACPI_ENABLE,
    acpiDisable: ACPI_DISABLE,
    softOffType: PIIX4_SOFT_OFF,
    pirqIrqs: PIRQ_IRQS,
    pirqOf: PciBus.pirqOf,
    pciMemoryStart: memory.ramSize,
    pciMemoryEnd: PCI_MEM_END - 1,
    localApicAddress: LOCAL_APIC_ADDRESS,
    ioapic: probeIoapic(memory),
  };
}
