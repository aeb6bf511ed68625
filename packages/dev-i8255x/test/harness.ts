import { MemoryNetwork } from '@plugboard/core';
import { plugPciDevice } from '@plugboard/core/testing';
import { type I8255xModelName, i8255xPlugins } from '@plugboard/dev-i8255x';

export const CSR = 0xfeb00000;

export async function setup(model: I8255xModelName = 'i82557b', mac = '52:54:00:12:34:56') {
  const net = new MemoryNetwork();
  const plugin = i8255xPlugins.find((p) => p.meta.id === model)!;
  const {
    parts,
    device: nic,
    fn,
    irq,
  } = await plugPciDevice(
    plugin,
    { mac, netdev: 'net0', romfile: null },
    { id: 'nic', slot: 3, bars: [CSR, 0xc000], netdevs: { net0: net } },
  );
  const m = parts.memory;
  return {
    parts,
    nic,
    net,
    fn,
    dma: parts.dma,
    irq,
    in8: (r: number) => m.read8(CSR + r),
    in16: (r: number) => m.read16(CSR + r),
    in32: (r: number) => m.read32(CSR + r),
    out8: (r: number, v: number) => m.write8(CSR + r, v),
    out16: (r: number, v: number) => m.write16(CSR + r, v),
    out32: (r: number, v: number) => m.write32(CSR + r, v),
  };
}

export type Nic = Awaited<ReturnType<typeof setup>>;
