import { nsAtTick, ticksAt } from '../ticks.js';

/** The 8254's CLK input on a PC. */
export const PIT_HZ = 1_193_182;

/** RW field of the control word: which bytes of the count a read or write moves. */
export enum Access {
  Latch = 0,
  Lsb = 1,
  Msb = 2,
  LsbMsb = 3,
}

function toBcd(value: number): number {
  return (
    (value % 10) |
    ((Math.floor(value / 10) % 10) << 4) |
    ((Math.floor(value / 100) % 10) << 8) |
    ((Math.floor(value / 1000) % 10) << 12)
  );
}

function fromBcd(value: number): number {
  return (
    (value & 0xf) + ((value >> 4) & 0xf) * 10 + ((value >> 8) & 0xf) * 100 + ((value >> 12) & 0xf) * 1000
  );
}

/**
 * One counter of the 8254. Nothing ticks: the count and OUT are computed
 * from virtual time, as the number of CLK edges since counting started
 * (`ticksBefore` holds edges counted before the gate last paused it).
 * A new count written while counting is used as the datasheet says: at
 * once in modes 0 and 4, at the end of the period (mode 2) or half-cycle
 * (mode 3), at the next trigger in modes 1 and 5. As in QEMU, a count is
 * loaded at once rather than on the next CLK edge.
 */
export class PitCounter {
  mode = 0;
  bcd = false;
  access = Access.LsbMsb;
  /** The Count Register as written (BCD-encoded when `bcd`). */
  countRegister = 0;
  /** The count the Counting Element runs from now (the Count Register as last loaded). */
  activeCount = 0;
  /** Modes 2 and 3: counted edges at which `nextCount` takes over, or -1. */
  switchAt = -1;
  nextCount = 0;
  /** Where in its cycle the new count starts: mode 3 switching at a half-cycle starts in the low half. */
  switchOffset = 0;
  /** Modes 1 and 5: a count was written that the next trigger loads. */
  awaitingTrigger = false;
  /** A count has been loaded since the last control word, so the counter runs. */
  loaded = false;
  /** Modes 1 and 5: the gate has risen since the count was loaded. */
  triggered = false;
  gate = true;
  /** CLK edges that had occurred when counting (re)started. */
  startTick = 0;
  ticksBefore = 0;
  nullCount = true;
  private writeMsbNext = false;
  private lsbWritten = 0;
  private readMsbNext = false;
  private latched = false;
  private latchValue = 0;
  private statusLatched = false;
  private statusValue = 0;

  constructor(
    /** Gate input tied high (counters 0 and 1 on a PC). */
    private readonly gateTiedHigh: boolean,
    /** Called after anything that moves OUT's future (control word, count, gate). */
    private readonly onReprogram: () => void,
  ) {}

  reset(): void {
    this.mode = 0;
    this.bcd = false;
    this.access = Access.LsbMsb;
    this.countRegister = 0;
    this.activeCount = 0;
    this.switchAt = -1;
    this.nextCount = 0;
    this.switchOffset = 0;
    this.awaitingTrigger = false;
    this.loaded = false;
    this.triggered = false;
    this.gate = this.gateTiedHigh;
    this.startTick = 0;
    this.ticksBefore = 0;
    this.nullCount = true;
    this.writeMsbNext = false;
    this.lsbWritten = 0;
    this.readMsbNext = false;
    this.latched = false;
    this.latchValue = 0;
    this.statusLatched = false;
    this.statusValue = 0;
  }

  /** A count register value in CLK edges (0 means 2^16, or 10^4 in BCD). */
  private edgesOf(count: number): number {
    const n = this.bcd ? fromBcd(count) : count;
    if (n === 0) return this.bcd ? 10000 : 0x10000;
    return n;
  }

  private switched(d: number): boolean {
    return this.switchAt >= 0 && d >= this.switchAt;
  }

  /** The initial count N in force after `d` counted edges. */
  private nAt(d: number): number {
    return this.edgesOf(this.switched(d) ? this.nextCount : this.activeCount);
  }

  /** `d` as counted from the start of the count in force then. */
  private dAt(d: number): number {
    return this.switched(d) ? d - this.switchAt + this.switchOffset : d;
  }

  /** Modes 0 and 4 pause while GATE is low; modes 2 and 3 stop and reload when it rises again. */
  private get gatePauses(): boolean {
    return this.mode === 0 || this.mode === 2 || this.mode === 3 || this.mode === 4;
  }

