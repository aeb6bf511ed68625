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
 * Divergences from the datasheet, shared with QEMU: a count is loaded at
 * once rather than on the next CLK edge, and a new count in modes 2 and 3
 * takes effect at once rather than at the end of the current period.
 */
export class PitCounter {
  mode = 0;
  bcd = false;
  access = Access.LsbMsb;
  /** The Count Register as written (BCD-encoded when `bcd`). */
  countRegister = 0;
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

  /** The initial count N in CLK edges (0 means 2^16, or 10^4 in BCD). */
  get period(): number {
    const n = this.bcd ? fromBcd(this.countRegister) : this.countRegister;
    if (n === 0) return this.bcd ? 10000 : 0x10000;
    return n;
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
    const n = this.period;
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
    const n = this.period;
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
    const n = this.period;
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
    const nullCount = this.nullCount || (this.loaded && ticksAt(now, PIT_HZ) === this.startTick);
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
    this.loaded = true;
    this.nullCount = false;
    this.startTick = ticksAt(now, PIT_HZ);
    this.ticksBefore = 0;
    this.triggered = this.mode !== 1 && this.mode !== 5;
    this.onReprogram();
  }

  setGate(now: number, level: boolean): void {
    if (this.gateTiedHigh || level === this.gate) return;
    if (this.loaded) {
      if (level) {
        if (this.mode === 1 || this.mode === 5 || this.mode === 2 || this.mode === 3) {
          // A rising gate (re)triggers modes 1 and 5 and reloads modes 2 and 3.
          this.triggered = true;
          this.ticksBefore = 0;
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
