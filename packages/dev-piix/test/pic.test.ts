import { describe, expect, it } from 'vitest';
import { installDualPic } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

/** The standard PC initialization: master at 0x08, slave at 0x70, cascade on IR2. */
function setup(icw4 = 0x01) {
  const m = bareMachine();
  const pic = installDualPic(m.ctx('pic'));
  pic.reset();
  const { ports, cpuPins, isaIrqs } = m.parts;
  for (const [base, vector, icw3] of [
    [0x20, 0x08, 0x04],
    [0xa0, 0x70, 0x02],
  ]) {
    ports.out8(base, 0x11);
    ports.out8(base + 1, vector);
    ports.out8(base + 1, icw3);
    ports.out8(base + 1, icw4);
    ports.out8(base + 1, 0x00);
  }
  const lines = Array.from({ length: 16 }, (_, n) => isaIrqs.line(n));
  const eoi = () => ports.out8(0x20, 0x20);
  const slaveEoi = () => ports.out8(0xa0, 0x20);
  return { m, pic, ports, pins: cpuPins, lines, eoi, slaveEoi };
}

describe('8259A pair', () => {
  it('latches an edge, raises INTR and hands out the vector on INTA; EOI clears ISR', () => {
    const { pins, lines, ports, eoi } = setup();
    lines[3].pulse();
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x0b);
    expect(pins.intr).toBe(false);
    ports.out8(0x20, 0x0b); // OCW3: read ISR
    expect(ports.in8(0x20)).toBe(0x08);
    eoi();
    expect(ports.in8(0x20)).toBe(0x00);
  });

  it('serves by priority and nests only higher priorities over one in service', () => {
    const { pins, lines, eoi } = setup();
    lines[5].pulse();
    lines[3].pulse();
    expect(pins.acknowledge()).toBe(0x0b);
    expect(pins.intr).toBe(false); // IRQ5 waits behind IRQ3 in service
    lines[1].pulse();
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x09);
    eoi(); // ends IRQ1
    expect(pins.intr).toBe(false);
    eoi(); // ends IRQ3
    expect(pins.acknowledge()).toBe(0x0d);
  });

  it('cascades the slave through IR2', () => {
    const { pins, lines, ports, eoi, slaveEoi } = setup();
    lines[12].pulse();
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x74);
    ports.out8(0x20, 0x0b);
    ports.out8(0xa0, 0x0b);
    expect(ports.in8(0x20)).toBe(0x04);
    expect(ports.in8(0xa0)).toBe(0x10);
    lines[14].pulse(); // lower than 12 on the slave: waits
    expect(pins.intr).toBe(false);
    slaveEoi();
    eoi();
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x76);
  });

  it('special fully nested mode lets a higher slave request nest over the slave in service', () => {
    const plain = setup();
    plain.lines[12].pulse();
    expect(plain.pins.acknowledge()).toBe(0x74);
    plain.lines[10].pulse();
    expect(plain.pins.intr).toBe(false); // the master's IR2 is in service
    const sfnm = setup(0x11);
    sfnm.lines[12].pulse();
    expect(sfnm.pins.acknowledge()).toBe(0x74);
    sfnm.lines[10].pulse();
    expect(sfnm.pins.intr).toBe(true);
    expect(sfnm.pins.acknowledge()).toBe(0x72);
  });

  it('reads IRR and the mask, and masks requests', () => {
    const { pins, lines, ports } = setup();
    ports.out8(0x21, 0x10);
    expect(ports.in8(0x21)).toBe(0x10);
    lines[4].pulse();
    expect(pins.intr).toBe(false);
    ports.out8(0x20, 0x0a); // read IRR
    expect(ports.in8(0x20)).toBe(0x10);
    ports.out8(0x21, 0x00);
    expect(pins.intr).toBe(true);
  });

  it('specific EOI and rotation change which request wins', () => {
    const { pins, lines, ports } = setup();
    lines[3].pulse();
    expect(pins.acknowledge()).toBe(0x0b);
    ports.out8(0x20, 0x63); // specific EOI for IR3
    ports.out8(0x20, 0x0b);
    expect(ports.in8(0x20)).toBe(0);
    // Rotate on non-specific EOI: the IR just served becomes the lowest.
    lines[1].pulse();
    expect(pins.acknowledge()).toBe(0x09);
    ports.out8(0x20, 0xa0);
    lines[0].pulse();
    lines[4].pulse();
    expect(pins.acknowledge()).toBe(0x0c); // IR4 now outranks IR0
    ports.out8(0x20, 0x20);
    // Set priority: IR7 lowest again.
    ports.out8(0x20, 0xc7);
    lines[5].pulse();
    expect(pins.acknowledge()).toBe(0x08);
  });

  it('automatic EOI leaves nothing in service', () => {
    const { pins, lines, ports } = setup(0x03);
    lines[6].pulse();
    expect(pins.acknowledge()).toBe(0x0e);
    ports.out8(0x20, 0x0b);
    expect(ports.in8(0x20)).toBe(0);
    lines[7].pulse();
    expect(pins.intr).toBe(true);
  });

  it('level mode through ELCR: IRR follows the line and a held line interrupts again after EOI', () => {
    const { pins, lines, ports, eoi, slaveEoi } = setup();
    ports.out8(0x4d0, 0xff);
    ports.out8(0x4d1, 0xff);
    expect(ports.in8(0x4d0)).toBe(0xf8);
    expect(ports.in8(0x4d1)).toBe(0xde);
    ports.out8(0x4d1, 0x0c); // IRQ10 and IRQ11 level, as SeaBIOS sets for PCI
    lines[11].set(true);
    expect(pins.acknowledge()).toBe(0x73);
    slaveEoi();
    eoi();
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x73);
    lines[11].set(false);
    slaveEoi();
    eoi();
    expect(pins.intr).toBe(false);
  });

  it('answers a spurious IRQ7 (or IRQ15) when the level request vanished before INTA', () => {
    const { pins, lines, ports } = setup();
    ports.out8(0x4d0, 0x20);
    lines[5].set(true);
    expect(pins.intr).toBe(true);
    lines[5].set(false);
    expect(pins.acknowledge()).toBe(0x0f);
    ports.out8(0x20, 0x0b);
    expect(ports.in8(0x20)).toBe(0);
    // On the slave: the master latched the cascade edge, the slave's request is gone by INTA.
    ports.out8(0x4d1, 0x08);
    lines[11].set(true);
    lines[11].set(false);
    expect(pins.acknowledge()).toBe(0x77);
    ports.out8(0xa0, 0x0b);
    expect(ports.in8(0xa0)).toBe(0);
  });

  it('special mask mode lets lower priorities in while a masked IR is in service', () => {
    const { pins, lines, ports } = setup();
    lines[3].pulse();
    expect(pins.acknowledge()).toBe(0x0b);
    lines[5].pulse();
    expect(pins.intr).toBe(false);
    ports.out8(0x21, 0x08); // mask IR3
    ports.out8(0x20, 0x68); // OCW3: set special mask
    expect(pins.intr).toBe(true);
    expect(pins.acknowledge()).toBe(0x0d);
    ports.out8(0x20, 0x48); // reset special mask
  });

  it('poll mode acknowledges through a read of the command port', () => {
    const { lines, ports } = setup();
    ports.out8(0x20, 0x0c);
    expect(ports.in8(0x20)).toBe(0x00);
    lines[4].pulse();
    ports.out8(0x20, 0x0c);
    expect(ports.in8(0x20)).toBe(0x84);
    ports.out8(0x20, 0x0b);
    expect(ports.in8(0x20)).toBe(0x10);
  });

  it('ICW1 with LTIM makes every input level sensitive; reset restores power-on state', () => {
    const { m, pic, pins, lines, ports } = setup();
    ports.out8(0x20, 0x19);
    ports.out8(0x21, 0x20);
    ports.out8(0x21, 0x04);
    ports.out8(0x21, 0x01);
    lines[6].set(true);
    expect(pins.acknowledge()).toBe(0x26);
    lines[6].set(false);
    ports.out8(0x20, 0x0a);
    expect(ports.in8(0x20)).toBe(0);
    pic.reset();
    expect(ports.in8(0x21)).toBe(0);
    expect(ports.in8(0x4d0)).toBe(0);
    expect(m.parts.cpuPins.intController).toBe(pic);
  });
});
