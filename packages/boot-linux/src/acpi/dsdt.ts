import {
  type Aml,
  buffer,
  device,
  eisaId,
  integer,
  method,
  name,
  packageOf,
  reference,
  returnValue,
  scope,
} from './aml.js';
import type { AcpiPlatform } from './platform.js';
import { busNumbers, interrupt, ioPort, ioWindow, memoryWindow, template } from './resources.js';
import { table } from './table.js';

const LINKS = ['LNKA', 'LNKB', 'LNKC', 'LNKD'];
/** _STA: present, enabled, functioning (not shown in the UI). */
const STA_PRESENT = 0x0b;

/**
 * A PCI interrupt link device for one PIRQ, fixed at the IRQ the firmware
 * routed it to: level, active high and shared, as the PIIX3 drives it to
 * both the 8259 and the I/O APIC. _SRS accepts and changes nothing, which is
 * all Linux needs to "set" the only IRQ _PRS offers.
 */
function link(index: number, irq: number): Aml {
  const resources = buffer(template(interrupt({ irqs: [irq], level: true, activeHigh: true, shared: true })));
  return device(
    LINKS[index],
    name('_HID', integer(eisaId('PNP0C0F'))),
    name('_UID', integer(index + 1)),
    name('_PRS', resources),
    name('_CRS', resources),
    method('_STA', 0, returnValue(integer(STA_PRESENT))),
    method('_SRS', 1),
  );
}

/**
 * The i8042's keyboard and mouse ports, as QEMU's DSDT lists them: with a
 * revision 1 FADT (no IA-PC boot-architecture flags), Linux's i8042 driver
 * probes the controller only when ACPI names these devices.
 */
function ps2Devices(): Aml[] {
  const edge = (irq: number) => interrupt({ irqs: [irq], level: false, activeHigh: true, shared: false });
  return [
    device(
      'KBD_',
      name('_HID', integer(eisaId('PNP0303'))),
      method('_STA', 0, returnValue(integer(STA_PRESENT))),
      name('_CRS', buffer(template(ioPort(0x60, 0x60, 1, 1), ioPort(0x64, 0x64, 1, 1), edge(1)))),
    ),
    device(
      'MOU_',
      name('_HID', integer(eisaId('PNP0F13'))),
      method('_STA', 0, returnValue(integer(STA_PRESENT))),
      name('_CRS', buffer(template(edge(12)))),
    ),
  ];
}

/**
 * The root bridge's windows: all buses, the configuration ports, I/O
 * around them, the VGA window, and the PCI hole from the top of RAM to the
 * I/O APIC.
 */
function rootBridgeResources(p: AcpiPlatform): Aml {
  return buffer(
    template(
      busNumbers(0x00, 0xff),
      ioPort(0xcf8, 0xcf8, 1, 8),
      ioWindow(0x0000, 0x0cf7),
      ioWindow(0x0d00, 0xffff),
      memoryWindow(0xa0000, 0xbffff, false),
      memoryWindow(p.pciMemoryStart, p.pciMemoryEnd, true),
    ),
  );
}

/**
 * The Differentiated System Description Table: the PCI root bridge with a
 * _PRT sending every slot's INTA-D to the link of its PIRQ (which works the
 * same in PIC and I/O APIC mode, since a link names an ISA IRQ and that IRQ
 * is also the GSI), the i8042's keyboard and mouse, the four links, and
 * \_S5 with the chipset's soft-off
 * SLP_TYP, so the guest's poweroff switches the machine off.
 */
export function buildDsdt(p: AcpiPlatform): Uint8Array {
  const routes: Aml[] = [];
  for (let slot = 0; slot < 32; slot++) {
    for (let pin = 1; pin <= 4; pin++) {
      const address = ((slot << 16) | 0xffff) >>> 0;
      routes.push(
        packageOf(
          integer(address),
          integer(pin - 1),
          reference(`\\_SB.${LINKS[p.pirqOf(slot, pin)]}`),
          integer(0),
        ),
      );
    }
  }
  const prt = packageOf(...routes);
  const aml = [
    ...scope(
      '\\_SB',
      device(
        'PCI0',
        name('_HID', integer(eisaId('PNP0A03'))),
        name('_ADR', integer(0)),
        name('_UID', integer(0)),
        name('_CRS', rootBridgeResources(p)),
        name('_PRT', prt),
        ...ps2Devices(),
      ),
      ...p.pirqIrqs.map((irq, i) => link(i, irq)),
    ),
    ...name('\\_S5', packageOf(...[0, 0, 0, 0].map((_, i) => integer(i < 2 ? p.softOffType : 0)))),
  ];
  return table('DSDT', 1, Uint8Array.from(aml));
}
