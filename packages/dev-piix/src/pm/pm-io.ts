import type { Clock, IrqLine, PortHandler, SystemControl, Timer } from '@plugboard/core';
import { TimeSource } from '@plugboard/core';
import { nsAtTick, ticksAt } from '../ticks.js';
import {
  ACPI_DISABLE,
  ACPI_ENABLE,
  PM_IO,
  PM_TIMER_HZ,
  PMCNTRL,
  PMIO,
  PMSTS,
  SCI_EVENTS,
  SUS_TYP_SOFT_OFF,
} from './registers.js';

/** TMROF_STS is set each time bit 23 of the 24-bit timer changes. */
const OVERFLOW_TICKS = 1 << 23;
/** The table's list of touched registers, unused: the window hands over one byte at a time and PMCNTRL's commands need the written value. */
const TOUCHED = new Int32Array(1);

/**
 * The ACPI fixed hardware of the PIIX4: PM1 status/enable/control, the PM
 * timer, the GPE0 block QEMU places at 0xAFE0, and the APM command port
 * that switches SCI_EN. SCI is ISA IRQ9, a level. Registers of the PM block
 * the chipset has no behaviour for here (GPSTS to GPOREG) are storage; which
 * bits of each the guest may write or clear is the register table's.
 */
export class PmIo {
  /** The PM block's 64 bytes (the timer's are computed on read). */
  readonly regs = new Uint8Array(PM_IO.size);
  gpeSts = 0;
  gpeEn = 0;
  apmc = 0;
  apms = 0;
  /** The bit-23 period of the timer last seen, for TMROF_STS. */
  private overflowEpoch = 0;
  private readonly timer: Timer;

  readonly pmPorts: PortHandler = {
    read8: (offset) => this.read8(offset),
    write8: (offset, value) => this.write8(offset, value),
    read32: (offset) =>
      offset === PMIO.PMTMR ? this.timerValue() : this.read16(offset) | (this.read16(offset + 2) << 16),
  };

  readonly gpePorts: PortHandler = {
    read8: (offset) => ((offset < 2 ? this.gpeSts : this.gpeEn) >> ((offset & 1) * 8)) & 0xff,
    write8: (offset, value) => {
      const shift = (offset & 1) * 8;
      if (offset < 2) this.gpeSts &= ~(value << shift);
      else this.gpeEn = (this.gpeEn & ~(0xff << shift)) | (value << shift);
      this.update();
    },
  };

  readonly apmPorts: PortHandler = {
    read8: (offset) => (offset === 0 ? this.apmc : this.apms),
    write8: (offset, value) => {
      if (offset === 1) {
        this.apms = value;
        return;
      }
      this.apmc = value;
      if (value === ACPI_ENABLE) this.regs[PMIO.PMCNTRL] |= PMCNTRL.SCI_EN;
      else if (value === ACPI_DISABLE) this.regs[PMIO.PMCNTRL] &= ~PMCNTRL.SCI_EN;
      this.update();
    },
  };

  constructor(
    private readonly clock: Clock,
    private readonly sci: IrqLine,
    private readonly system: SystemControl,
    private readonly log: (message: string) => void,
  ) {
    this.timer = clock.createTimer('PIIX4 PM timer overflow', () => this.update());
  }

  reset(): void {
    PM_IO.reset(this.regs);
    this.gpeSts = 0;
    this.gpeEn = 0;
    this.apmc = 0;
    this.apms = 0;
    this.overflowEpoch = Math.floor(this.ticks() / OVERFLOW_TICKS);
    this.update();
  }

  /** The fixed power button was pressed: PWRBTN_STS, and SCI when PWRBTN_EN and SCI_EN allow. */
  pressPowerButton(): void {
    this.setReg16(PMIO.PMSTS, this.reg16(PMIO.PMSTS) | PMSTS.PWRBTN_STS);
    this.update();
  }

  private ticks(): number {
    return ticksAt(this.clock.now, PM_TIMER_HZ);
  }

  /** PM_TMR as the guest reads it: a time source, so each read is a poll for the clock's fast-forward. */
  timerValue(): number {
    this.clock.polls.timeRead(TimeSource.pmTimer);
    return this.ticks() & 0xffffff;
  }

  private read16(offset: number): number {
    return this.read8(offset) | (this.read8(offset + 1) << 8);
  }

  private read8(offset: number): number {
    if (offset >= PMIO.PMTMR && offset < PMIO.PMTMR + 4)
      return (this.timerValue() >>> ((offset - PMIO.PMTMR) * 8)) & 0xff;
    if (offset >> 1 === PMIO.PMSTS >> 1) this.update();
    return this.regs[offset];
  }

  private write8(offset: number, value: number): void {
    PM_IO.write(this.regs, offset, 1, value, true, TOUCHED);
    if (offset >> 1 === PMIO.PMCNTRL >> 1) {
      // GBL_RLS and SUS_EN are commands: they act as written, the register never holds them.
      const written = value << ((offset & 1) * 8);
      if (written & PMCNTRL.GBL_RLS) this.log('GBL_RLS written: no SMI handler exists to hear it');
      if (written & PMCNTRL.SUS_EN) this.sleep();
    }
    this.update();
  }

  private reg16(offset: number): number {
    return this.regs[offset] | (this.regs[offset + 1] << 8);
  }

  private setReg16(offset: number, value: number): void {
    this.regs[offset] = value & 0xff;
    this.regs[offset + 1] = value >>> 8;
  }

  private sleep(): void {
    const type = (this.reg16(PMIO.PMCNTRL) & PMCNTRL.SUS_TYP_MASK) >> PMCNTRL.SUS_TYP_SHIFT;
    if (type === SUS_TYP_SOFT_OFF) this.system.requestShutdown('ACPI S5 soft-off', 0);
    else this.log(`sleep type ${type} requested: only S5 (SUS_TYP ${SUS_TYP_SOFT_OFF}) is supported`);
  }

  /** Catches up TMROF_STS, drives SCI and arms the timer for the next overflow SCI. */
  private update(): void {
    const epoch = Math.floor(this.ticks() / OVERFLOW_TICKS);
    if (epoch !== this.overflowEpoch) {
      this.overflowEpoch = epoch;
      this.regs[PMIO.PMSTS] |= PMSTS.TMROF_STS;
    }
    const pmsts = this.reg16(PMIO.PMSTS);
    const pmen = this.reg16(PMIO.PMEN);
    const events = (pmsts & pmen & SCI_EVENTS) !== 0 || (this.gpeSts & this.gpeEn) !== 0;
    this.sci.set((this.regs[PMIO.PMCNTRL] & PMCNTRL.SCI_EN) !== 0 && events);
    if (pmen & PMSTS.TMROF_STS && !(pmsts & PMSTS.TMROF_STS)) {
      this.timer.arm(nsAtTick((epoch + 1) * OVERFLOW_TICKS, PM_TIMER_HZ));
    } else {
      this.timer.cancel();
    }
  }
}
