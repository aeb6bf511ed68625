import type { DevicePlugin, PluginRegistry } from '@plugboard/core';

/** PCI base classes (the class code's top byte) that QEMU options pick by kind. */
const NETWORK_CLASS = 0x02;
const DISPLAY_CLASS = 0x03;
/** Serial bus controller, USB, UHCI: what QEMU's `-usb` adds to a `pc`. */
const UHCI_CLASS = 0x0c0300;

/**
 * What the installed plugins offer the QEMU front end, read from their
 * manifests: a plugin added by `--plugin` is a `-device` (and, if it is a
 * NIC or a VGA card, a `-net nic,model=` or `-vga`) like a built-in one.
 */
export interface Catalog {
  /** NICs: PCI network controllers with a `netdev` config field. */
  nics: DevicePlugin[];
  /** `-vga NAME` -> plugin: PCI display controllers, named without a `-vga` suffix as QEMU names them. */
  vgas: Map<string, DevicePlugin>;
  /** Plugins `-device NAME` can add: PCI, ISA and USB devices. */
  devices: DevicePlugin[];
  /** `-usb`: the USB UHCI host controllers (PCI class 0c0300), the first of which QEMU's `pc` gets. */
  usbHosts: DevicePlugin[];
  /** CPUID models of the processor plugin. */
  cpuModels: string[];
}

const baseClass = (p: DevicePlugin) => (p.pci ? p.pci.classCode >>> 16 : -1);
const configKeys = (p: DevicePlugin) =>
  Object.keys((p.configSchema.properties as Record<string, unknown> | undefined) ?? {});

export function catalogOf(registry: PluginRegistry): Catalog {
  const plugins = registry.list();
  const nics = plugins.filter(
    (p) => p.kind === 'pci' && baseClass(p) === NETWORK_CLASS && configKeys(p).includes('netdev'),
  );
  const vgas = new Map(
    plugins
      .filter((p) => p.kind === 'pci' && baseClass(p) === DISPLAY_CLASS)
      .map((p) => [p.meta.id.replace(/-vga$/, ''), p] as const),
  );
  const devices = plugins.filter((p) => p.kind === 'pci' || p.kind === 'isa' || p.kind === 'usb');
  const usbHosts = plugins.filter((p) => p.kind === 'pci' && p.pci?.classCode === UHCI_CLASS);
  const cpu = plugins.find((p) => p.kind === 'cpu');
  const model = (cpu?.configSchema.properties as Record<string, { enum?: string[] }> | undefined)?.model;
  return { nics, vgas, devices, usbHosts, cpuModels: model?.enum ?? [] };
}

/** The names of the config fields a plugin takes, for `-device NAME,field=value`. */
export function configFields(plugin: DevicePlugin): Record<string, { type?: string | string[] }> {
  return (plugin.configSchema.properties as Record<string, { type?: string | string[] }> | undefined) ?? {};
}
