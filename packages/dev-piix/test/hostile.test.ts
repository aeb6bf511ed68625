import { describe, expect, it } from 'vitest';
import { I440fx, IOAPIC_BASE, installIoApic, Piix3Isa, Piix4Pm } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

/** Guest-controlled values that reached past arrays or hung hosts in other emulators' versions of these chips. */
describe('hostile guest values', () => {
  it('8254: reading the control port and bad read-back bits do nothing harmful', () => {
    const m = bareMachine();
    const isa = new Piix3Isa(m.ctx('isa', '00:01.0'));
    isa.reset();
    const { ports } = m.parts;
    expect(ports.in8(0x43)).toBe(0xff);
    ports.out8(0x43, 0xc0); // read-back selecting no counter
    ports.out8(0x43, 0xfe); // read-back latching nothing
    for (let i = 0; i < 256; i++) ports.out8(0x43, i);
    for (let i = 0; i < 8; i++) ports.in8(0x40 + (i & 3));
    // Count 1 in modes 2 and 3 is illegal: no timer storm.
    ports.out8(0x43, 0x14);
    ports.out8(0x40, 1);
    expect(m.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    ports.out8(0x43, 0x16);
    ports.out8(0x40, 1);
    expect(m.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('8259: every byte on every port, then INTA, stays within eight IRs per chip', () => {
    const m = bareMachine();
    const isa = new Piix3Isa(m.ctx('isa', '00:01.0'));
    isa.reset();
    const { ports, cpuPins, isaIrqs } = m.parts;
    for (let v = 0; v < 256; v++) {
      for (const p of [0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1]) ports.out8(p, v);
      isaIrqs.line(v & 15).pulse();
      const vector = cpuPins.acknowledge();
      expect(vector).toBeGreaterThanOrEqual(0);
      expect(vector).toBeLessThan(256);
    }
    for (const p of [isa.pic.master, isa.pic.slave]) {
      expect(p.isr).toBeLessThan(256);
      expect(p.irr).toBeLessThan(256);
    }
  });

  it('I/O APIC: IOREGSEL beyond the table reads 0 and ignores writes', () => {
    const m = bareMachine();
    const ioapic = installIoApic(m.ctx('ioapic'), { ignorePolarity: false, id: 0 });
    ioapic.reset();
    const { memory } = m.parts;
    for (const reg of [0x03, 0x0f, 0x40, 0x41, 0x7f, 0xff]) {
      memory.write32(IOAPIC_BASE, reg);
      memory.write32(IOAPIC_BASE + 0x10, 0xffffffff);
      expect(memory.read32(IOAPIC_BASE + 0x10)).toBe(0);
    }
    expect([...ioapic.redirLow].every((v) => v === 1 << 16)).toBe(true);
    memory.write32(IOAPIC_BASE, 0x1234);
    expect(memory.read32(IOAPIC_BASE)).toBe(0x34);
    ioapic.setInput(99, true);
    ioapic.setInput(-1, true);
    expect(m.messages).toEqual([]);
  });

  it('PM: a PM block or SMBus base over the host bridge or the top of I/O space is not decoded', () => {
    const m = bareMachine();
    new I440fx(m.ctx('hb', '00:00.0')).reset();
    const pm = new Piix4Pm(m.ctx('pm', '00:01.3'), { gpe0Base: 0xafe0, smbusBase: 0xb100 });
    pm.reset();
    const { pci, ports } = m.parts;
    pci.writeConfig(0, 0x0b, 0x40, 4, 0x0cc1); // 0xCC0-0xCFF covers CONFIG_ADDRESS/DATA
    pci.writeConfig(0, 0x0b, 0x80, 1, 1);
    expect(ports.claimAt(0xcf8)?.name).toBe('hb CONFIG_ADDRESS');
    expect(ports.claimAt(0xcc0)).toBeNull();
    pci.writeConfig(0, 0x0b, 0x90, 4, 0xfff1);
    expect(ports.claimAt(0xfff0)?.name).toBe('pm SMBus');
    pci.writeConfig(0, 0x0b, 0x90, 4, 0xcf1);
    expect(ports.claimAt(0xcf8)?.name).toBe('hb CONFIG_ADDRESS');
  });

  it('DMA: a handler returning nonsense positions cannot move the channel backwards or past its end', () => {
    const m = bareMachine();
    const isa = new Piix3Isa(m.ctx('isa', '00:01.0'));
    isa.reset();
    const { ports } = m.parts;
    const answers = [Number.NaN, -5, 1e12];
    isa.dma.connect(1, () => answers.shift() ?? 0);
    ports.out8(0x03, 0x0f);
    ports.out8(0x03, 0x00);
    ports.out8(0x0b, 0x45);
    ports.out8(0x0a, 0x01);
    // A round without progress waits for the next DREQ edge or register write.
    for (let i = 0; i < 2; i++) {
      isa.dma.setDreq(1, true);
      m.runFor(10_000);
      expect(isa.dma.dma1.channels[1].currentCount).toBe(0x0f);
    }
    isa.dma.setDreq(1, true);
    m.runFor(10_000);
    expect(isa.dma.dma1.status & 0x02).toBe(0x02);
    expect(isa.dma.dma1.channels[1].currentCount).toBe(0xffff);
  });
});
