import type { PortBus } from '@plugboard/core';
import type { PciConfig } from './pci-config.js';

/** The ISA IRQs PIRQA-D are routed to, as SeaBIOS does on QEMU. */
export const PIRQ_IRQS = [10, 10, 11, 11] as const;
/** SeaBIOS's PIIX4 PM and SMBus I/O bases. */
export const PM_BASE = 0xb000;
export const SMBUS_BASE = 0xb100;
/** The PIIX4's SCI is wired to IRQ9. */
export const SCI_IRQ = 9;

/** Register names from the 82441FX, 82371SB (PIIX3) and 82371AB (PIIX4) datasheets. */
const I440FX = { PAM0: 0x59, PAM5: 0x5e, PAM6: 0x5f } as const;
/** PAM nibble 0b11: reads and writes go to DRAM. */
const PAM_RAM = 0x3;
const PIIX3 = { PIRQRC: 0x60 } as const;
const ELCR1 = 0x4d0;
const ELCR2 = 0x4d1;
const PIIX_IDE = { IDETIM_PRIMARY: 0x40, IDETIM_SECONDARY: 0x42 } as const;
/** IDETIM bit 15: the channel's legacy ports decode. */
const IDETIM_IDE = 0x8000;
const PIIX4_PM = { INTERRUPT_LINE: 0x3c, PMBA: 0x40, PMREGMISC: 0x80, SMBBA: 0x90, SMBHSTCFG: 0xd2 } as const;
/** SMBHSTCFG: host enabled, interrupt select IRQ9. */
const SMBHSTCFG_IRQ9_ENABLE = 0x09;
const IO_SPACE_INDICATOR = 0x01;

/** What a chipset function's set-up needs besides its own configuration space. */
export interface ChipsetContext {
  ports: PortBus;
}

/**
 * The per-chip set-up a BIOS does, keyed by vendor:device: the i440FX's PAM
 * turns 0xE0000-0xFFFFF to RAM (for the ACPI tables), the PIIX3 routes
 * PIRQA-D and marks their IRQs level-triggered in ELCR, the IDE function
 * decodes both legacy channels, and the PIIX4 PM gets its PM and SMBus I/O
 * blocks and the SCI line.
 */
export const CHIPSET_SETUP: Record<string, (fn: PciConfig, ctx: ChipsetContext) => void> = {
  '8086:1237': (fn) => {
    fn.write8(I440FX.PAM0, PAM_RAM << 4);
    fn.write8(I440FX.PAM5, (PAM_RAM << 4) | PAM_RAM);
    fn.write8(I440FX.PAM6, (PAM_RAM << 4) | PAM_RAM);
  },
  '8086:7000': (fn, ctx) => {
    const elcr = [0, 0];
    PIRQ_IRQS.forEach((irq, pirq) => {
      fn.write8(PIIX3.PIRQRC + pirq, irq);
      elcr[irq >> 3] |= 1 << (irq & 7);
    });
    ctx.ports.out8(ELCR1, elcr[0]);
    ctx.ports.out8(ELCR2, elcr[1]);
  },
  '8086:7010': (fn) => {
    fn.write16(PIIX_IDE.IDETIM_PRIMARY, IDETIM_IDE);
    fn.write16(PIIX_IDE.IDETIM_SECONDARY, IDETIM_IDE);
  },
  '8086:7113': (fn) => {
    fn.write8(PIIX4_PM.INTERRUPT_LINE, SCI_IRQ);
    fn.write32(PIIX4_PM.PMBA, PM_BASE | IO_SPACE_INDICATOR);
    fn.write8(PIIX4_PM.PMREGMISC, 0x01);
    fn.write32(PIIX4_PM.SMBBA, SMBUS_BASE | IO_SPACE_INDICATOR);
    fn.write8(PIIX4_PM.SMBHSTCFG, SMBHSTCFG_IRQ9_ENABLE);
  },
};

/** The functions the built-in firmware cannot do without: the host bridge, the ISA bridge and the PM function. */
export const REQUIRED_CHIPSET: Record<string, string> = {
  '8086:1237': 'an i440FX host bridge',
  '8086:7000': 'a PIIX3 ISA bridge',
  '8086:7113': 'a PIIX4 power management function',
};