  /** CLK edges counted since the count was loaded (or last retriggered). */
  elapsed(now: number): number {
    if (!this.loaded) return 0;
    if (this.gatePauses && !this.gate) return this.ticksBefore;
    return this.ticksBefore + ticksAt(now, PIT_HZ) - this.startTick;
  }

  /** True while the counter runs and its OUT can still change. */
  get running(): boolean {
    if (!this.loaded) return false;
    if (this.mode === 1 || this.mode === 5) return this.triggered;
    return !this.gatePauses || this.gate;
  }

  /** OUT after `d` counted edges. */
  outAt(d: number): boolean {
    if (!this.loaded) return this.mode !== 0;
    const n = this.nAt(d);
    d = this.dAt(d);
    switch (this.mode) {
      case 0:
        return d >= n;
      case 1:
        return !this.triggered || d >= n;
      case 2:
        // Low for the one CLK during which the count is 1; a count of 1 is illegal and stays high.
        if (!this.gate || n < 2) return true;
        return d % n !== n - 1;
      case 3:
        if (!this.gate) return true;
        return d % n < Math.ceil(n / 2);
      case 4:
        return d !== n;
      default:
        // mode 5
        return !this.triggered || d !== n;
    }
  }

  /** The counted-edges value after `d` at which OUT next changes, or -1 if it never does. */
  nextChange(d: number): number {
    if (!this.running) return -1;
    if (this.switchAt < 0) return this.nextChangeFor(this.edgesOf(this.activeCount), d);
    if (d < this.switchAt) {
      const next = this.nextChangeFor(this.edgesOf(this.activeCount), d);
      return next < 0 ? this.switchAt : Math.min(next, this.switchAt);
    }
    const base = this.switchAt - this.switchOffset;
    const next = this.nextChangeFor(this.edgesOf(this.nextCount), d - base);
    return next < 0 ? -1 : next + base;
  }

  private nextChangeFor(n: number, d: number): number {
    switch (this.mode) {
      case 0:
      case 1:
        return d < n ? n : -1;
      case 2: {
        if (n < 2) return -1;
        const start = d - (d % n);
        return d % n < n - 1 ? start + n - 1 : start + n;
      }
      case 3: {
        if (n < 2) return -1;
        const start = d - (d % n);
        const high = Math.ceil(n / 2);
        return d % n < high ? start + high : start + n;
      }
      default:
        // modes 4 and 5
        if (d < n) return n;
        return d === n ? n + 1 : -1;
    }
  }

  /** Virtual time at which `d` edges will have been counted (the counter must be running). */
  timeOf(d: number): number {
    return nsAtTick(this.startTick + d - this.ticksBefore, PIT_HZ);
  }

  /** The Counting Element after `d` counted edges, in the counter's binary or BCD form. */
  countAt(d: number): number {
    if (!this.loaded) return this.countRegister;
    if ((this.mode === 1 || this.mode === 5) && !this.triggered) return this.countRegister;
    const n = this.nAt(d);
    d = this.dAt(d);
    const modulus = this.bcd ? 10000 : 0x10000;
    let value: number;
    if (this.mode === 2) {
      value = n - (d % n);
    } else if (this.mode === 3) {
      // Decrements by two each CLK, through both halves of the period; an odd count drops its LSB.
      const p = d % n;
      const high = Math.ceil(n / 2);
      value = (n & ~1) - 2 * (p < high ? p : p - high);
    } else {
      value = (((n - d) % modulus) + modulus) % modulus;
    }
    value %= modulus;
    return this.bcd ? toBcd(value) : value;
  }

  out(now: number): boolean {
    return this.outAt(this.elapsed(now));
  }

  status(now: number): number {
    const pending = this.awaitingTrigger || (this.switchAt >= 0 && this.elapsed(now) < this.switchAt);
    const nullCount = this.nullCount || pending || (this.loaded && ticksAt(now, PIT_HZ) === this.startTick);
    return (
      (this.out(now) ? 0x80 : 0) |
      (nullCount ? 0x40 : 0) |
      (this.access << 4) |
      (this.mode << 1) |
      (this.bcd ? 1 : 0)
    );
  }

  /** A control word addressed to this counter (RW not 00). */
  control(value: number): void {
    this.access = (value >> 4) & 3;
    const mode = (value >> 1) & 7;
    this.mode = mode > 5 ? mode - 4 : mode;
    this.bcd = (value & 1) !== 0;
    this.loaded = false;
    this.triggered = false;
    this.switchAt = -1;
    this.awaitingTrigger = false;
    this.nullCount = true;
    this.writeMsbNext = false;
    this.readMsbNext = false;
    this.latched = false;
    this.statusLatched = false;
    this.onReprogram();
  }

