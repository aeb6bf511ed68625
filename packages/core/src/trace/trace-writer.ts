import { formatRegisterEvent, type RegisterTraceEvent } from './trace-hook.js';

/** Where an event sits in the run: virtual time (ns) and instructions retired before it. */
export interface TraceStamp {
  readonly time: number;
  readonly instructions: number;
}

export type TraceFormat = 'text' | 'json';

/**
 * Prints register trace events, each stamped with the virtual time and the
 * retired-instruction count at which the guest made the access (the same
 * clock the pcap capture stamps frames with, so a frame and the register
 * write that sent it line up). Identical consecutive events (a driver
 * polling ISR) print once with their count, when the run of them ends.
 */
export class RegisterTraceWriter {
  private pending: RegisterTraceEvent | null = null;
  private pendingTime = 0;
  private pendingInstructions = 0;
  private repeats = 0;

  constructor(
    private readonly stamp: () => TraceStamp,
    private readonly out: (line: string) => void,
    private readonly format: TraceFormat = 'text',
  ) {}

  event(e: RegisterTraceEvent): void {
    const p = this.pending;
    if (
      p !== null &&
      p.device === e.device &&
      p.write === e.write &&
      p.register === e.register &&
      p.size === e.size &&
      p.value === e.value &&
      p.detail === e.detail
    ) {
      this.repeats++;
      return;
    }
    this.flush();
    const s = this.stamp();
    this.pending = { ...e };
    this.pendingTime = s.time;
    this.pendingInstructions = s.instructions;
    this.repeats = 1;
  }

  /** Prints the event held back for coalescing (call at the end of a run). */
  flush(): void {
    const e = this.pending;
    if (e === null) return;
    this.pending = null;
    this.out(this.line(e, this.pendingTime, this.pendingInstructions, this.repeats));
  }

  private line(e: RegisterTraceEvent, at: number, instructions: number, repeats: number): string {
    // Whole nanoseconds, as the pcap stamps frames (fast-forward can leave `clock.now` between two).
    const time = Math.floor(at);
    if (this.format === 'json') {
      return `${JSON.stringify({
        time,
        instructions,
        device: e.device,
        dir: e.write ? 'w' : 'r',
        register: e.register,
        size: e.size,
        value: e.value >>> 0,
        detail: e.detail,
        repeats,
      })}\n`;
    }
    const seconds = `${Math.floor(time / 1e9)}.${String(time % 1e9).padStart(9, '0')}`;
    const times = repeats > 1 ? ` x ${repeats.toLocaleString('en-US')}` : '';
    return `${seconds} #${instructions} ${formatRegisterEvent(e)}${times}\n`;
  }
}
