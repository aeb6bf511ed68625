export interface ClockOptions {
  /**
   * `instructions` (the default): virtual time advances by `nsPerInstruction`
   * per executed instruction, so a run is a function of its inputs alone.
   * `host`: virtual time follows the host's monotonic clock.
   */
  mode: 'instructions' | 'host';
  nsPerInstruction: number;
  /** In `instructions` mode, keep virtual time from running ahead of real time. */
  pace: boolean;
}

export const DEFAULT_CLOCK_OPTIONS: ClockOptions = { mode: 'instructions', nsPerInstruction: 1, pace: false };

export class Timer {
  /** Virtual time (ns) at which it fires, or Infinity when disarmed. */
  deadline = Number.POSITIVE_INFINITY;
  /** Orders timers with equal deadlines by when they were armed. */
  sequence = 0;

  constructor(
    private readonly clock: Clock,
    readonly name: string,
    readonly callback: (now: number) => void,
  ) {}

  get armed(): boolean {
    return this.deadline !== Number.POSITIVE_INFINITY;
  }

  arm(deadline: number): void {
    this.clock.schedule(this, deadline);
  }

  armIn(delayNs: number): void {
    this.clock.schedule(this, this.clock.now + Math.max(0, delayNs));
  }

  cancel(): void {
    this.clock.schedule(this, Number.POSITIVE_INFINITY);
  }
}

/**
 * The machine's virtual time, in nanoseconds since power-on, and its timers.
 * Devices read `now` and arm timers; the run loop advances time and calls
 * `runDue()` when `now` reaches `nextDeadline`.
 */
export class Clock {
  now = 0;
  nextDeadline = Number.POSITIVE_INFINITY;
  readonly options: ClockOptions;
  private readonly timers: Timer[] = [];
  private sequence = 0;
  private hostOrigin = 0;

  constructor(options: Partial<ClockOptions> = {}) {
    this.options = { ...DEFAULT_CLOCK_OPTIONS, ...options };
    if (!(this.options.nsPerInstruction > 0)) throw new RangeError('nsPerInstruction must be positive');
    this.hostOrigin = performance.now();
  }

  createTimer(name: string, callback: (now: number) => void): Timer {
    const timer = new Timer(this, name, callback);
    this.timers.push(timer);
    return timer;
  }

  /** Called by Timer: moves one timer's deadline and refreshes `nextDeadline`. */
  schedule(timer: Timer, deadline: number): void {
    timer.deadline = deadline;
    timer.sequence = this.sequence++;
    this.refresh();
  }

  /** Accounts executed instructions (in `instructions` mode) or reads the host clock. */
  advance(instructions: number): void {
    if (this.options.mode === 'host')
      this.now = Math.max(this.now, (performance.now() - this.hostOrigin) * 1e6);
    else this.now += instructions * this.options.nsPerInstruction;
  }

  /** Jumps to `time` (a halted CPU skipping to the next event). Never goes backwards. */
  advanceTo(time: number): void {
    if (time > this.now) this.now = time;
  }

  /** How many instructions may run before the next timer is due. */
  instructionsUntilDeadline(): number {
    if (this.options.mode === 'host') return Number.POSITIVE_INFINITY;
    const ns = this.nextDeadline - this.now;
    return ns <= 0 ? 0 : Math.ceil(ns / this.options.nsPerInstruction);
  }

  /** Real time in ns since the clock was made, for pacing and host mode. */
  hostNow(): number {
    return (performance.now() - this.hostOrigin) * 1e6;
  }

  /** Fires every timer whose deadline has come, earliest (then first armed) first. */
  runDue(): void {
    while (this.nextDeadline <= this.now) {
      let due: Timer | null = null;
      for (const t of this.timers) {
        if (
          t.deadline <= this.now &&
          (due === null ||
            t.deadline < due.deadline ||
            (t.deadline === due.deadline && t.sequence < due.sequence))
        ) {
          due = t;
        }
      }
      if (due === null) break;
      due.deadline = Number.POSITIVE_INFINITY;
      this.refresh();
      due.callback(this.now);
    }
  }

  private refresh(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.timers) if (t.deadline < next) next = t.deadline;
    this.nextDeadline = next;
  }
}
