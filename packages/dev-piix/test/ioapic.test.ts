import { describe, expect, it } from 'vitest';
import { IOAPIC_BASE, installIoApic, Piix3Isa } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

const LEVEL = 1 << 15;
const MASK = 1 << 16;
const ACTIVE_LOW = 1 << 13;
const REMOTE_IRR = 1 << 14;

function setup(ignorePolarity = false) {
  const m = bareMachine();
  const ioapic = installIoApic(m.ctx('ioapic'), { ignorePolarity, id: 0 });
  ioapic.reset();
  const { memory } = m.parts;
  const read = (reg: number) => {
    memory.write32(IOAPIC_BASE, reg);
    return memory.read32(IOAPIC_BASE + 0x10);
  };
  const write = (reg: number, value: number) => {
    memory.write32(IOAPIC_BASE, reg);
    memory.write32(IOAPIC_BASE + 0x10, value);
  };
  const route = (pin: number, low: number, destination = 0) => {
    write(0x11 + pin * 2, destination << 24);
    write(0x10 + pin * 2, low);
  };
  return { m, ioapic, read, write, route, vectors: () => m.messages.map((x) => x.vector) };
}

describe('82093AA I/O APIC', () => {
  it('has version 0x11 with 24 entries, a writable ID, and every entry masked at reset', () => {
    const { read, write, m } = setup();
    expect(read(0x01)).toBe(0x00170011);
    write(0x00, 0x0f000000);
    expect(read(0x00)).toBe(0x0f000000);
    expect(read(0x02)).toBe(0x0f000000);
    for (let pin = 0; pin < 24; pin++) expect(read(0x10 + pin * 2)).toBe(MASK);
    expect(read(0x10 + 24 * 2)).toBe(0);
    m.parts.memory.write8(IOAPIC_BASE, 0x12);
    expect(m.parts.memory.read8(IOAPIC_BASE)).toBe(0x12);
  });

  it('keeps Delivery Status and Remote IRR read-only and the destination in the high dword', () => {
    const { read, route } = setup();
    route(5, 0xffffffff, 0xff);
    expect(read(0x10 + 10) >>> 0).toBe(0x1afff);
    expect(read(0x11 + 10) >>> 0).toBe(0xff000000);
  });

  it('turns an ISA edge into a fixed message; IRQ0 arrives on pin 2', () => {
    const { m, route } = setup();
    route(4, 0x34 | (1 << 11), 0x03);
    route(2, 0x30);
    m.parts.isaIrqs.line(4).pulse();
    m.parts.isaIrqs.line(0).pulse();
    expect(
      m.messages.map(({ vector, destination, destinationMode, triggerMode, deliveryMode }) => ({
        vector,
        destination,
        destinationMode,
        triggerMode,
        deliveryMode,
      })),
    ).toEqual([
      { vector: 0x34, destination: 3, destinationMode: 1, triggerMode: 0, deliveryMode: 0 },
      { vector: 0x30, destination: 0, destinationMode: 0, triggerMode: 0, deliveryMode: 0 },
    ]);
  });

  it('loses an edge on a masked pin', () => {
    const { m, route, vectors } = setup();
    route(6, 0x36 | MASK);
    m.parts.isaIrqs.line(6).pulse();
    route(6, 0x36);
    expect(vectors()).toEqual([]);
    m.parts.isaIrqs.line(6).pulse();
    expect(vectors()).toEqual([0x36]);
  });

  it('holds a level behind Remote IRR until the EOI of its vector, then delivers again if still asserted', () => {
    const { m, route, read, vectors } = setup();
    route(10, 0x3a | LEVEL);
    const line = m.parts.isaIrqs.line(10);
    line.set(true);
    expect(vectors()).toEqual([0x3a]);
    expect(read(0x10 + 20) & REMOTE_IRR).toBe(REMOTE_IRR);
    m.parts.apicBus.broadcastEoi(0x41);
    expect(vectors()).toEqual([0x3a]);
    m.parts.apicBus.broadcastEoi(0x3a);
    expect(vectors()).toEqual([0x3a, 0x3a]);
    line.set(false);
    m.parts.apicBus.broadcastEoi(0x3a);
    expect(vectors()).toEqual([0x3a, 0x3a]);
    expect(read(0x10 + 20) & REMOTE_IRR).toBe(0);
  });

  it('delivers a level that was asserted while masked when it is unmasked', () => {
    const { m, route, vectors } = setup();
    route(11, 0x3b | LEVEL | MASK);
    m.parts.isaIrqs.line(11).set(true);
    expect(vectors()).toEqual([]);
    route(11, 0x3b | LEVEL);
    expect(vectors()).toEqual([0x3b]);
  });

  it('honours polarity: PCI pins are active low on the wire, ISA pins active high', () => {
    const m = bareMachine();
    const ioapic = installIoApic(m.ctx('ioapic'), { ignorePolarity: false, id: 0 });
    const isa = new Piix3Isa(m.ctx('piix3', '00:01.0'));
    isa.realize();
    isa.reset();
    ioapic.reset();
    const write = (reg: number, value: number) => {
      m.parts.memory.write32(IOAPIC_BASE, reg);
      m.parts.memory.write32(IOAPIC_BASE + 0x10, value);
    };
    // Pin 16 (PIRQA) programmed as an OS does for PCI: level, active low.
    write(0x10 + 32, 0x50 | LEVEL | ACTIVE_LOW);
    expect(m.messages).toEqual([]);
    isa.router.setPirq(0, true);
    expect(m.messages.map((x) => x.vector)).toEqual([0x50]);
    isa.router.setPirq(0, false);
    m.parts.apicBus.broadcastEoi(0x50);
    // Programmed against the wiring (active high), the idle PCI line reads as asserted.
    write(0x10 + 34, 0x51 | LEVEL);
    expect(m.messages.map((x) => x.vector)).toEqual([0x50, 0x51]);
    // An ISA pin set active low is asserted while the line is idle.
    write(0x10 + 8, 0x48 | LEVEL | ACTIVE_LOW);
    expect(m.messages.map((x) => x.vector)).toEqual([0x50, 0x51, 0x48]);
  });

  it('with ignorePolarity (the KVM irqchip quirk) acts on the asserted state whatever INTPOL says', () => {
    const { m, ioapic, route, vectors } = setup(true);
    route(17, 0x61 | LEVEL);
    route(18, 0x62 | LEVEL | ACTIVE_LOW);
    route(5, 0x45 | ACTIVE_LOW);
    expect(vectors()).toEqual([]);
    ioapic.setInput(17, true);
    ioapic.setInput(18, true);
    m.parts.isaIrqs.line(5).pulse();
    expect(vectors()).toEqual([0x61, 0x62, 0x45]);
  });
});
