import { PollWatch, type SkippingClock } from './poll-watch.js';

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
  /**
   * In `instructions` mode, skip the virtual time a busy-wait would cost
   * (see `PollWatch`); off, every waited nanosecond is executed.
   */
  fastForward: boolean;
}

/**
 * Host work a device does for one guest action (a BLT, a DMA transfer), in
 * byte operations: what `Clock.charge` meters.
 */
export interface WorkMeter {
  charge(units: number): void;
}

/** A meter for devices built outside a machine (tests, benchmarks): charges nothing. */
export const UNMETERED: WorkMeter = { charge: () => {} };

/**
 * Byte operations of device work after which a slice ends (about 5 ms of host
 * time for the slowest BLT): a guest looping on expensive register writes
 * then gets one slice between the run loop's yields to the host, so the
 * monitor and VNC stay responsive.
 */
const WORK_PER_SLICE = 1 << 20;

export const DEFAULT_CLOCK_OPTIONS: ClockOptions = {
  mode: 'instructions',
  nsPerInstruction: 1,
  pace: false,
  fastForward: true,
};

/** What `Clock.saveState` returns. */
export interface ClockState {
  base: number;
  accounted: number;
  skipped: number;
  sequence: number;
  timers: { id: string; deadline: number; sequence: number }[];
}

export class Timer {
  /** Virtual time (ns) at which it fires, or Infinity when disarmed. */
  deadline = Number.POSITIVE_INFINITY;
  /** Orders timers with equal deadlines by when they were armed. */
  sequence = 0;

