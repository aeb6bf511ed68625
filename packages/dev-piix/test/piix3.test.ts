import { type InterruptSink, PciFunction, Tokens } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { type A20Gate, I440fx, PIIX3_CONFIG, Piix3Isa, PiixTokens } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

function setup(withIoApicSink = true) {
  const m = bareMachine();
  const hb = new I440fx(m.ctx('i440fx', '00:00.0'));
  const pins: { pin: number; level: boolean }[] = [];
  if (withIoApicSink) {
    const sink: InterruptSink = { setInput: (pin, level) => pins.push({ pin, level }) };
    m.parts.container.bind(PiixTokens.IoApic).toConstantValue(sink);
  }
  const isa = new Piix3Isa(m.ctx('piix3', '00:01.0'));
  hb.realize();
  isa.realize();
  hb.reset();
  isa.reset();
  // A PCI function in slot 4 with INTA#: the i440FX swizzle, (slot - 1 + INTx) mod 4, puts it on PIRQD.
  const nic = new PciFunction('nic', {
    vendorId: 0x10ec,
    deviceId: 0x8139,
    classCode: 0x020000,
    revision: 0x20,
    interruptPin: 1,
  });
  m.parts.pci.add({ bus: 0, device: 4, function: 0 }, nic);
  const cfg = (reg: number, value?: number) => {
    m.parts.ports.out32(0xcf8, (0x80000800 | (reg & 0xfc)) >>> 0);
    if (value === undefined) return m.parts.ports.in8(0xcfc + (reg & 3));
    m.parts.ports.out8(0xcfc + (reg & 3), value);
    return value;
  };
  return { m, isa, nic, pins, cfg, ports: m.parts.ports, isaIrqs: m.parts.isaIrqs };
}

