import type { Clock, IrqLine, PortHandler, Timer } from '@plugboard/core';
import { TimeSource } from '@plugboard/core';
import { civilFromDays, daysFromCivil, fromBcd, toBcd } from './calendar.js';
import {
  ALARM_DONT_CARE,
  CMOS_CENTURY,
  CMOS_SIZE,
  REG_A_DV_32KHZ,
  REG_A_DV_MASK,
  REG_A_RS_MASK,
  REG_A_UIP,
  REG_B_24H,
  REG_B_AIE,
  REG_B_DM,
  REG_B_PIE,
  REG_B_SET,
  REG_B_SQWE,
  REG_B_UIE,
  REG_C_AF,
  REG_C_IRQF,
  REG_C_PF,
  REG_C_UF,
  REG_D_VRT,
  RTC_DATE_OF_MONTH,
  RTC_DAY_OF_WEEK,
  RTC_HOURS,
  RTC_HOURS_ALARM,
  RTC_MINUTES,
  RTC_MINUTES_ALARM,
  RTC_MONTH,
  RTC_REG_A,
  RTC_REG_B,
  RTC_REG_C,
  RTC_REG_D,
  RTC_SECONDS,
  RTC_SECONDS_ALARM,
  RTC_YEAR,
} from './registers.js';

const NS_PER_SECOND = 1e9;
const TIME_BASE_HZ = 32768;
/** UIP rises this long before each update (datasheet: 244 us at 32.768 kHz). */
export const UIP_LEAD_NS = (8 * NS_PER_SECOND) / TIME_BASE_HZ;
/** After the divider leaves reset, the first update comes half a second later. */
const FIRST_UPDATE_NS = NS_PER_SECOND / 2;
const SECONDS_PER_DAY = 86400;

/**
 * The MC146818A real-time clock and its 128 bytes of CMOS. The time registers
 * are the state, in whatever mode (BCD/binary, 12/24 h) register B had when
 * they were written, and the once-a-second update counts in them, as the chip
 * does. Updates, UIP, periodic and alarm interrupts follow virtual time.
 */
export class Mc146818 {
  readonly cmos = new Uint8Array(CMOS_SIZE);
  /** Port 0x70 bit 7: NMI masked. The board gates NMI with it; this device only records it. */
  nmiMasked = false;
  private index = 0;
  /** Virtual time of the next update (the second boundary), or Infinity while the divider is stopped. */
  private nextUpdate = Number.POSITIVE_INFINITY;
  /** When register C was last read, for PF while the periodic interrupt is off. */
  private lastFlagRead = 0;
  private readonly updateTimer: Timer;
  private readonly periodicTimer: Timer;
  private readonly scratch = new Int32Array(4);

  readonly ports: PortHandler = {
    read8: (off) => (off === 1 ? this.readData() : 0xff),
    write8: (off, value) => {
      if (off === 0) {
        this.index = value & 0x7f;
        // Selecting a clock register to read it is part of a poll.
        if (this.index <= RTC_REG_D) this.clock.polls.timeWrite();
        this.nmiMasked = (value & 0x80) !== 0;
      } else this.writeData(value);
    },
  };

  constructor(
    private readonly clock: Clock,
    private readonly irq: IrqLine,
    /** Seconds since 1970 (UTC or local, as configured) the clock shows at power-on. */
    startSeconds: number,
  ) {
    this.updateTimer = clock.createTimer('mc146818 update', (now) => this.onUpdateTimer(now));
    this.periodicTimer = clock.createTimer('mc146818 periodic', () => this.onPeriodic());
    // Power-on state as QEMU leaves it and SeaBIOS expects: 32.768 kHz, 1024 Hz rate, BCD, 24 h.
    this.cmos[RTC_REG_A] = REG_A_DV_32KHZ | 0x06;
    this.cmos[RTC_REG_B] = REG_B_24H;
    this.cmos[RTC_REG_D] = REG_D_VRT;
    this.setSeconds(startSeconds);
    this.startDivider(clock.now + NS_PER_SECOND);
  }

  /**
   * The RESET pin (every system reset): interrupt enables, square wave and
   * flags clear; time, mode and CMOS are battery-backed and stay.
   */
  reset(): void {
    this.cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    this.cmos[RTC_REG_C] = 0;
    this.index = 0;
    this.nmiMasked = false;
    this.lastFlagRead = this.clock.now;
    this.irq.set(false);
    this.rearmPeriodic();
  }

