import type { CpuPins, InterruptAcknowledge, InterruptSink, PortHandler } from '@plugboard/core';
import { objectState } from '@plugboard/core';
import { I8259 } from './pic.js';

/** ELCR1 (0x4D0): IRQ0-2 are always edge triggered. */
export const ELCR1_MASK = 0xf8;
/** ELCR2 (0x4D1): IRQ8 and IRQ13 are always edge triggered. */
export const ELCR2_MASK = 0xde;

/**
 * The AT pair of 8259As: master at 0x20/0x21, slave at 0xA0/0xA1 cascaded
 * through the master's IR2, and the PIIX3's Edge/Level Control Registers at
 * 0x4D0/0x4D1. Inputs 0-15 are the ISA IRQs; the master's INT drives the
 * CPU's INTR and the pair answers INTA.
 */
export class DualPic implements InterruptSink, InterruptAcknowledge {
  readonly master: I8259;
  readonly slave: I8259;
  /** Level of the slave's INT output on the master's IR2. */
  private cascade = false;
  readonly vmstate = objectState({ pic: this }, { version: 1, skip: ['pins'] });

  readonly masterPorts: PortHandler = {
    read8: (offset) => this.master.read(offset & 1),
    write8: (offset, value) => this.master.write(offset & 1, value),
  };

  readonly slavePorts: PortHandler = {
    read8: (offset) => this.slave.read(offset & 1),
    write8: (offset, value) => this.slave.write(offset & 1, value),
  };

  readonly elcrPorts: PortHandler = {
    read8: (offset) => (offset === 0 ? this.master.elcr : this.slave.elcr),
    write8: (offset, value) => {
      if (offset === 0) this.master.elcr = value & ELCR1_MASK;
      else this.slave.elcr = value & ELCR2_MASK;
    },
  };

  constructor(private readonly pins: CpuPins) {
    this.master = new I8259(true, () => this.update());
    this.slave = new I8259(false, () => this.update());
  }

  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.update();
  }

  setInput(pin: number, level: boolean): void {
    if (pin < 8) this.master.setInput(pin, level);
    else this.slave.setInput(pin - 8, level);
  }

  /** The slave's INT feeds the master's IR2; the master's INT is the CPU's INTR. */
  private update(): void {
    const slaveInt = this.slave.pending() >= 0;
    if (slaveInt !== this.cascade) {
      this.cascade = slaveInt;
      this.master.setLine(2, slaveInt);
    }
    const intr = this.master.pending() >= 0;
    if (intr !== this.pins.intr) this.pins.setIntr(intr);
  }

  info(): string {
    const hex = (v: number) => v.toString(16).padStart(2, '0');
    const line = (name: string, p: I8259) =>
      `8259 ${name} irr=${hex(p.irr)} isr=${hex(p.isr)} imr=${hex(p.imr)} base=${hex(p.vectorBase)}`;
    return [
      line('master', this.master),
      line('slave ', this.slave),
      `ELCR=${hex(this.slave.elcr)}${hex(this.master.elcr)}`,
    ].join('\n');
  }

  acknowledge(): number {
    const ir = this.master.pending();
    let vector: number;
    if (ir < 0) {
      vector = this.master.spuriousVector;
    } else if (ir === 2 && !this.master.single) {
      vector = this.master.acknowledge(2);
      const slaveIr = this.slave.pending();
      vector = slaveIr < 0 ? this.slave.spuriousVector : this.slave.acknowledge(slaveIr);
    } else {
      vector = this.master.acknowledge(ir);
    }
    this.update();
    return vector;
  }
}
