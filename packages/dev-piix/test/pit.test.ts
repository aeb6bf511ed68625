import { describe, expect, it } from 'vitest';
import { installPit, nsAtTick, PIT_HZ, ticksAt } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

function setup() {
  const m = bareMachine();
  const dev = installPit(m.ctx('pit'));
  dev.reset();
  const { ports } = m.parts;
  const rising = () => m.irqEvents.filter((e) => e.line === 0 && e.level).map((e) => e.time);
  const readCount = (counter: number) => {
    ports.out8(0x43, counter << 6); // counter latch
    return ports.in8(0x40 + counter) | (ports.in8(0x40 + counter) << 8);
  };
  const program = (counter: number, mode: number, count: number) => {
    ports.out8(0x43, (counter << 6) | 0x30 | (mode << 1));
    ports.out8(0x40 + counter, count & 0xff);
    ports.out8(0x40 + counter, count >> 8);
  };
  return { m, dev, ports, rising, readCount, program };
}

/** Virtual time of the `n`th PIT clock edge after time 0. */
const at = (n: number) => nsAtTick(n, PIT_HZ);

describe('8254 timing against virtual time', () => {
  it('converts between ns and 1.193182 MHz edges exactly', () => {
    expect(ticksAt(1e9, PIT_HZ)).toBe(PIT_HZ);
    expect(ticksAt(at(12345) - 1, PIT_HZ)).toBe(12344);
    expect(ticksAt(at(12345), PIT_HZ)).toBe(12345);
    expect(ticksAt(3600e9 + 1e9, PIT_HZ)).toBe(3601 * PIT_HZ);
  });

  it('mode 0 raises OUT0 (IRQ0) once, N edges after the count is written, and keeps counting down', () => {
    const { m, rising, readCount, program } = setup();
    program(0, 0, 1000);
    expect(m.parts.isaIrqs.level(0)).toBe(false);
    m.runUntil(at(1000) - 1);
    expect(rising()).toEqual([]);
    m.runUntil(at(1500));
    expect(rising()).toEqual([at(1000)]);
    expect(m.parts.isaIrqs.level(0)).toBe(true);
    expect(readCount(0)).toBe(0x10000 - 500);
  });

  it('mode 2 gives one IRQ0 rising edge per period at exact edge times', () => {
    const { m, rising, readCount, program } = setup();
    program(0, 2, 11932);
    m.runUntil(at(11932 * 5) + 1);
    // The control word drives OUT high (an edge out of mode 0's low); then OUT goes low when the
    // count reaches 1 and high again at reload: rising edges at N, 2N...
    expect(rising()).toEqual([0, 1, 2, 3, 4, 5].map((k) => at(11932 * k)));
    m.runUntil(at(11932 * 5 + 100));
    expect(readCount(0)).toBe(11932 - 100);
    const falls = m.irqEvents.filter((e) => e.line === 0 && !e.level).map((e) => e.time);
    expect(falls[0]).toBe(at(11931));
  });

  it('mode 3 is a square wave: high for ceil(N/2), low for floor(N/2), count steps by two', () => {
    const { m, rising, readCount, program } = setup();
    program(0, 3, 101);
    m.runUntil(at(51) - 1);
    expect(m.parts.isaIrqs.level(0)).toBe(true);
    m.runUntil(at(51));
    expect(m.parts.isaIrqs.level(0)).toBe(false);
    m.runUntil(at(303));
    expect(rising()).toEqual([0, at(101), at(202), at(303)]);
    m.runUntil(at(303 + 10));
    expect(readCount(0)).toBe(100 - 20);
  });

  it('mode 2 takes a count written while counting at the end of the period', () => {
    const { m, ports, rising, readCount, program } = setup();
    program(0, 2, 1000);
    m.runUntil(at(300));
    ports.out8(0x40, 500 & 0xff);
    ports.out8(0x40, 500 >> 8);
    ports.out8(0x43, 0xe2); // read-back status of counter 0: NULL COUNT until the new count loads
    expect(ports.in8(0x40) & 0x40).toBe(0x40);
    expect(readCount(0)).toBe(700);
    m.runUntil(at(1100));
    expect(readCount(0)).toBe(400);
    ports.out8(0x43, 0xe2);
    expect(ports.in8(0x40) & 0x40).toBe(0);
    m.runUntil(at(2000));
    expect(rising()).toEqual([0, at(1000), at(1500), at(2000)]);
  });

  it('mode 3 takes a count written while counting at the end of the half-cycle', () => {
    const { m, ports, rising, program } = setup();
    program(0, 3, 1000);
    m.runUntil(at(200));
    ports.out8(0x40, 400 & 0xff);
    ports.out8(0x40, 400 >> 8);
    const falls = () => m.irqEvents.filter((e) => e.line === 0 && !e.level).map((e) => e.time);
    m.runUntil(at(1500));
    // High until 500 (old half-cycle), then the new count's low half (200), then 200/200.
    expect(falls()).toEqual([at(500), at(900), at(1300)]);
    expect(rising()).toEqual([0, at(700), at(1100), at(1500)]);
  });

  it('mode 1 lets a running one-shot finish and loads a new count at the next trigger', () => {
    const { m, ports, program } = setup();
    const out2 = () => (ports.in8(0x61) & 0x20) !== 0;
    program(2, 1, 100);
    ports.out8(0x61, 0x01);
    const t = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(t + 10));
    ports.out8(0x42, 50);
    ports.out8(0x42, 0);
    m.runUntil(at(t + 99));
    expect(out2()).toBe(false);
    m.runUntil(at(t + 100));
    expect(out2()).toBe(true);
    ports.out8(0x61, 0x00);
    ports.out8(0x61, 0x01);
    const u = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(u + 49));
    expect(out2()).toBe(false);
    m.runUntil(at(u + 50));
    expect(out2()).toBe(true);
  });

  it('mode 4 pulses OUT low for one clock at terminal count', () => {
    const { m, program } = setup();
    program(0, 4, 50);
    const low = () => m.irqEvents.filter((e) => e.line === 0 && !e.level).map((e) => e.time);
    m.runUntil(at(60));
    expect(low()).toEqual([at(50)]);
    expect(m.parts.isaIrqs.level(0)).toBe(true);
  });

  it('modes 1 and 5 on counter 2 wait for a rising GATE (port 0x61 bit 0) and report OUT2 on bit 5', () => {
    const { m, ports, program } = setup();
    const out2 = () => (ports.in8(0x61) & 0x20) !== 0;
    program(2, 1, 100);
    m.runUntil(at(500));
    expect(out2()).toBe(true);
    ports.out8(0x61, 0x01);
    const start = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(start + 50));
    expect(out2()).toBe(false);
    m.runUntil(at(start + 100));
    expect(out2()).toBe(true);
    // Retrigger: OUT low again for N more clocks.
    ports.out8(0x61, 0x00);
    ports.out8(0x61, 0x01);
    expect(out2()).toBe(false);

    program(2, 5, 30);
    ports.out8(0x61, 0x00);
    ports.out8(0x61, 0x01);
    const t = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(t + 29));
    expect(out2()).toBe(true);
    m.runUntil(at(t + 30));
    expect(out2()).toBe(false);
    m.runUntil(at(t + 31));
    expect(out2()).toBe(true);
  });

  it('mode 0 on counter 2 pauses while GATE is low (the calibration loop Linux runs)', () => {
    const { m, ports, readCount, program } = setup();
    program(2, 0, 1000);
    m.runUntil(at(5000));
    expect(readCount(2)).toBe(1000);
    ports.out8(0x61, 0x01);
    const t = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(t + 400));
    ports.out8(0x61, 0x00);
    m.runUntil(at(t + 9000));
    expect(readCount(2)).toBe(600);
    expect(ports.in8(0x61) & 0x20).toBe(0);
    ports.out8(0x61, 0x01);
    const u = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(u + 600));
    expect(ports.in8(0x61) & 0x20).toBe(0x20);
  });

  it('latches a count that stays put until read, and reads lobyte/hibyte/both as programmed', () => {
    const { m, ports, program } = setup();
    program(0, 2, 0x1234);
    m.runUntil(at(0x34));
    ports.out8(0x43, 0x00);
    m.runUntil(at(0x100));
    expect(ports.in8(0x40)).toBe(0x00);
    expect(ports.in8(0x40)).toBe(0x12);
    // A second latch command before reading is ignored.
    ports.out8(0x43, 0x00);
    m.runUntil(at(0x200));
    ports.out8(0x43, 0x00);
    expect(ports.in8(0x40) | (ports.in8(0x40) << 8)).toBe(0x1234 - 0x100);

    ports.out8(0x61, 0x01);
    ports.out8(0x43, 0x94); // counter 2, LSB only, mode 2
    ports.out8(0x42, 0x80);
    const t = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(t + 0x10));
    expect(ports.in8(0x42)).toBe(0x70);
    ports.out8(0x43, 0xa4); // counter 2, MSB only, mode 2
    ports.out8(0x42, 0x02);
    const u = ticksAt(m.parts.clock.now, PIT_HZ);
    m.runUntil(at(u + 0x101));
    expect(ports.in8(0x42)).toBe(0x00);
  });

  it('counts in BCD with a count of 0 meaning 10000', () => {
    const { m, ports, readCount } = setup();
    ports.out8(0x43, 0x31); // counter 0, LSB/MSB, mode 0, BCD
    ports.out8(0x40, 0x00);
    ports.out8(0x40, 0x00);
    m.runUntil(at(1));
    expect(readCount(0)).toBe(0x9999);
    m.runUntil(at(1234));
    expect(readCount(0)).toBe(0x8766);
    m.runUntil(at(10000) - 1);
    expect(m.parts.isaIrqs.level(0)).toBe(false);
    m.runUntil(at(10000));
    expect(m.parts.isaIrqs.level(0)).toBe(true);
  });

  it('read-back latches status and count of several counters; status shows OUT, null count and mode', () => {
    const { m, ports, program } = setup();
    program(0, 2, 1000);
    ports.out8(0x43, 0xb6); // counter 2: LSB/MSB, mode 3, binary
    // Counter 2 has a control word but no count yet: null count set.
    ports.out8(0x43, 0xe8); // read-back status only (COUNT# = 1), counter 2
    expect(ports.in8(0x42)).toBe(0x80 | 0x40 | 0x36);
    m.runUntil(at(999));
    ports.out8(0x43, 0xc2); // read-back count and status of counter 0
    m.runUntil(at(1500));
    // The count is 1, so mode 2's OUT is in its one-clock low pulse; count loaded, LSB/MSB, mode 2.
    expect(ports.in8(0x40)).toBe(0x34);
    expect(ports.in8(0x40) | (ports.in8(0x40) << 8)).toBe(1);
    ports.out8(0x43, 0xd2); // read-back count only: status is not latched
    expect(ports.in8(0x40) | (ports.in8(0x40) << 8)).toBe(500);
  });

  it('schedules nothing once a one-shot has fired, and nothing at all before a count is written', () => {
    const { m, program } = setup();
    expect(m.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    program(0, 0, 10);
    expect(m.parts.clock.nextDeadline).toBe(at(10));
    m.runUntil(at(20));
    expect(m.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('port 0x61 keeps gate/speaker/enable bits, toggles refresh every 15.085 us, and resets', () => {
    const { m, dev, ports } = setup();
    ports.out8(0x61, 0xff);
    expect(ports.in8(0x61) & 0xcf).toBe(0x0f);
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      seen.add(ports.in8(0x61) & 0x10);
      m.runFor(15_085);
    }
    expect([...seen].sort()).toEqual([0, 0x10]);
    const a = ports.in8(0x61) & 0x10;
    m.runFor(15_085);
    expect(ports.in8(0x61) & 0x10).toBe(a ^ 0x10);
    dev.reset();
    expect(ports.in8(0x61) & 0x0f).toBe(0);
  });

  it('drops the OUT0 edges of a huge time jump instead of replaying them', () => {
    const { m, rising, program } = setup();
    program(0, 2, 2);
    m.parts.clock.advanceTo(1e9);
    m.parts.clock.runDue();
    expect(rising().length).toBeLessThan(4);
  });
});
