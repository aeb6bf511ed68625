/**
 * What the buses tell the poll watch: every device register read and write,
 * by key and value. Buses made outside a machine report to `UNWATCHED`,
 * which ignores them.
 */
export interface BusWatch {
  read(key: number, value: number): void;
  write(key: number, value: number): void;
}

export const UNWATCHED: BusWatch = { read: () => {}, write: () => {} };

/** What the watch needs of the clock: where the CPU is, and a way to skip ahead. */
export interface SkippingClock {
  /** Instructions retired since power-on, counting the current one as not yet retired. */
  position(): number;
  /** Moves time forward by up to `ns` within the current instruction, never as far as the next timer. */
  skip(ns: number): void;
}

/**
 * The clocks a guest can read, one bit each. A loop that reads two of them
 * is measuring one against the other (Linux calibrating the TSC against the
 * 8254 or the PM timer counts its iterations and rejects uneven ones), not
 * waiting: it gets no skip.
 */
export const TimeSource = {
  /** PAUSE: a spin hint, no clock. */
  none: 0,
  tsc: 1,
  pit: 2,
  pmTimer: 4,
  rtc: 8,
  apicTimer: 16,
} as const;

/** Device registers one loop may poll in turn. */
const REGISTERS = 4;
/** Polls in a row before time starts to skip: a wait that short costs little anyway. */
const THRESHOLD = 16;
/** Instructions between two polls of one loop, at most: more is work, not waiting. */
const MAX_GAP = 4096;
/** Virtual time one poll may skip, at most (ns): bounds the error of a loop mistaken for a wait. */
const MAX_SKIP_NS = 2 ** 24;
/**
 * Growth of the skip per poll. A wait for a deadline the watch cannot see
 * (a count the loop compares: Linux's udelay on the TSC) ends at most one
 * skip late, and a skip is about 1/32 of the time skipped before it: the
 * wait overshoots by about 3% at most. (At 1/8 short waits ended 5-11% late,
 * which added up over the thousands of delays of Linux's ISA PnP scan.) A
 * wait costs a few thousand instructions either way.
 */
const GROWTH = 1 + 1 / 32;
/**
 * Gaps between polls remembered. A waiting loop repeats its gaps (one per
 * poll it makes in an iteration: Linux's udelay reads the TSC and runs
 * PAUSE); a gap not among the last `GAPS` is a new wait entered with no
 * device write in between, and the streak starts over. So the skip starts
 * small again at each of mdelay's back-to-back udelays (else it would go on
 * growing from wait to wait and each would end later than the last: 10
 * waits of 1 ms on the TSC measured 35% late in all), and a wait on one
 * clock is skipped even when code between waits reads another (Linux's
 * local APIC timer calibration waits a jiffy on the TSC, then reads the
 * APIC timer and the PM timer: some 100 million instructions unskipped).
 * A measurement loop reads both its clocks in every iteration, within the
 * `THRESHOLD` polls a restarted streak must wait.
 */
const GAPS = 8;

/**
 * Fast-forward: finds the CPU busy-waiting and skips the virtual time the
 * wait would have cost in instructions.
 *
 * A poll is a read of a time source (the TSC, a timer's count, the RTC's
 * update flag; PAUSE counts too) or a device register read that returns
 * what the same register returned when the loop last read it (a loop may
 * poll up to `REGISTERS` registers in turn). Polls a few instructions apart
 * with no other device register written between them are a loop waiting
 * for time to pass or for an interrupt: nothing the loop does can change
 * what it reads next, only a timer can. A loop that reads two different
 * clocks is a measurement and keeps its real pace. From the `THRESHOLD`th
 * poll in a row on, each poll moves time forward at its instruction: by the
 * loop's own time per iteration, growing by `GROWTH` per poll, at most
 * `MAX_SKIP_NS`, and never as far as the next timer's deadline, so every
 * interrupt still comes at its virtual time and the slice ends there for
 * the timer to run.
 *
 * Everything here follows from the instruction stream and the machine's
 * state: two runs with the same inputs skip the same time at the same
 * instructions.
 */
