import {
  ConfigMechanism1,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PciBus,
  PciFunction,
  PhysicalMemory,
  PortBus,
  parsePciAddress,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';

function platform() {
  const ports = new PortBus();
  const memory = new PhysicalMemory(16 << 20);
  const pci = new PciBus(ports, memory);
  const cfg = new ConfigMechanism1(pci);
  ports.register('pci-addr', 0xcf8, 4, cfg.addressPorts);
  ports.register('pci-data', 0xcfc, 4, cfg.dataPorts);
  const read = (dev: number, fn: number, reg: number) => {
    ports.out32(0xcf8, 0x80000000 | (dev << 11) | (fn << 8) | reg);
    return ports.in32(0xcfc);
  };
  const write = (dev: number, fn: number, reg: number, value: number) => {
    ports.out32(0xcf8, 0x80000000 | (dev << 11) | (fn << 8) | reg);
    ports.out32(0xcfc, value);
  };
  return { ports, memory, pci, cfg, read, write };
}

function nic() {
  const fn = new PciFunction('nic', {
    vendorId: 0x10ec,
    deviceId: 0x8139,
    classCode: 0x020000,
    revision: 0x20,
    interruptPin: 1,
  });
  const io = {
    last: -1,
    read8: (o: number) => 0x50 + o,
    write8: (o: number) => {
      io.last = o;
    },
  };
  const mmio = { read8: (o: number) => o & 0xff, write8: () => {} };
  fn.setBar(0, { kind: 'io', size: 256, handler: io });
  fn.setBar(1, { kind: 'mem32', size: 256, handler: mmio });
  return { fn, io };
}

describe('PCI configuration mechanism #1', () => {
  it('reads IDs through 0xCF8/0xCFC and all ones for empty slots or a disabled address', () => {
    const p = platform();
    p.pci.add(parsePciAddress('00:03.0')!, nic().fn);
    expect(p.read(3, 0, 0)).toBe(0x813910ec);
    expect(p.read(4, 0, 0)).toBe(0xffffffff);
    p.ports.out32(0xcf8, 3 << 11);
    expect(p.ports.in32(0xcfc)).toBe(0xffffffff);
    expect(p.ports.in32(0xcf8)).toBe(3 << 11);
  });

  it('serves byte and word reads at every data port offset', () => {
    const p = platform();
    p.pci.add({ bus: 0, device: 3, function: 0 }, nic().fn);
    p.ports.out32(0xcf8, 0x80000000 | (3 << 11) | 0x08);
    expect(p.ports.in8(0xcfc)).toBe(0x20);
    expect(p.ports.in16(0xcfe)).toBe(0x0200);
    expect(p.ports.in8(0xcff)).toBe(0x02);
  });

  it('sends byte accesses at 0xCF9 to the reset control register slot, not to config space', () => {
    const p = platform();
    const seen: number[] = [];
    p.cfg.port0cf9 = { read8: () => 0x02, write8: (_, v) => seen.push(v) };
    p.ports.out8(0xcf9, 0x06);
    expect(seen).toEqual([6]);
    expect(p.ports.in8(0xcf9)).toBe(0x02);
  });
});

describe('PCI BARs', () => {
  it('sizes BARs the way firmware does: all ones in, size mask and type bits out', () => {
    const p = platform();
    p.pci.add({ bus: 0, device: 3, function: 0 }, nic().fn);
    p.write(3, 0, 0x10, 0xffffffff);
    p.write(3, 0, 0x14, 0xffffffff);
    expect(p.read(3, 0, 0x10)).toBe(0xffffff01);
    expect(p.read(3, 0, 0x14)).toBe(0xffffff00);
  });

  it('decodes a BAR only while its command bit is set, and follows it when it moves', () => {
    const p = platform();
    const { fn, io } = nic();
    p.pci.add({ bus: 0, device: 3, function: 0 }, fn);
    p.write(3, 0, 0x10, 0xc000);
    p.write(3, 0, 0x14, 0xfebd0000);
    expect(p.ports.in8(0xc005)).toBe(0xff);
    expect(p.memory.read8(0xfebd0012)).toBe(0xff);
    p.write(3, 0, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    expect(p.ports.in8(0xc005)).toBe(0x55);
    expect(p.memory.read8(0xfebd0012)).toBe(0x12);
    p.write(3, 0, 0x10, 0xc100);
    expect(p.ports.in8(0xc005)).toBe(0xff);
    p.ports.out8(0xc107, 1);
    expect(io.last).toBe(7);
    p.write(3, 0, PCI_COMMAND, 0);
    expect(p.ports.in8(0xc105)).toBe(0xff);
    expect(p.memory.read8(0xfebd0012)).toBe(0xff);
  });

  it('never maps a BAR over RAM, over another decoder, or past the top of memory', () => {
    const p = platform();
    const a = nic();
    const b = nic();
    p.pci.add({ bus: 0, device: 3, function: 0 }, a.fn);
    p.pci.add({ bus: 0, device: 4, function: 0 }, b.fn);
    p.ports.register('pic', 0x20, 2, { read8: () => 0x11, write8: () => {} });
    for (const dev of [3, 4]) p.write(dev, 0, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    p.write(3, 0, 0x14, 0x00100000); // inside RAM
    p.memory.write8(0x100000, 0x77);
    expect(p.memory.read8(0x100000)).toBe(0x77);
    p.write(3, 0, 0x10, 0x0000); // I/O BAR at 0 is "unassigned"
    p.write(4, 0, 0x10, 0x0000);
    p.write(3, 0, 0x10, 0x0020 & ~0xff); // still 0 after masking
    // Two NICs at the same I/O base: the first in slot order answers.
    p.write(3, 0, 0x10, 0xc000);
    p.write(4, 0, 0x10, 0xc000);
    a.io.last = -1;
    b.io.last = -1;
    p.ports.out8(0xc001, 0);
    expect([a.io.last, b.io.last]).toEqual([1, -1]);
    expect(p.ports.in8(0x20)).toBe(0x11);
    // All ones during sizing with decode on: nothing maps at the top.
    p.write(4, 0, 0x14, 0xffffffff);
    expect(p.memory.read8(0xffffff10)).toBe(0xff);
  });

  it('maps the expansion ROM read-only when its enable bit and memory decode are set', () => {
    const p = platform();
    const { fn } = nic();
    fn.setRom(new Uint8Array([0x55, 0xaa, 0x10]));
    p.pci.add({ bus: 0, device: 3, function: 0 }, fn);
    p.write(3, 0, 0x30, 0xffffffff);
    expect(p.read(3, 0, 0x30)).toBe(0xfffff801);
    p.write(3, 0, 0x30, 0xfeb80001);
    p.write(3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);
    expect(p.memory.read16(0xfeb80000)).toBe(0xaa55);
    p.memory.write8(0xfeb80000, 0);
    expect(p.memory.read8(0xfeb80000)).toBe(0x55);
    p.write(3, 0, 0x30, 0xfeb80000);
    expect(p.memory.read8(0xfeb80000)).toBe(0xff);
  });

  it('returns to power-on decode state on reset', () => {
    const p = platform();
    const { fn } = nic();
    p.pci.add({ bus: 0, device: 3, function: 0 }, fn);
    p.write(3, 0, 0x10, 0xc000);
    p.write(3, 0, PCI_COMMAND, PCI_COMMAND_IO);
    fn.resetConfig();
    expect(p.read(3, 0, 0x10)).toBe(0x00000001);
    expect(p.read(3, 0, PCI_COMMAND) & 0xffff).toBe(0);
    expect(p.ports.in8(0xc000)).toBe(0xff);
  });
});

describe('PCI config space rules', () => {
  it('keeps IDs read-only and clears write-one-to-clear status bits', () => {
    const p = platform();
    const { fn } = nic();
    p.pci.add({ bus: 0, device: 3, function: 0 }, fn);
    p.write(3, 0, 0, 0x12345678);
    expect(p.read(3, 0, 0)).toBe(0x813910ec);
    fn.config[0x07] = 0x20 | 0x80; // detected parity error | 66 MHz-ish bit
    p.write(3, 0, 0x04, 0x80000000);
    expect(fn.config[0x07]).toBe(0x20);
  });

  it('chains capabilities from 0x34 and sets the capability-list status bit', () => {
    const { fn } = nic();
    const pm = fn.addCapability(0x01, 8);
    const msi = fn.addCapability(0x05, 10);
    expect(fn.get8(0x34)).toBe(pm);
    expect(fn.get8(pm + 1)).toBe(msi);
    expect(fn.get8(msi)).toBe(0x05);
    expect(fn.get16(0x06) & 0x10).toBe(0x10);
  });

  it('marks function 0 multi-function when a sibling function exists', () => {
    const p = platform();
    const f0 = new PciFunction('isa', {
      vendorId: 0x8086,
      deviceId: 0x7000,
      classCode: 0x060100,
      revision: 0,
    });
    const f1 = new PciFunction('ide', {
      vendorId: 0x8086,
      deviceId: 0x7010,
      classCode: 0x010180,
      revision: 0,
    });
    p.pci.add({ bus: 0, device: 1, function: 0 }, f0);
    p.pci.add({ bus: 0, device: 1, function: 1 }, f1);
    expect(p.read(1, 0, 0x0c) >>> 16).toBe(0x80);
    expect(() => p.pci.add({ bus: 0, device: 1, function: 1 }, f1)).toThrow(/taken by ide/);
  });
});

describe('PCI INTx', () => {
  it('swizzles pins onto PIRQs, ORs shared lines, and honours INTx disable', () => {
    const p = platform();
    const events: string[] = [];
    p.pci.router = { setPirq: (pirq, level) => events.push(`${'ABCD'[pirq]}${level ? '+' : '-'}`) };
    const a = nic().fn;
    const b = nic().fn;
    b.config[0x3d] = 4; // INTD#
    p.pci.add({ bus: 0, device: 3, function: 0 }, a); // INTA# of slot 3 -> PIRQC (LNKC in the DSDT)
    p.pci.add({ bus: 0, device: 4, function: 0 }, b); // INTD# of slot 4 -> PIRQC
    expect(PciBus.pirqOf(3, 1)).toBe(2);
    expect(PciBus.pirqOf(1, 1)).toBe(0);
    a.setIrq(true);
    b.setIrq(true);
    a.setIrq(false);
    expect(events).toEqual(['C+']);
    b.setIrq(false);
    expect(events).toEqual(['C+', 'C-']);
    a.setIrq(true);
    a.writeConfig(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    expect(events).toEqual(['C+', 'C-', 'C+', 'C-']);
    expect(a.get16(0x06) & 0x08).toBe(0x08);
  });
});
