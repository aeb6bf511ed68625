import { cursorTo, cursorUp, eraseEndLine, eraseLine } from 'ansi-escapes';

/** What the line shows, read from counters the run loop keeps anyway. */
export interface ProgressCounters {
  instructions(): number;
  /** Virtual time, ns. */
  virtualNs(): number;
  /** Of it, the time fast-forward skipped in busy-waits, ns. */
  skippedNs(): number;
  paused(): boolean;
}

export interface ProgressOptions {
  /** Quiet host time before the line appears. */
  quietMs?: number;
  /** Host time between updates. */
  intervalMs?: number;
  /** True while the line must stay away (a person is at the monitor prompt). */
  suppressed?: () => boolean;
  now?: () => number;
}

const BS = 0x08;
const LF = 0x0a;
const CR = 0x0d;
const ESC = 0x1b;

/**
 * One status line on an interactive terminal while a run is quiet: virtual
 * time (and how much of it fast-forward skipped), instructions retired and the rate. It appears after `quietMs` without
 * guest output and goes before the guest prints again. Where the guest left
 * the cursor mid-line (a shell prompt), the line goes below and the cursor is
 * put back after it. Updated from a host timer; the run loop is not touched.
 */
export class ProgressLine {
  private readonly quietMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private lastOutput: number;
  private shown: 'here' | 'below' | null = null;
  /** Columns the output has advanced on its current line (escape sequences take none). */
  private column = 0;
  private escape: 'none' | 'esc' | 'csi' = 'none';
  private last: { at: number; instructions: number } | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly counters: ProgressCounters,
    private readonly options: ProgressOptions = {},
  ) {
    this.quietMs = options.quietMs ?? 3000;
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? (() => performance.now());
    this.lastOutput = this.now();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  /** Something is about to print on the terminal: the line goes, and the quiet period starts again. */
  output(data: Uint8Array | string): void {
    this.clear();
    this.lastOutput = this.now();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (const b of bytes) this.track(b);
  }

  /** Follows the cursor's column closely enough for a prompt: CSI sequences and other escapes are skipped. */
  private track(b: number): void {
    if (this.escape === 'esc') this.escape = b === 0x5b ? 'csi' : 'none';
    else if (this.escape === 'csi') {
      if (b >= 0x40 && b <= 0x7e) this.escape = 'none';
    } else if (b === ESC) this.escape = 'esc';
    else if (b === LF || b === CR) this.column = 0;
    else if (b === BS) this.column = Math.max(0, this.column - 1);
    else if (b >= 0x20) this.column++;
  }

  /** One update: shows or refreshes the line when the run has been quiet long enough. */
  tick(): void {
    const now = this.now();
    const instructions = this.counters.instructions();
    const rate = this.last ? (instructions - this.last.instructions) / ((now - this.last.at) * 1e3) : 0;
    this.last = { at: now, instructions };
    if (now - this.lastOutput < this.quietMs || this.options.suppressed?.()) {
      this.clear();
      return;
    }
    this.draw(this.text(instructions, rate));
  }

  private text(instructions: number, mips: number): string {
    const seconds = (this.counters.virtualNs() / 1e9).toFixed(3);
    const skipped = this.counters.skippedNs();
    const fastForward = skipped > 0 ? ` (${(skipped / 1e9).toFixed(3)} s skipped)` : '';
    const count = instructions.toLocaleString('en-US');
    const state = this.counters.paused() ? 'paused' : `${mips.toFixed(1)} MIPS`;
    return `[plugboard] ${seconds} s virtual${fastForward}, ${count} instructions, ${state}`;
  }

  private draw(text: string): void {
    const width = this.stream.columns ? this.stream.columns - 1 : text.length;
    const line = text.slice(0, Math.max(0, width));
    let start = '\r';
    if (this.shown === null) {
      this.shown = this.column === 0 ? 'here' : 'below';
      if (this.shown === 'below') start = '\n';
    }
    this.stream.write(`${start}${line}${eraseEndLine}`);
  }

  private clear(): void {
    if (this.shown === null) return;
    const back = this.shown === 'below' ? `${cursorUp(1)}${cursorTo(this.column)}` : '\r';
    this.stream.write(`\r${eraseLine}${back}`);
    this.shown = null;
  }
}
