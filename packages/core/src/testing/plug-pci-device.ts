import { createDeviceContext, createMachineParts } from '../machine/build.js';
import type { MachineParts } from '../machine/machine.js';
import type { NetworkBackend } from '../net/network.js';
import type { PciFunction } from '../pci/pci-function.js';
import { PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY } from '../pci/registers.js';
import type { Device, DevicePlugin } from '../plugin/manifest.js';
import { Tokens } from '../plugin/tokens.js';

export interface PlugPciOptions {
  /** The device's id, as a profile would name it (default: the plugin's type). */
  id?: string;
  /** Device number on bus 0 (function 0). */
  slot: number;
  /** Addresses written to BAR0, BAR1, ... in order. */
  bars: readonly number[];
  memoryBytes?: number;
  /** Network backends by the netdev id a NIC's config names. */
  netdevs?: Record<string, NetworkBackend>;
}

export interface PluggedPciDevice<D extends Device> {
  parts: MachineParts;
  device: D;
  fn: PciFunction;
  /** The level of the device's INTx pin as the interrupt router last saw it. */
  irq(): boolean;
}

/**
 * One PCI device plugged alone into fresh machine parts, its BARs programmed
 * and I/O, memory and bus-master decoding on, as firmware leaves it: the
 * machine a device plugin's own tests drive it in.
 */
export async function plugPciDevice<C, D extends Device>(
  plugin: DevicePlugin<C, D>,
  config: C,
  options: PlugPciOptions,
): Promise<PluggedPciDevice<D>> {
  const parts = createMachineParts({ memoryBytes: options.memoryBytes ?? 4 << 20 });
  for (const [id, net] of Object.entries(options.netdevs ?? {}))
    parts.container.bind(Tokens.NetworkBackend).toConstantValue(net).whenNamed(id);
  let irq = false;
  parts.pci.router = {
    setPirq: (_, level) => {
      irq = level;
    },
  };
  const pci = `00:${options.slot.toString(16).padStart(2, '0')}.0`;
  const ctx = createDeviceContext(
    parts,
    { requestReset: () => {}, requestShutdown: () => {} },
    { id: options.id ?? plugin.meta.id, pci },
  );
  const device = await plugin.create(ctx, config);
  await device.realize?.();
  const fn = parts.pci.get(options.slot << 3);
  if (fn === null) throw new Error(`${plugin.meta.id}: no PCI function appeared at ${pci}`);
  for (const [i, address] of options.bars.entries()) fn.writeConfig(0x10 + 4 * i, 4, address);
  fn.writeConfig(0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  return { parts, device, fn, irq: () => irq };
}