  /** Seconds since 1970 the time registers show. */
  seconds(): number {
    this.catchUp();
    const c = this.cmos;
    const binary = (c[RTC_REG_B] & REG_B_DM) !== 0;
    const dec = (v: number) => (binary ? v : fromBcd(v));
    let hours = c[RTC_HOURS];
    if (c[RTC_REG_B] & REG_B_24H) hours = dec(hours);
    else hours = (dec(hours & 0x7f) % 12) + (hours & 0x80 ? 12 : 0);
    const year = dec(c[CMOS_CENTURY]) * 100 + dec(c[RTC_YEAR]);
    const days = daysFromCivil(year, dec(c[RTC_MONTH]), dec(c[RTC_DATE_OF_MONTH]));
    return days * SECONDS_PER_DAY + hours * 3600 + dec(c[RTC_MINUTES]) * 60 + dec(c[RTC_SECONDS]);
  }

  /** Sets the time registers (and the century byte) to `total` seconds since 1970 in the current mode. */
  setSeconds(total: number): void {
    const c = this.cmos;
    const binary = (c[RTC_REG_B] & REG_B_DM) !== 0;
    const enc = (v: number) => (binary ? v : toBcd(v));
    const days = Math.floor(total / SECONDS_PER_DAY);
    let rest = total - days * SECONDS_PER_DAY;
    civilFromDays(days, this.scratch);
    const hours = Math.floor(rest / 3600);
    rest -= hours * 3600;
    c[RTC_SECONDS] = enc(rest % 60);
    c[RTC_MINUTES] = enc(Math.floor(rest / 60));
    if (c[RTC_REG_B] & REG_B_24H) c[RTC_HOURS] = enc(hours);
    else c[RTC_HOURS] = enc(hours % 12 === 0 ? 12 : hours % 12) | (hours >= 12 ? 0x80 : 0);
    c[RTC_DAY_OF_WEEK] = enc(this.scratch[3] + 1);
    c[RTC_DATE_OF_MONTH] = enc(this.scratch[2]);
    c[RTC_MONTH] = enc(this.scratch[1]);
    c[RTC_YEAR] = enc(this.scratch[0] % 100);
    c[CMOS_CENTURY] = enc(Math.floor(this.scratch[0] / 100) % 100);
  }

  /** Periodic interrupt period in ns for register A's rate select, 0 when off. */
  periodNs(): number {
    let rs = this.cmos[RTC_REG_A] & REG_A_RS_MASK;
    if (rs === 0) return 0;
    if (rs <= 2) rs += 7; // At 32.768 kHz, rates 1 and 2 repeat rates 8 and 9.
    return ((1 << (rs - 1)) * NS_PER_SECOND) / TIME_BASE_HZ;
  }

  private get running(): boolean {
    return (this.cmos[RTC_REG_A] & REG_A_DV_MASK) === REG_A_DV_32KHZ;
  }

  private readData(): number {
    const index = this.index;
    if (index > RTC_REG_D) return this.cmos[index];
    // The time, UIP and the flags follow virtual time: a poll for the clock's fast-forward.
    this.clock.polls.timeRead(TimeSource.rtc);
    this.catchUp();
    switch (index) {
      case RTC_REG_A: {
        const now = this.clock.now;
        const uip =
          this.running && !(this.cmos[RTC_REG_B] & REG_B_SET) && now >= this.nextUpdate - UIP_LEAD_NS
            ? REG_A_UIP
            : 0;
        return (this.cmos[RTC_REG_A] & ~REG_A_UIP) | uip;
      }
      case RTC_REG_C:
        return this.readFlags();
      case RTC_REG_D:
        return REG_D_VRT;
      default:
        return this.cmos[index];
    }
  }

