import { MemoryNetwork } from '@plugboard/core';
import { plugPciDevice } from '@plugboard/core/testing';
import { rtl8139Plugin } from '@plugboard/dev-rtl8139';

export const IO = 0xc000;

export async function setup(model: 'C' | 'C+' = 'C+', mac = '52:54:00:12:34:56') {
  const net = new MemoryNetwork();
  const config = { model, mac, netdev: 'net0', romfile: null };
  const {
    parts,
    device: nic,
    fn,
    irq,
  } = await plugPciDevice(rtl8139Plugin, config, {
    id: 'nic',
    slot: 3,
    bars: [IO, 0xfebd1000],
    netdevs: { net0: net },
  });
  const { ports, memory, dma } = parts;
  return {
    parts,
    nic,
    net,
    fn,
    memory,
    dma,
    irq,
    in8: (r: number) => ports.in8(IO + r),
    in16: (r: number) => ports.in16(IO + r),
    in32: (r: number) => ports.in32(IO + r),
    out8: (r: number, v: number) => ports.out8(IO + r, v),
    out16: (r: number, v: number) => ports.out16(IO + r, v),
    out32: (r: number, v: number) => ports.out32(IO + r, v),
  };
}

export type Nic = Awaited<ReturnType<typeof setup>>;