  /** Counter Latch Command: the first of several latches wins until read. */
  latchCount(now: number): void {
    if (this.latched) return;
    this.latched = true;
    this.latchValue = this.countAt(this.elapsed(now));
    this.readMsbNext = false;
  }

  latchStatus(now: number): void {
    if (this.statusLatched) return;
    this.statusLatched = true;
    this.statusValue = this.status(now);
  }

  read(now: number): number {
    if (this.statusLatched) {
      this.statusLatched = false;
      return this.statusValue;
    }
    const value = this.latched ? this.latchValue : this.countAt(this.elapsed(now));
    let byte: number;
    if (this.access === Access.Msb) {
      byte = value >> 8;
      this.latched = false;
    } else if (this.access === Access.Lsb) {
      byte = value & 0xff;
      this.latched = false;
    } else if (this.readMsbNext) {
      byte = value >> 8;
      this.readMsbNext = false;
      this.latched = false;
    } else {
      byte = value & 0xff;
      this.readMsbNext = true;
    }
    return byte & 0xff;
  }

  write(now: number, value: number): void {
    switch (this.access) {
      case Access.Lsb:
        this.load(now, value);
        break;
      case Access.Msb:
        this.load(now, value << 8);
        break;
      default:
        if (this.writeMsbNext) {
          this.writeMsbNext = false;
          this.load(now, this.lsbWritten | (value << 8));
        } else {
          this.writeMsbNext = true;
          this.lsbWritten = value;
          // Mode 0: writing the first byte stops the count and drives OUT low.
          if (this.mode === 0 && this.loaded) {
            this.loaded = false;
            this.onReprogram();
          }
        }
        break;
    }
  }

  private load(now: number, count: number): void {
    this.countRegister = count & 0xffff;
    this.nullCount = false;
    if (this.loaded && (this.mode === 1 || this.mode === 5)) {
      this.awaitingTrigger = true;
      return;
    }
    if (this.loaded && (this.mode === 2 || this.mode === 3)) {
      if (this.gate) this.deferLoad(now);
      else this.activeCount = this.countRegister;
      return;
    }
    this.activeCount = this.countRegister;
    this.switchAt = -1;
    this.loaded = true;
    this.startTick = ticksAt(now, PIT_HZ);
    this.ticksBefore = 0;
    this.triggered = this.mode !== 1 && this.mode !== 5;
    this.onReprogram();
  }

  /** Modes 2 and 3 while counting: the new count waits for the end of the period or half-cycle. */
  private deferLoad(now: number): void {
    this.commitSwitch(now);
    const d = this.elapsed(now);
    const n = this.edgesOf(this.activeCount);
    const start = d - (d % n);
    const high = Math.ceil(n / 2);
    if (this.mode === 3 && d % n < high) {
      this.switchAt = start + high;
      this.switchOffset = Math.ceil(this.edgesOf(this.countRegister) / 2);
    } else {
      this.switchAt = start + n;
      this.switchOffset = 0;
    }
    this.nextCount = this.countRegister;
    this.onReprogram();
  }

  /** Makes a count switch that time has passed the current count, so a new one can be scheduled. */
  private commitSwitch(now: number): void {
    if (this.switchAt < 0 || this.elapsed(now) < this.switchAt) return;
    this.ticksBefore += this.switchOffset - this.switchAt;
    this.activeCount = this.nextCount;
    this.switchAt = -1;
  }

  setGate(now: number, level: boolean): void {
    if (this.gateTiedHigh || level === this.gate) return;
    if (this.loaded) {
      if (level) {
        if (this.mode === 1 || this.mode === 5 || this.mode === 2 || this.mode === 3) {
          // A rising gate (re)triggers modes 1 and 5 and reloads modes 2 and 3 from the Count Register.
          this.triggered = true;
          this.ticksBefore = 0;
          this.activeCount = this.countRegister;
          this.switchAt = -1;
          this.awaitingTrigger = false;
        }
        this.startTick = ticksAt(now, PIT_HZ);
      } else if (this.gatePauses) {
        this.ticksBefore = this.elapsed(now);
      }
    }
    this.gate = level;
    this.onReprogram();
  }
}
