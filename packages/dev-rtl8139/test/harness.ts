import {
  createDeviceContext,
  createMachineParts,
  MemoryNetwork,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  Tokens,
} from '@plugboard/core';
import { rtl8139Plugin } from '@plugboard/dev-rtl8139';

export const IO = 0xc000;

export async function setup(model: 'C' | 'C+' = 'C+', mac = '52:54:00:12:34:56') {
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  const net = new MemoryNetwork();
  parts.container.bind(Tokens.NetworkBackend).toConstantValue(net).whenNamed('net0');
  let irq = false;
  parts.pci.router = {
    setPirq: (_, level) => {
      irq = level;
    },
  };
  const system = { requestReset: () => {}, requestShutdown: () => {} };
  const ctx = createDeviceContext(parts, system, { id: 'nic', pci: '00:03.0' });
  const config = { model, mac, netdev: 'net0', romfile: null };
  const nic = await rtl8139Plugin.create(ctx, config);
  nic.realize?.();
  const fn = parts.pci.get(3 << 3)!;
  fn.writeConfig(0x10, 4, IO);
  fn.writeConfig(0x14, 4, 0xfebd1000);
  fn.writeConfig(0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  const { ports, memory, dma } = parts;
  return {
    parts,
    nic,
    net,
    fn,
    memory,
    dma,
    irq: () => irq,
    in8: (r: number) => ports.in8(IO + r),
    in16: (r: number) => ports.in16(IO + r),
    in32: (r: number) => ports.in32(IO + r),
    out8: (r: number, v: number) => ports.out8(IO + r, v),
    out16: (r: number, v: number) => ports.out16(IO + r, v),
    out32: (r: number, v: number) => ports.out32(IO + r, v),
  };
}

export type Nic = Awaited<ReturnType<typeof setup>>;

/** An Ethernet frame of `length` bytes to `dst`, payload bytes counting up from `seed`. */
export function frame(dst: number[], length: number, seed = 0): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set([0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc], 6);
  f[12] = 0x08;
  f[13] = 0x00;
  for (let i = 14; i < length; i++) f[i] = (seed + i) & 0xff;
  return f;
}

export const MY_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
