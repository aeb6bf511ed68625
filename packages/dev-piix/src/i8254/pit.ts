import type { Clock, IrqLine, PortHandler, Timer } from '@plugboard/core';
import { TimeSource } from '@plugboard/core';
import { PitCounter } from './counter.js';

/** Edges of OUT0 further behind than this are dropped rather than replayed one by one. */
const MAX_CATCH_UP_NS = 10_000_000;

/**
 * The 8254 programmable interval timer at 0x40-0x43. Counter 0's OUT drives
 * IRQ0: a core timer fires only at OUT0's next transition, computed from the
 * mode, so an idle or one-shot timer costs nothing between edges. Counter 2's
 * GATE and OUT belong to port 0x61 (`NmiStatusControl`).
 */
export class I8254 {
  readonly counters: readonly [PitCounter, PitCounter, PitCounter];
  private readonly timer: Timer;
  /** Counted-edges value of counter 0 at which the armed timer fires. */
  private nextEdge = -1;
  private irq0Level = false;

  readonly ports: PortHandler = {
    read8: (offset) => {
      if (offset >= 3) return 0xff;
      this.clock.polls.timeRead(TimeSource.pit);
      return this.counters[offset].read(this.clock.now);
    },
    write8: (offset, value) => {
      if (offset < 3) this.counters[offset].write(this.clock.now, value);
      else this.controlWord(value);
    },
  };

  constructor(
    private readonly clock: Clock,
    private readonly irq0: IrqLine,
  ) {
    this.counters = [
      new PitCounter(true, () => this.scheduleIrq0()),
      new PitCounter(true, () => {}),
      new PitCounter(false, () => {}),
    ];
    this.timer = clock.createTimer('i8254 OUT0', () => this.onEdge());
  }

  reset(): void {
    for (const c of this.counters) c.reset();
    this.scheduleIrq0();
  }

  private controlWord(value: number): void {
    const now = this.clock.now;
    const select = value >> 6;
    if (select === 3) {
      // Read-Back Command: bit 5 low latches counts, bit 4 low latches status, bits 3-1 pick counters.
      if ((value & 0x30) !== 0x30) this.clock.polls.timeWrite();
      for (let i = 0; i < 3; i++) {
        if (!(value & (2 << i))) continue;
        if (!(value & 0x10)) this.counters[i].latchStatus(now);
        if (!(value & 0x20)) this.counters[i].latchCount(now);
      }
      return;
    }
    const counter = this.counters[select];
    if (((value >> 4) & 3) === 0) {
      counter.latchCount(now);
      this.clock.polls.timeWrite();
    } else counter.control(value);
  }

  private setIrq0(level: boolean): void {
    if (level === this.irq0Level) return;
    this.irq0Level = level;
    this.irq0.set(level);
  }

  /** Drives IRQ0 to OUT0 now and arms the timer for OUT0's next transition. */
  private scheduleIrq0(): void {
    const c = this.counters[0];
    const d = c.elapsed(this.clock.now);
    this.setIrq0(c.outAt(d));
    this.armFrom(d);
  }

  private armFrom(d: number): void {
    const c = this.counters[0];
    this.nextEdge = c.nextChange(d);
    if (this.nextEdge < 0) this.timer.cancel();
    else this.timer.arm(c.timeOf(this.nextEdge));
  }

  private onEdge(): void {
    const c = this.counters[0];
    const now = this.clock.now;
    if (this.nextEdge < 0) return;
    if (now - c.timeOf(this.nextEdge) > MAX_CATCH_UP_NS) {
      this.scheduleIrq0();
      return;
    }
    this.setIrq0(c.outAt(this.nextEdge));
    this.armFrom(this.nextEdge);
  }
}
