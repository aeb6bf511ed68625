import {
  createDeviceContext,
  createMachineParts,
  MemoryNetwork,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  Tokens,
} from '@plugboard/core';
import { type I8255xModelName, i8255xPlugins } from '@plugboard/dev-i8255x';

export const CSR = 0xfeb00000;

export async function setup(model: I8255xModelName = 'i82557b', mac = '52:54:00:12:34:56') {
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  const net = new MemoryNetwork();
  parts.container.bind(Tokens.NetworkBackend).toConstantValue(net).whenNamed('net0');
  let irq = false;
  parts.pci.router = {
    setPirq: (_, level) => {
      irq = level;
    },
  };
  const ctx = createDeviceContext(
    parts,
    { requestReset: () => {}, requestShutdown: () => {} },
    { id: 'nic', pci: '00:03.0' },
  );
  const plugin = i8255xPlugins.find((p) => p.meta.id === model)!;
  const nic = await plugin.create(ctx, { mac, netdev: 'net0', romfile: null });
  nic.realize?.();
  const fn = parts.pci.get(3 << 3)!;
  fn.writeConfig(0x10, 4, CSR);
  fn.writeConfig(0x14, 4, 0xc000);
  fn.writeConfig(0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
  const m = parts.memory;
  const h = {
    parts,
    nic,
    net,
    fn,
    dma: parts.dma,
    irq: () => irq,
    in8: (r: number) => m.read8(CSR + r),
    in16: (r: number) => m.read16(CSR + r),
    in32: (r: number) => m.read32(CSR + r),
    out8: (r: number, v: number) => m.write8(CSR + r, v),
    out16: (r: number, v: number) => m.write16(CSR + r, v),
    out32: (r: number, v: number) => m.write32(CSR + r, v),
  };
  return h;
}

export type Nic = Awaited<ReturnType<typeof setup>>;

export function frame(dst: number[], length: number, seed = 0): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set([0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc], 6);
  f[12] = 0x08;
  for (let i = 14; i < length; i++) f[i] = (seed + i) & 0xff;
  return f;
}

export const MY_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
