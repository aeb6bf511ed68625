/** One device's output onto an interrupt line. */
export interface IrqLine {
  /** Drives the line: true asserts it, false releases it. */
  set(level: boolean): void;
  /** An edge: assert then release, for edge-triggered inputs. */
  pulse(): void;
}

/** Anything with numbered interrupt inputs: an 8259 pair, an I/O APIC. */
export interface InterruptSink {
  setInput(pin: number, level: boolean): void;
}

/**
 * A set of shared, wired-OR interrupt lines (the 16 ISA IRQs, or the four PCI
 * PIRQs). Each source gets its own handle; a line is asserted while any of its
 * sources asserts it, and sinks see only changes of the combined level.
 */
export class IrqLines {
  private readonly asserted: Uint16Array;
  /** Times each combined line rose, for the monitor's `info irq`. */
  private readonly rises: Float64Array;
  private readonly sinks: ((pin: number, level: boolean) => void)[] = [];

  constructor(readonly count: number) {
    this.asserted = new Uint16Array(count);
    this.rises = new Float64Array(count);
  }

  /** How many times `line` went from released to asserted since power-on. */
  risesOf(line: number): number {
    return this.rises[line] ?? 0;
  }

  /** Connects a controller; `map` translates a line number to the controller's pin, or -1 for none. */
  connect(sink: InterruptSink, map: (line: number) => number = (line) => line): void {
    this.sinks.push((line, level) => {
      const pin = map(line);
      if (pin >= 0) sink.setInput(pin, level);
    });
    for (let line = 0; line < this.count; line++) {
      if (this.asserted[line] > 0) this.sinks[this.sinks.length - 1](line, true);
    }
  }

  level(line: number): boolean {
    return this.asserted[line] > 0;
  }

  line(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 0 || n >= this.count) throw new RangeError(`no interrupt line ${n}`);
    // The source's own level is a field, not a closure variable, so a device's saved state carries it.
    const source = {
      level: false,
      set: (level: boolean): void => {
        if (level === source.level) return;
        source.level = level;
        const before = this.asserted[n] > 0;
        this.asserted[n] += level ? 1 : -1;
        const after = this.asserted[n] > 0;
        if (before === after) return;
        if (after) this.rises[n]++;
        for (const sink of this.sinks) sink(n, after);
      },
      pulse: () => {
        source.set(true);
        source.set(false);
      },
    };
    return source;
  }

  /** Each line's count of asserting sources, for snapshots (the sources' own levels travel with their devices). */
  get assertedCounts(): Uint16Array {
    return this.asserted;
  }
}
