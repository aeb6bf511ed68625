import { createMachineParts, type MachineParts, TimeSource } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

/**
 * Drives the clock the way the CPU and the run loop do (a slice, `retired`
 * set before each instruction, `advance` and `runDue` between slices), with
 * a loop of `body` instructions whose first one calls `poll`. Returns the
 * instructions run and the times each poll saw.
 */
function spin(
  parts: MachineParts,
  poll: () => boolean,
  options: { body?: number; until: () => boolean; maxInstructions?: number },
): { instructions: number; seen: number[] } {
  const { clock } = parts;
  const body = options.body ?? 5;
  const seen: number[] = [];
  let instructions = 0;
  while (!options.until() && instructions < (options.maxInstructions ?? 10_000_000)) {
    clock.beginSlice(Math.min(100_000, clock.instructionsUntilDeadline()));
    let n = 0;
    while (n < clock.sliceLimit && !options.until()) {
      clock.retired = n;
      if (n % body === 0 && poll()) seen.push(clock.now);
      n++;
    }
    clock.advance(n);
    instructions += n;
    clock.runDue();
  }
  return { instructions, seen };
}

/** A bare machine with a time source at port 0x40 (reads count as time reads) and a status register at 0x80. */
function machine(fastForward = true) {
  const parts = createMachineParts({ memoryBytes: 1 << 20, clock: { fastForward } });
  let status = 0;
  for (const [port, source] of [
    [0x40, TimeSource.pit],
    [0x44, TimeSource.pmTimer],
  ]) {
    parts.ports.register(`timer ${port}`, port, 1, {
      read8: () => {
        parts.clock.polls.timeRead(source);
        return parts.clock.now & 0xff;
      },
      write8: () => {},
    });
  }
  parts.ports.register('status', 0x80, 1, { read8: () => status, write8: () => {} });
  parts.ports.register('other', 0x90, 1, { read8: () => 0, write8: () => {} });
  let count = 0;
  parts.ports.register('counter', 0xa0, 1, { read8: () => count++ & 0xff, write8: () => {} });
  return {
    parts,
    setStatus: (v: number) => {
      status = v;
    },
  };
}

describe('fast-forward (PollWatch)', () => {
  it('a loop on a time source reaches its end time in few instructions, and no later than 1/32 past it', () => {
    const { parts } = machine();
    const end = 10_000_000;
    let last = 0;
    const run = spin(
      parts,
      () => {
        parts.ports.in8(0x40);
        last = parts.clock.now;
        return true;
      },
      { until: () => last >= end },
    );
    expect(last).toBeGreaterThanOrEqual(end);
    expect(last).toBeLessThanOrEqual(end * (1 + 1 / 32));
    expect(run.instructions).toBeLessThan(10_000);
    expect(parts.clock.skipped).toBe(parts.clock.now - run.instructions);
    // Time only goes forward.
    for (let i = 1; i < run.seen.length; i++) expect(run.seen[i]).toBeGreaterThan(run.seen[i - 1]);
  });

  it('never skips as far as a timer: it fires at its deadline, before any poll sees a later time', () => {
    const { parts, setStatus } = machine();
    const fired: number[] = [];
    const seenAtFire: number[] = [];
    let seen: number[] = [];
    const timer = parts.clock.createTimer('irq', (now) => {
      fired.push(now);
      seenAtFire.push(seen.length ? seen[seen.length - 1] : -1);
      setStatus(1);
    });
    timer.arm(3_000_123);
    let status = 0;
    const run = spin(
      parts,
      () => {
        status = parts.ports.in8(0x80);
        return true;
      },
      { until: () => status === 1 },
    );
    seen = run.seen;
    expect(fired).toEqual([3_000_123]);
    expect(seenAtFire[0]).toBeLessThan(3_000_123);
    expect(run.seen.filter((t) => t >= 3_000_123)).toHaveLength(1);
    expect(run.instructions).toBeLessThan(10_000);
  });

  it('does not skip while the loop writes a device register between polls, or reads one that changes', () => {
    for (const between of ['write', 'changing read'] as const) {
      const { parts } = machine();
      let polls = 0;
      spin(
        parts,
        () => {
          parts.ports.in8(0x80);
          if (between === 'write') parts.ports.out8(0x90, polls);
          else parts.ports.in8(0xa0);
          polls++;
          return true;
        },
        { until: () => polls >= 10_000 },
      );
      expect(parts.clock.skipped, between).toBe(0);
    }
  });

  it('skips a loop that writes a polled register back the value it read (a driver acknowledging no status)', () => {
    const { parts } = machine();
    let polls = 0;
    spin(
      parts,
      () => {
        parts.ports.out8(0x80, parts.ports.in8(0x80));
        polls++;
        return true;
      },
      { until: () => polls >= 1000 },
    );
    expect(parts.clock.skipped).toBeGreaterThan(0);
  });

  it('does not skip a loop that reads two clocks: it measures one against the other', () => {
    const { parts } = machine();
    let last = 0;
    const run = spin(
      parts,
      () => {
        parts.ports.in8(0x40);
        parts.ports.in8(0x44);
        last = parts.clock.now;
        return true;
      },
      { until: () => last >= 1_000_000 },
    );
    expect(parts.clock.skipped).toBe(0);
    expect(run.instructions).toBeGreaterThanOrEqual(1_000_000);
  });

  it('skips a wait on one clock though the code between waits reads another (Linux timing the APIC timer by TSC jiffies)', () => {
    const { parts } = machine();
    const jiffy = 100_000;
    let next = jiffy;
    let jiffies = 0;
    // After each jiffy the loop reads the other clock once, a few polls' time later (a gap the wait never has).
    let between = 0;
    const run = spin(
      parts,
      () => {
        if (between > 0) {
          if (--between === 2) parts.ports.in8(0x44);
          return false;
        }
        parts.ports.in8(0x40);
        if (parts.clock.now >= next) {
          next += jiffy;
          jiffies++;
          between = 4;
        }
        return true;
      },
      { until: () => jiffies >= 25 },
    );
    expect(run.instructions).toBeLessThan((25 * jiffy) / 10);
    expect(parts.clock.now).toBeGreaterThanOrEqual(25 * jiffy);
  });

  it('skips nothing when switched off, and the same at the same instructions in every run', () => {
    const runs = [true, true, false].map((on) => {
      const { parts } = machine(on);
      const t = parts.clock.createTimer('tick', () => t.armIn(1_000_000));
      t.armIn(1_000_000);
      let last = 0;
      const run = spin(
        parts,
        () => {
          parts.ports.in8(0x40);
          last = parts.clock.now;
          return true;
        },
        { until: () => last >= 5_000_000, body: 7 },
      );
      return { ...run, skipped: parts.clock.skipped, now: parts.clock.now };
    });
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[2].skipped).toBe(0);
    expect(runs[2].instructions).toBeGreaterThanOrEqual(5_000_000);
    expect(runs[0].instructions).toBeLessThan(runs[2].instructions / 100);
  });
});
