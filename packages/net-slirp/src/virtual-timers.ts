import type { Clock, Timer } from '@plugboard/core';

/** One deadline of a VirtualTimers set. */
export class VirtualTimer {
  deadline = Number.POSITIVE_INFINITY;

  constructor(
    private readonly set: VirtualTimers,
    readonly callback: () => void,
  ) {}

  armIn(delayNs: number): void {
    this.set.arm(this, this.set.clock.now + delayNs);
  }

  cancel(): void {
    this.set.arm(this, Number.POSITIVE_INFINITY);
  }

  get armed(): boolean {
    return this.deadline !== Number.POSITIVE_INFINITY;
  }
}

/**
 * Many short-lived deadlines (one per TCP connection, TFTP session) on one
 * core clock timer: core's timers live as long as the machine, so per
 * connection timers would pile up. Fires on virtual time, so what the guest
 * sees stays a function of the guest's own pace.
 */
export class VirtualTimers {
  private readonly live = new Set<VirtualTimer>();
  private readonly timer: Timer;

  constructor(readonly clock: Clock) {
    this.timer = clock.createHostTimer('slirp', () => this.fire());
  }

  create(callback: () => void): VirtualTimer {
    const t = new VirtualTimer(this, callback);
    this.live.add(t);
    return t;
  }

  /** Forgets a timer for good (its owner is gone). */
  dispose(t: VirtualTimer): void {
    this.live.delete(t);
    t.deadline = Number.POSITIVE_INFINITY;
    this.rearm();
  }

  arm(t: VirtualTimer, deadline: number): void {
    t.deadline = deadline;
    this.rearm();
  }

  clear(): void {
    this.live.clear();
    this.timer.cancel();
  }

  private rearm(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.live) if (t.deadline < next) next = t.deadline;
    if (next !== this.timer.deadline) this.timer.arm(next);
  }

  private fire(): void {
    const now = this.clock.now;
    for (const t of [...this.live]) {
      if (t.deadline <= now && this.live.has(t)) {
        t.deadline = Number.POSITIVE_INFINITY;
        t.callback();
      }
    }
    this.rearm();
  }
}
