import { Clock } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

describe('Clock', () => {
  it('turns instructions into virtual nanoseconds', () => {
    const clock = new Clock({ nsPerInstruction: 2.5 });
    clock.advance(1000);
    expect(clock.now).toBe(2500);
  });

  it('fires timers in deadline order, ties in the order they were armed', () => {
    const clock = new Clock();
    const fired: string[] = [];
    const a = clock.createTimer('a', (t) => fired.push(`a@${t}`));
    const b = clock.createTimer('b', () => fired.push('b'));
    const c = clock.createTimer('c', () => fired.push('c'));
    c.arm(50);
    b.arm(50);
    a.arm(10);
    expect(clock.nextDeadline).toBe(10);
    expect(clock.instructionsUntilDeadline()).toBe(10);
    clock.advance(60);
    clock.runDue();
    expect(fired).toEqual(['a@60', 'c', 'b']);
    expect(clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('fires a timer that a callback keeps re-arming at a time already come once per call, so the host gets control back', () => {
    const clock = new Clock();
    let fired = 0;
    const other = clock.createTimer('other', () => fired++);
    const t = clock.createTimer('storm', (now) => {
      fired++;
      t.arm(now);
      other.arm(now - 1);
    });
    t.arm(10);
    clock.advance(100);
    clock.runDue();
    expect(fired).toBe(1);
    expect(clock.nextDeadline).toBe(99);
    clock.runDue();
    expect(fired).toBe(3);
  });

  it('lets a callback re-arm its own timer (a periodic source) without looping forever', () => {
    const clock = new Clock();
    let ticks = 0;
    const t = clock.createTimer('tick', (now) => {
      ticks++;
      t.arm(now + 100);
    });
    t.arm(100);
    clock.advance(1000);
    clock.runDue();
    expect(ticks).toBe(1);
    expect(t.deadline).toBe(1100);
  });

  it('cancels, and never moves time backwards', () => {
    const clock = new Clock();
    let fired = false;
    const t = clock.createTimer('x', () => {
      fired = true;
    });
    t.armIn(5);
    t.cancel();
    expect(t.armed).toBe(false);
    clock.advanceTo(100);
    clock.advanceTo(50);
    clock.runDue();
    expect(fired).toBe(false);
    expect(clock.now).toBe(100);
  });

  it('ends a slice after the instruction whose device work passes a megabyte of byte operations, time untouched', () => {
    const clock = new Clock();
    clock.beginSlice(100_000);
    clock.retired = 10;
    clock.charge(1 << 19);
    expect(clock.sliceLimit).toBe(100_000);
    clock.retired = 20;
    clock.charge(1 << 19);
    expect(clock.sliceLimit).toBe(21);
    expect(clock.now).toBe(20);
    // Each slice starts with nothing charged.
    clock.advance(21);
    clock.beginSlice(100_000);
    clock.charge((1 << 20) - 1);
    expect(clock.sliceLimit).toBe(100_000);
  });

  it('rejects a non-positive instruction period', () => {
    expect(() => new Clock({ nsPerInstruction: 0 })).toThrow(/positive/);
  });
});