describe('PIIX3 PCI-to-ISA bridge', () => {
  it("config writes reach the table's writable bits only, and reset loads its reset values and masks", () => {
    const { isa, cfg } = setup();
    const t = PIIX3_CONFIG;
    for (let at = 0; at < t.size; at++) {
      if (t.owner[at] < 0) continue;
      cfg(at, 0xff);
      expect([at, cfg(at)]).toEqual([at, t.resetImage[at] | t.writable[at]]);
    }
    isa.reset();
    for (let at = 0; at < t.size; at++) {
      if (t.owner[at] < 0) continue;
      expect([at, cfg(at)]).toEqual([at, t.resetImage[at]]);
      expect([at, isa.fn.wmask[at]]).toEqual([at, t.writable[at]]);
    }
  });

  it('presents 8086:7000 as a multi-function ISA bridge with PIRQRC disabled at reset', () => {
    const { m, cfg } = setup();
    m.parts.ports.out32(0xcf8, 0x80000800);
    expect(m.parts.ports.in32(0xcfc)).toBe(0x70008086);
    expect(cfg(0x0e)).toBe(0x80);
    expect(cfg(0x0b)).toBe(0x06);
    expect(cfg(0x0a)).toBe(0x01);
    expect(cfg(0x04)).toBe(0x07);
    for (let i = 0; i < 4; i++) expect(cfg(0x60 + i)).toBe(0x80);
    expect(cfg(0x4c)).toBe(0x4d);
    expect(cfg(0x69)).toBe(0x02);
  });

  it('steers PIRQD onto the ISA IRQ PIRQRC[D] names, and nowhere while disabled', () => {
    const { nic, cfg, isaIrqs } = setup();
    nic.setIrq(true);
    for (let n = 0; n < 16; n++) expect(isaIrqs.level(n)).toBe(false);
    cfg(0x63, 11);
    expect(isaIrqs.level(11)).toBe(true);
    cfg(0x63, 10);
    expect(isaIrqs.level(11)).toBe(false);
    expect(isaIrqs.level(10)).toBe(true);
    nic.setIrq(false);
    expect(isaIrqs.level(10)).toBe(false);
    nic.setIrq(true);
    cfg(0x63, 0x8a); // IRQROUTEN set: disabled
    expect(isaIrqs.level(10)).toBe(false);
    cfg(0x63, 0x02); // IRQ2 is reserved
    expect(isaIrqs.level(2)).toBe(false);
    cfg(0x63, 0x7f);
    expect(cfg(0x63)).toBe(0x0f);
  });

  it('ORs a PIRQ with an ISA device on the same line and reaches the 8259 in level mode', () => {
    const { m, nic, cfg, isaIrqs, ports } = setup();
    const isaDev = isaIrqs.line(11);
    cfg(0x63, 11);
    ports.out8(0x4d1, 0x08);
    isaDev.set(true);
    nic.setIrq(true);
    isaDev.set(false);
    expect(isaIrqs.level(11)).toBe(true);
    ports.out8(0xa1, 0x00);
    ports.out8(0x21, 0x00);
    expect(m.parts.cpuPins.intr).toBe(true);
    nic.setIrq(false);
    expect(isaIrqs.level(11)).toBe(false);
  });

  it('delivers PIRQA-D to I/O APIC pins 16-19 whatever the ISA routing', () => {
    const { nic, pins, m } = setup();
    const fnA = new PciFunction('a', {
      vendorId: 1,
      deviceId: 1,
      classCode: 0,
      revision: 0,
      interruptPin: 1,
    });
    m.parts.pci.add({ bus: 0, device: 5, function: 0 }, fnA); // slot 5 INTA -> PIRQA
    pins.length = 0;
    nic.setIrq(true);
    fnA.setIrq(true);
    fnA.setIrq(false);
    expect(pins).toEqual([
      { pin: 19, level: true },
      { pin: 16, level: true },
      { pin: 16, level: false },
    ]);
  });

  it('resets the machine through 0xCF9 (RCPU) and keeps SRST', () => {
    const { m, ports } = setup();
    ports.out8(0xcf9, 0x02);
    expect(ports.in8(0xcf9)).toBe(0x02);
    expect(m.resets).toEqual([]);
    ports.out8(0xcf9, 0x06);
    expect(m.resets).toEqual(['reset control register 0xCF9 (hard reset)']);
    // 32-bit CONFIG_ADDRESS accesses are untouched by the byte register at 0xCF9.
    ports.out32(0xcf8, 0x80000000);
    expect(ports.in32(0xcf8)).toBe(0x80000000);
  });

  it('gates A20 from port 0x92 ORed with the keyboard controller, and fast-resets on ALT_RST', () => {
    const { m, ports, isa } = setup();
    const memory = m.parts.memory;
    const gate = m.parts.container.get<A20Gate>(Tokens.A20);
    // No keyboard controller has reported: its A20GATE counts as high.
    expect(memory.a20Mask).toBe(-1);
    gate.setSource('i8042', false);
    expect(memory.a20Mask).toBe(~(1 << 20));
    ports.out8(0x92, 0x02);
    expect(ports.in8(0x92)).toBe(0x02);
    expect(memory.a20Mask).toBe(-1);
    gate.setSource('i8042', true);
    ports.out8(0x92, 0x00);
    expect(memory.a20Mask).toBe(-1);
    gate.setSource('i8042', false);
    expect(memory.a20Mask).toBe(~(1 << 20));
    ports.out8(0x92, 0x01);
    expect(m.resets).toEqual(['port 0x92 fast reset (ALT_RST)']);
    ports.out8(0x92, 0x01);
    expect(m.resets.length).toBe(1);
    isa.reset();
    expect(ports.in8(0x92)).toBe(0);
  });

  it('sets itself as the PCI router and brings every part back on reset', () => {
    const { m, isa, cfg, ports } = setup(false);
    expect(m.parts.pci.router).toBe(isa.router);
    cfg(0x60, 9);
    ports.out8(0x4d0, 0xf8);
    ports.out8(0x43, 0x34);
    ports.out8(0x0a, 0x00);
    isa.reset();
    expect(cfg(0x60)).toBe(0x80);
    expect(ports.in8(0x4d0)).toBe(0);
    expect(isa.pit.pit.counters[0].mode).toBe(0);
    expect(ports.in8(0x0f) & 0x0f).toBe(0x0f);
    expect(isa.info()).toContain('PIRQA=off');
  });
});
