/** One PCI class (base class and sub-class) as the two tools users compare with spell it. */
interface PciClassName {
  /** pci.ids, as `lspci` prints it. */
  lspci: string;
  /** QEMU's `info pci`. */
  qemu: string;
}

const NAMES: Record<number, PciClassName> = {
  256: { lspci: 'SCSI storage controller', qemu: 'SCSI controller' },
  257: { lspci: 'IDE interface', qemu: 'IDE controller' },
  262: { lspci: 'SATA controller', qemu: 'SATA controller' },
  512: { lspci: 'Ethernet controller', qemu: 'Ethernet controller' },
  768: { lspci: 'VGA compatible controller', qemu: 'VGA controller' },
  896: { lspci: 'Display controller', qemu: 'Display controller' },
  1024: { lspci: 'Multimedia video controller', qemu: 'Video controller' },
  1025: { lspci: 'Multimedia audio controller', qemu: 'Audio controller' },
  1027: { lspci: 'Audio device', qemu: 'Audio controller' },
  1536: { lspci: 'Host bridge', qemu: 'Host bridge' },
  1537: { lspci: 'ISA bridge', qemu: 'ISA bridge' },
  1540: { lspci: 'PCI bridge', qemu: 'PCI bridge' },
  1664: { lspci: 'Bridge', qemu: 'Bridge' },
  3075: { lspci: 'USB controller', qemu: 'USB controller' },
};

/** The name of class `cls` (base class << 8 | sub-class) in `tool`'s spelling, or `Class xxxx`. */
export function pciClassName(cls: number, tool: keyof PciClassName): string {
  return NAMES[cls]?.[tool] ?? `Class ${cls.toString(16).padStart(4, '0')}`;
}