  private writeData(value: number): void {
    const index = this.index;
    switch (index) {
      case RTC_REG_A: {
        const wasRunning = this.running;
        this.cmos[RTC_REG_A] = (value & ~REG_A_UIP) | (this.cmos[RTC_REG_A] & REG_A_UIP);
        if (this.running && !wasRunning) this.startDivider(this.clock.now + FIRST_UPDATE_NS);
        else if (!this.running) this.startDivider(Number.POSITIVE_INFINITY);
        this.rearmPeriodic();
        break;
      }
      case RTC_REG_B:
        this.catchUp();
        // Setting SET ends any update in progress and clears UIE (datasheet, register B bit 7).
        if (value & REG_B_SET) value &= ~REG_B_UIE;
        this.cmos[RTC_REG_B] = value;
        this.updateIrq();
        this.rearmPeriodic();
        this.armUpdateTimer();
        break;
      case RTC_REG_C:
      case RTC_REG_D:
        break;
      default:
        if (index < RTC_REG_A) this.catchUp();
        this.cmos[index] = value;
    }
  }

  private readFlags(): number {
    let flags = this.cmos[RTC_REG_C];
    const period = this.periodNs();
    const now = this.clock.now;
    // With PIE off no timer runs, but PF still says whether a period ended since the last read.
    if (period > 0 && this.running && !this.periodicTimer.armed) {
      if (Math.floor(now / period) > Math.floor(this.lastFlagRead / period)) flags |= REG_C_PF;
    }
    this.cmos[RTC_REG_C] = 0;
    this.lastFlagRead = now;
    this.irq.set(false);
    return flags;
  }

  private startDivider(firstUpdate: number): void {
    this.nextUpdate = firstUpdate;
    this.armUpdateTimer();
  }

  /**
   * The update timer runs only while an update or alarm interrupt is enabled;
   * otherwise register reads catch up, so an idle guest costs no timer events.
   */
  private armUpdateTimer(): void {
    if (this.nextUpdate !== Number.POSITIVE_INFINITY && this.cmos[RTC_REG_B] & (REG_B_UIE | REG_B_AIE)) {
      this.updateTimer.arm(this.nextUpdate);
    } else this.updateTimer.cancel();
  }

  /** Runs updates whose time has come but whose timer has not fired (or is not armed). */
  private catchUp(): void {
    if (this.clock.now >= this.nextUpdate) this.onUpdateTimer(this.clock.now);
  }

  /** Every update due by `now`, in one step: the time advances, UF (and AF, for the final time) are set. */
  private onUpdateTimer(now: number): void {
    if (now < this.nextUpdate) return;
    const seconds = Math.floor((now - this.nextUpdate) / NS_PER_SECOND) + 1;
    this.nextUpdate += seconds * NS_PER_SECOND;
    this.armUpdateTimer();
    if (this.cmos[RTC_REG_B] & REG_B_SET) return;
    this.setSeconds(this.seconds() + seconds);
    let flags = REG_C_UF;
    if (this.alarmMatches()) flags |= REG_C_AF;
    this.cmos[RTC_REG_C] |= flags;
    this.updateIrq();
  }

  private alarmMatches(): boolean {
    const c = this.cmos;
    const match = (alarm: number, value: number) =>
      (alarm & ALARM_DONT_CARE) === ALARM_DONT_CARE || alarm === value;
    return (
      match(c[RTC_SECONDS_ALARM], c[RTC_SECONDS]) &&
      match(c[RTC_MINUTES_ALARM], c[RTC_MINUTES]) &&
      match(c[RTC_HOURS_ALARM], c[RTC_HOURS])
    );
  }

  private onPeriodic(): void {
    this.cmos[RTC_REG_C] |= REG_C_PF;
    this.updateIrq();
    this.rearmPeriodic();
  }

  /** Arms the periodic timer for the next period boundary of the divider while PIE is set. */
  private rearmPeriodic(): void {
    const period = this.periodNs();
    if (period === 0 || !this.running || !(this.cmos[RTC_REG_B] & REG_B_PIE)) {
      this.periodicTimer.cancel();
      return;
    }
    const now = this.clock.now;
    let k = Math.floor(now / period) + 1;
    if (k * period <= now) k++; // Rounding must never re-arm at the instant that fired.
    this.periodicTimer.arm(k * period);
  }

  /** IRQF follows the flags register B enables (PF/AF/UF sit at the same bits as PIE/AIE/UIE); IRQ8 follows IRQF. */
  private updateIrq(): void {
    const c = this.cmos;
    if (c[RTC_REG_C] & c[RTC_REG_B] & (REG_C_PF | REG_C_AF | REG_C_UF)) {
      c[RTC_REG_C] |= REG_C_IRQF;
      this.irq.set(true);
    }
  }
}
