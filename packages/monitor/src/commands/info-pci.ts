import {
  type Machine,
  PCI_BASE_ADDRESS_0,
  PCI_CLASS_DEVICE,
  PCI_DEVICE_ID,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_ROM_ADDRESS,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
  type PciFunction,
  pciClassName,
} from '@plugboard/core';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * QEMU's `info pci`: every function of bus 0 with its class, IDs, interrupt
 * and BARs as the guest programmed them, read through the bus's config space.
 * A BAR the bus does not decode now (its command bit is clear, or it overlaps
 * another decoder) is marked so.
 */
export function infoPci(machine: Machine): string {
  const pci = machine.pci;
  const mappings = pci.mappings();
  const lines: string[] = [];
  for (const fn of pci.list()) {
    const address = fn.address;
    if (!address) continue;
    const devfn = (address.device << 3) | address.function;
    const read = (offset: number, size: 1 | 2 | 4) => pci.readConfig(0, devfn, offset, size);
    const cls = read(PCI_CLASS_DEVICE, 2);
    lines.push(
      `  Bus ${String(address.bus).padStart(2)}, device ${String(address.device).padStart(3)}, function ${address.function}:`,
    );
    lines.push(
      `    ${pciClassName(cls, 'qemu')}: PCI device ${hex(read(PCI_VENDOR_ID, 2), 4)}:${hex(read(PCI_DEVICE_ID, 2), 4)}`,
    );
    lines.push(
      `      PCI subsystem ${hex(read(PCI_SUBSYSTEM_VENDOR_ID, 2), 4)}:${hex(read(PCI_SUBSYSTEM_ID, 2), 4)}`,
    );
    const pin = read(PCI_INTERRUPT_PIN, 1);
    if (pin >= 1 && pin <= 4)
      lines.push(`      IRQ ${read(PCI_INTERRUPT_LINE, 1)}, pin ${String.fromCharCode(0x40 + pin)}`);
    const isDecoded = (index: number) => mappings.some((m) => m.fn === fn && m.mapping.index === index);
    lines.push(...bars(fn, read, isDecoded));
    // Devices name their function by their profile id.
    lines.push(`      id "${fn.name}"`);
  }
  return lines.join('\n');
}

function bars(
  fn: PciFunction,
  read: (offset: number, size: 1 | 2 | 4) => number,
  isDecoded: (index: number) => boolean,
): string[] {
  const lines: string[] = [];
  const line = (index: number, what: string, base: number, size: number) => {
    const end = base + size - 1;
    const width = what === 'I/O' ? 4 : 8;
    const off = isDecoded(index) ? '' : ' (not decoded)';
    lines.push(`      BAR${index}: ${what} at 0x${hex(base, width)} [0x${hex(end, width)}].${off}`);
  };
  fn.bars.forEach((bar, index) => {
    if (!bar) return;
    const value = read(PCI_BASE_ADDRESS_0 + index * 4, 4);
    if (bar.kind === 'io') {
      line(index, 'I/O', value & 0xfffc, bar.size);
      return;
    }
    const bits = bar.kind === 'mem64' ? 64 : 32;
    const high = bits === 64 ? read(PCI_BASE_ADDRESS_0 + index * 4 + 4, 4) : 0;
    const base = high * 2 ** 32 + ((value & 0xfffffff0) >>> 0);
    line(index, `${bits} bit${bar.prefetchable ? ' prefetchable' : ''} memory`, base, bar.size);
  });
  if (fn.rom) line(6, '32 bit memory', (read(PCI_ROM_ADDRESS, 4) & 0xfffff800) >>> 0, fn.rom.length);
  return lines;
}