  constructor(
    private readonly clock: Clock,
    readonly name: string,
    readonly callback: (now: number) => void,
    /** The id of the device (or backend) that made it, when the machine builder knew: a failing callback is its fault. */
    readonly owner: string | null = null,
    /** A host-side timer (`Clock.createHostTimer`): once detached it never bounds the guest's time. */
    readonly hostSide = false,
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
 *
 * Within a run slice the CPU keeps `retired` current, so `now` is exact at
 * every device access, and it stops once it has retired `sliceLimit`
 * instructions: arming a timer that falls due inside the slice lowers the
 * limit, so the slice ends when the timer is due.
 */
export class Clock implements SkippingClock, WorkMeter {
  /** Time at the start of the current slice (all of it between slices), plus time skipped in it. */
  private base = 0;
  /** Instructions accounted by `advance` since power-on. */
  private accounted = 0;
  /** Virtual time fast-forward has skipped since power-on (ns). */
  skipped = 0;
  /** The busy-wait detector: time sources call `polls.timeRead()`, the buses report to it. */
  readonly polls: PollWatch;
  /** Instructions the CPU has retired in the current slice, not yet accounted by `advance`. */
  retired = 0;
  /** Instructions the current slice may run; the CPU checks it between instructions. */
  sliceLimit = 0;
  nextDeadline = Number.POSITIVE_INFINITY;
  readonly options: ClockOptions;
  private readonly timers: Timer[] = [];
  /** Device work charged in the current slice (byte operations). */
  private work = 0;
  /**
   * The device (or backend) the machine builder is creating or realizing:
   * timers made meanwhile are its own, whatever their names say.
   */
  owner: string | null = null;
  /** Host-side timers after `detachHostTimers`: out of `nextDeadline`, fired by `runHostDue`. */
  private readonly hostTimers: Timer[] = [];
  private hostDetached = false;
  /** The timer whose callback is running, null otherwise: when a callback throws it names the culprit. */
  firing: Timer | null = null;
  private sequence = 0;
  private hostOrigin = 0;
  /** `nsPerInstruction` in `instructions` mode; 0 in `host` mode, where instructions are not time. */
  private readonly period: number;

  constructor(options: Partial<ClockOptions> = {}) {
    this.options = { ...DEFAULT_CLOCK_OPTIONS, ...options };
    if (!(this.options.nsPerInstruction > 0)) throw new RangeError('nsPerInstruction must be positive');
    this.period = this.options.mode === 'instructions' ? this.options.nsPerInstruction : 0;
    this.hostOrigin = performance.now();
    this.polls = new PollWatch(this, this.period, this.options.fastForward);
  }

  position(): number {
    return this.accounted + this.retired;
  }

  /**
   * Moves virtual time forward by up to `ns` within the current instruction
   * (the poll watch's fast-forward). It stops one instruction short of the
   * next timer's deadline, and when it gets there the slice ends with this
   * instruction: the timer fires at its deadline, before the guest can see a
   * later time.
   */
  skip(ns: number): void {
    const now = this.now;
    const target = Math.min(now + ns, this.nextDeadline - this.period);
    if (!(target > now)) return;
    this.base += target - now;
    this.skipped += target - now;
    const limit = Math.max(this.retired + 1, Math.ceil((this.nextDeadline - this.base) / this.period));
    if (limit < this.sliceLimit) this.sliceLimit = limit;
  }

  /** Virtual time in ns, including the instructions retired so far in the current slice. */
  get now(): number {
    return this.base + this.retired * this.period;
  }

  /** The CPU starts a slice of at most `budget` instructions. */
  beginSlice(budget: number): void {
    this.retired = 0;
    this.sliceLimit = budget;
    this.work = 0;
  }

  /**
   * A device did `units` byte operations of host work for the instruction in
   * flight. Once a slice has charged `WORK_PER_SLICE`, it ends after this
   * instruction, so the run loop gets to yield to the host's event loop.
   * Only where a slice ends changes, never virtual time or what the guest
   * sees.
   */
  charge(units: number): void {
    this.work += units;
    if (this.work >= WORK_PER_SLICE && this.retired + 1 < this.sliceLimit) this.sliceLimit = this.retired + 1;
  }

  createTimer(name: string, callback: (now: number) => void): Timer {
    const timer = new Timer(this, name, callback, this.owner);
    this.timers.push(timer);
    return timer;
  }

  /**
   * A timer of a host-side backend (user-mode networking): it stands for host
   * work, not a guest device. It behaves as `createTimer` until
   * `detachHostTimers`; then it never ends a slice, bounds a fast-forward or
   * wakes a halted CPU, and fires only when the run loop calls `runHostDue`,
   * so the guest's time is the same whether the backend exists or not (a
   * replay runs without it).
   */
  createHostTimer(name: string, callback: (now: number) => void): Timer {
    const timer = new Timer(this, name, callback, this.owner, true);
    (this.hostDetached ? this.hostTimers : this.timers).push(timer);
    return timer;
  }

  /** Record and replay: host-side timers leave the guest's schedule (see `createHostTimer`). */
  detachHostTimers(): void {
    if (this.hostDetached) return;
    this.hostDetached = true;
    for (let i = this.timers.length - 1; i >= 0; i--) {
      if (this.timers[i].hostSide) this.hostTimers.push(...this.timers.splice(i, 1));
    }
    this.refresh();
  }

  /** Fires every detached host-side timer whose deadline has come (earliest first). */
  runHostDue(): void {
    const now = this.now;
    for (;;) {
      let due: Timer | null = null;
      for (const t of this.hostTimers) {
        if (t.deadline <= now && (due === null || t.deadline < due.deadline)) due = t;
      }
      if (due === null) return;
      due.deadline = Number.POSITIVE_INFINITY;
      this.firing = due;
      due.callback(now);
      this.firing = null;
    }
  }

  /** Ends the running slice after the instruction in progress (a reset or power-off request). */
  endSlice(): void {
    if (this.sliceLimit > this.retired + 1) this.sliceLimit = this.retired + 1;
  }

  /**
   * Time, the instruction count and every timer's deadline as data. Timers
   * are known by owner and name (and order, where one device makes several
   * of one name), never by callback: the machine a snapshot is loaded into
   * made the same timers, so loading re-arms the same callbacks.
   */
  saveState(): ClockState {
    const timers = this.guestTimers();
    return {
      base: this.base,
      accounted: this.accounted,
      skipped: this.skipped,
      sequence: this.sequence,
      timers: this.timerIds(timers).map((id, i) => ({
        id,
        deadline: timers[i].deadline,
        sequence: timers[i].sequence,
      })),
    };
  }

  /**
   * The timers a snapshot holds: not the host-side ones (`createHostTimer`),
   * whose backend starts afresh on a restore, and which a machine that
   * records or replays keeps out of the guest's schedule.
   */
  private guestTimers(): Timer[] {
    return this.timers.filter((t) => !t.hostSide);
  }

  /** Loads `saveState`'s data; a timer the snapshot does not know, or one it knows that is not here, is an error. */
  loadState(state: ClockState): void {
    const timers = this.guestTimers();
    const ids = this.timerIds(timers);
    const saved = new Map(state.timers.map((t) => [t.id, t]));
    const missing = ids.filter((id) => !saved.has(id));
    const extra = state.timers.filter((t) => !ids.includes(t.id)).map((t) => t.id);
    if (missing.length || extra.length)
      throw new RangeError(
        `the timers differ: ${[...missing.map((id) => `${id} not in the snapshot`), ...extra.map((id) => `${id} not in this machine`)].join(', ')}`,
      );
    timers.forEach((t, i) => {
      const s = saved.get(ids[i])!;
      t.deadline = s.deadline;
      t.sequence = s.sequence;
    });
    this.base = state.base;
    this.accounted = state.accounted;
    this.skipped = state.skipped;
    this.sequence = state.sequence;
    // Host time goes on from the snapshot's time, not from this process's start.
    if (this.period === 0) this.hostOrigin = performance.now() - this.base / 1e6;
    this.retired = 0;
    this.sliceLimit = 0;
    this.firing = null;
    this.refresh();
  }

  private timerIds(timers: readonly Timer[]): string[] {
    const count = new Map<string, number>();
    return timers.map((t) => {
      const key = `${t.owner ?? ''}:${t.name}`;
      const n = count.get(key) ?? 0;
      count.set(key, n + 1);
      return n === 0 ? key : `${key}#${n}`;
    });
  }

  /** Called by Timer: moves one timer's deadline and refreshes `nextDeadline`. */
  schedule(timer: Timer, deadline: number): void {
    timer.deadline = deadline;
    // A detached host-side timer takes no sequence number: the guest's timers number alike with or without the backend.
    if (timer.hostSide && this.hostDetached) return;
    timer.sequence = this.sequence++;
    this.refresh();
    // Due inside the running slice: end the slice after the instruction that reaches the deadline.
    if (this.period > 0 && deadline < Number.POSITIVE_INFINITY) {
      const at = Math.ceil((deadline - this.base) / this.period);
      if (at < this.sliceLimit) this.sliceLimit = at;
    }
  }

  /**
   * Ends the slice: accounts the instructions it executed (in `instructions`
   * mode) or reads the host clock.
   */
  advance(instructions: number): void {
    if (this.period === 0) this.base = Math.max(this.base, (performance.now() - this.hostOrigin) * 1e6);
    else this.base += instructions * this.period;
    this.accounted += instructions;
    this.retired = 0;
    this.sliceLimit = 0;
  }

  /** Jumps to `time` (a halted CPU skipping to the next event). Never goes backwards. */
  advanceTo(time: number): void {
    if (time > this.now) this.base = time - this.retired * this.period;
  }

  /** How many instructions may run before the next timer is due. */
  instructionsUntilDeadline(): number {
    if (this.period === 0) return Number.POSITIVE_INFINITY;
    const ns = this.nextDeadline - this.now;
    return ns <= 0 ? 0 : Math.ceil(ns / this.period);
  }

  /** Real time in ns since the clock was made, for pacing and host mode. */
  hostNow(): number {
    return (performance.now() - this.hostOrigin) * 1e6;
  }

  /**
   * Fires every timer whose deadline has come, earliest (then first armed)
   * first. A timer armed again during this call for a time already come
   * fires on the next call, after a slice of no instructions: a device that
   * keeps re-arming into the past stalls its guest but never the host.
   */
  runDue(): void {
    const now = this.now;
    const armedBefore = this.sequence;
    while (this.nextDeadline <= now) {
      let due: Timer | null = null;
      for (const t of this.timers) {
        if (
          t.deadline <= now &&
          t.sequence < armedBefore &&
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
      this.firing = due;
      due.callback(now);
      this.firing = null;
    }
  }

  private refresh(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.timers) if (t.deadline < next) next = t.deadline;
    this.nextDeadline = next;
  }
}
