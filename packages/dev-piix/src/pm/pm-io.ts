import type { Clock, IrqLine, PortHandler, SystemControl, Timer } from '@plugboard/core';
import { TimeSource } from '@plugboard/core';
import { nsAtTick, ticksAt } from '../ticks.js';
import {
  ACPI_DISABLE,
  ACPI_ENABLE,
  PM_TIMER_HZ,
  PMCNTRL,
  PMIO,
  PMIO_SIZE,
  PMSTS,
  SCI_EVENTS,
  SUS_TYP_SOFT_OFF,
} from './registers.js';

/** TMROF_STS is set each time bit 23 of the 24-bit timer changes. */
const OVERFLOW_TICKS = 1 << 23;
/** PMSTS bits a write of 1 clears. */
const PMSTS_W1C = 0x8d31;
const PMEN_WRITABLE = 0x0521;
const PMCNTRL_WRITABLE = PMCNTRL.SCI_EN | PMCNTRL.BRLD_EN_BM | PMCNTRL.SUS_TYP_MASK;

/**
 * The ACPI fixed hardware of the PIIX4: PM1 status/enable/control, the PM
 * timer, the GPE0 block QEMU places at 0xAFE0, and the APM command port
 * that switches SCI_EN. SCI is ISA IRQ9, a level. Registers of the PM block
 * the chipset has no behaviour for here (GPSTS to GPOREG) are storage.
 */
export class PmIo {
  pmsts = 0;
  pmen = 0;
  pmcntrl = 0;
  gpeSts = 0;
  gpeEn = 0;
  apmc = 0;
  apms = 0;
  readonly storage = new Uint8Array(PMIO_SIZE);
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
      if (value === ACPI_ENABLE) this.pmcntrl |= PMCNTRL.SCI_EN;
      else if (value === ACPI_DISABLE) this.pmcntrl &= ~PMCNTRL.SCI_EN;
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
    this.pmsts = 0;
    this.pmen = 0;
    this.pmcntrl = 0;
    this.gpeSts = 0;
    this.gpeEn = 0;
    this.apmc = 0;
    this.apms = 0;
    this.storage.fill(0);
    this.overflowEpoch = Math.floor(this.ticks() / OVERFLOW_TICKS);
    this.update();
  }

  /** The fixed power button was pressed: PWRBTN_STS, and SCI when PWRBTN_EN and SCI_EN allow. */
  pressPowerButton(): void {
    this.pmsts |= PMSTS.PWRBTN_STS;
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
    switch (offset & ~1) {
      case PMIO.PMSTS:
        this.update();
        return (this.pmsts >> ((offset & 1) * 8)) & 0xff;
      case PMIO.PMEN:
        return (this.pmen >> ((offset & 1) * 8)) & 0xff;
      case PMIO.PMCNTRL:
        return (this.pmcntrl >> ((offset & 1) * 8)) & 0xff;
      case PMIO.PMTMR:
      case PMIO.PMTMR + 2:
        return (this.timerValue() >>> ((offset - PMIO.PMTMR) * 8)) & 0xff;
      default:
        return this.storage[offset];
    }
  }

  private write8(offset: number, value: number): void {
    const shift = (offset & 1) * 8;
    switch (offset & ~1) {
      case PMIO.PMSTS:
        this.pmsts &= ~((value << shift) & PMSTS_W1C);
        break;
      case PMIO.PMEN:
        this.pmen = ((this.pmen & ~(0xff << shift)) | (value << shift)) & PMEN_WRITABLE;
        break;
      case PMIO.PMCNTRL: {
        const written = value << shift;
        this.pmcntrl = ((this.pmcntrl & ~(0xff << shift)) | written) & PMCNTRL_WRITABLE;
        if (written & PMCNTRL.GBL_RLS) this.log('GBL_RLS written: no SMI handler exists to hear it');
        if (written & PMCNTRL.SUS_EN) this.sleep();
        break;
      }
      case PMIO.PMTMR:
      case PMIO.PMTMR + 2:
        break;
      case PMIO.GPSTS:
        this.storage[offset] &= ~value;
        break;
      default:
        this.storage[offset] = value;
        break;
    }
    this.update();
  }

  private sleep(): void {
    const type = (this.pmcntrl & PMCNTRL.SUS_TYP_MASK) >> PMCNTRL.SUS_TYP_SHIFT;
    if (type === SUS_TYP_SOFT_OFF) this.system.requestShutdown('ACPI S5 soft-off', 0);
    else this.log(`sleep type ${type} requested: only S5 (SUS_TYP ${SUS_TYP_SOFT_OFF}) is supported`);
  }

  /** Catches up TMROF_STS, drives SCI and arms the timer for the next overflow SCI. */
  private update(): void {
    const epoch = Math.floor(this.ticks() / OVERFLOW_TICKS);
    if (epoch !== this.overflowEpoch) {
      this.overflowEpoch = epoch;
      this.pmsts |= PMSTS.TMROF_STS;
    }
    const events = (this.pmsts & this.pmen & SCI_EVENTS) !== 0 || (this.gpeSts & this.gpeEn) !== 0;
    this.sci.set((this.pmcntrl & PMCNTRL.SCI_EN) !== 0 && events);
    if (this.pmen & PMSTS.TMROF_STS && !(this.pmsts & PMSTS.TMROF_STS)) {
      this.timer.arm(nsAtTick((epoch + 1) * OVERFLOW_TICKS, PM_TIMER_HZ));
    } else {
      this.timer.cancel();
    }
  }
}
