/** What the ACPI tables describe: the facts the platform set-up found or chose. */
export interface AcpiPlatform {
  /** PIIX4 PM I/O block (PM1a event at +0, PM1a control at +4, PM timer at +8). */
  pmBase: number;
  /** The GPE0 block and its length in bytes. */
  gpe0Base: number;
  gpe0Length: number;
  /** ISA IRQ of the SCI. */
  sciIrq: number;
  /** The APM command port, and the values that switch SCI_EN on and off there. */
  smiCommand: number;
  acpiEnable: number;
  acpiDisable: number;
  /** SLP_TYP that means soft-off (S5) on this chipset. */
  softOffType: number;
  /** The ISA IRQ each of PIRQA-D is routed to. */
  pirqIrqs: readonly number[];
  /** The PIRQ (0-3) that INTx `pin` (1-4) of `slot` reaches. */
  pirqOf(slot: number, pin: number): number;
  /** The PCI memory hole: from the top of RAM to below the I/O APIC. */
  pciMemoryStart: number;
  pciMemoryEnd: number;
  localApicAddress: number;
  /** The I/O APIC, when the machine has one. */
  ioapic: { id: number; address: number } | null;
}