export class PollWatch implements BusWatch {
  /** Device register writes that may have changed what a poll reads. */
  private writes = 0;
  /** Of those, writes that only latch a time source for reading (its own count). */
  private timeWrites = 0;
  /** Other writes as of the last poll. */
  private seenWrites = 0;
  private readonly enabled: boolean;
  private streak = 0;
  /** The `TimeSource` bits the current streak has read. */
  private clocks = 0;
  /** The current skip as a multiple of the loop's own time per poll. */
  private factor = 1;
  private lastAt = -1;
  private timedAt = -1;
  /** The registers the loop reads in turn (a driver's poll may read several), with each one's last value. */
  private readonly keys = new Float64Array(REGISTERS);
  private readonly values = new Float64Array(REGISTERS);
  private registers = 0;
  private readonly gaps = new Uint16Array(GAPS);
  private gapAt = 0;

  constructor(
    private readonly clock: SkippingClock,
    private readonly nsPerInstruction: number,
    enabled: boolean,
  ) {
    this.enabled = enabled && nsPerInstruction > 0;
  }

  /**
   * A time source is being read (or PAUSE runs): called by the source on
   * every read, before it looks at `clock.now`, so the read sees the time
   * skipped to and a wait ends as soon as the skip reaches its end.
   */
  timeRead(source: number): void {
    if (!this.enabled) return;
    const at = this.clock.position();
    this.timedAt = at;
    this.poll(at);
    this.clocks |= source;
  }

  /** A write that latches a time source's count for reading (the 8254's latch commands): part of a poll. */
  timeWrite(): void {
    this.timeWrites++;
  }

  /**
   * A device register write on a bus. Writing a polled register the value it
   * just read (a driver acknowledging status bits that are not set) changes
   * nothing the loop reads; any other write ends the wait.
   */
  write(key: number, value: number): void {
    if (!this.enabled) return;
    for (let i = 0; i < this.registers; i++) if (this.keys[i] === key && this.values[i] === value) return;
    this.writes++;
  }

  /** A device register read on a bus: a poll when the register read the same value when the loop last read it. */
  read(key: number, value: number): void {
    if (!this.enabled) return;
    const at = this.clock.position();
    // The bus read that carried a time source's read counts once, as the time read.
    if (at === this.timedAt) return;
    for (let i = 0; i < this.registers; i++) {
      if (this.keys[i] !== key) continue;
      if (this.values[i] === value) this.poll(at);
      else {
        this.values[i] = value;
        this.restart(at);
      }
      return;
    }
    if (this.registers === REGISTERS) this.registers = 0;
    this.keys[this.registers] = key;
    this.values[this.registers++] = value;
    this.restart(at);
  }

  private restart(at: number): void {
    this.streak = 0;
    this.clocks = 0;
    this.factor = 1;
    this.gaps.fill(0);
    this.lastAt = at;
    this.seenWrites = this.writes - this.timeWrites;
  }

  private poll(at: number): void {
    const gap = at - this.lastAt;
    // Several reads in one instruction (a string input) are one poll.
    if (gap === 0) return;
    if (this.writes - this.timeWrites !== this.seenWrites || gap < 0 || gap > MAX_GAP) {
      this.restart(at);
      return;
    }
    this.lastAt = at;
    if (this.gaps.indexOf(gap) < 0) {
      this.streak = 0;
      this.clocks = 0;
      this.factor = 1;
    }
    this.gaps[this.gapAt] = gap;
    this.gapAt = (this.gapAt + 1) % GAPS;
    if (++this.streak < THRESHOLD || (this.clocks & (this.clocks - 1)) !== 0) return;
    if (this.factor < MAX_SKIP_NS) this.factor *= GROWTH;
    // Whole nanoseconds: the factor's fractions would make every later deadline fractional.
    this.clock.skip(Math.floor(Math.min(gap * this.nsPerInstruction * this.factor, MAX_SKIP_NS)));
  }
}
