import { describe, expect, it } from 'vitest';
import { type RegisterTraceEvent, RegisterTraceWriter, TraceFilter } from '../src/index.js';

describe('TraceFilter', () => {
  it('matches device, register globs and direction; excludes win', () => {
    const f = new TraceFilter(['nic:TSD*,ISR', 'nic:w:TPPoll', 'disk'], ['nic:r:ISR']);
    expect(f.matches('nic', 'TSD0', true)).toBe(true);
    expect(f.matches('nic', 'TSD3', false)).toBe(true);
    expect(f.matches('nic', 'TSAD0', true)).toBe(false);
    expect(f.matches('nic', 'ISR', true)).toBe(true);
    expect(f.matches('nic', 'ISR', false)).toBe(false);
    expect(f.matches('nic', 'TPPoll', true)).toBe(true);
    expect(f.matches('nic', 'TPPoll', false)).toBe(false);
    expect(f.matches('disk', 'Status', false)).toBe(true);
    expect(f.matches('nic2', 'TSD0', true)).toBe(false);
    expect(f.wantsDevice('nic')).toBe(true);
    expect(f.wantsDevice('vga')).toBe(false);
    expect(f.unmatched(['nic', 'vga'])).toEqual(['disk']);
  });

  it('register names with spaces and slashes (the 8255x SCB) glob like any other', () => {
    const f = new TraceFilter(['nic:SCB*'], ['nic:SCB STAT/ACK']);
    expect(f.matches('nic', 'SCB Command', true)).toBe(true);
    expect(f.matches('nic', 'SCB STAT/ACK', false)).toBe(false);
    expect(f.matches('nic', 'PORT', true)).toBe(false);
  });

  it('refuses malformed patterns with the pattern in the message', () => {
    expect(() => new TraceFilter(['nic:x:ISR'])).toThrow(/nic:x:ISR.*r or w/);
    expect(() => new TraceFilter([':ISR'])).toThrow(/DEVICE/);
    expect(() => new TraceFilter(['nic:ISR,'])).toThrow(/empty register/);
  });
});

describe('RegisterTraceWriter', () => {
  const isr = (value: number): RegisterTraceEvent => ({
    device: 'nic',
    write: false,
    register: 'ISR',
    size: 2,
    value,
    detail: '',
  });

  function writer(format: 'text' | 'json' = 'text') {
    const lines: string[] = [];
    let time = 0;
    let instructions = 0;
    const w = new RegisterTraceWriter(
      () => ({ time, instructions }),
      (l) => lines.push(l),
      format,
    );
    return {
      lines,
      w,
      at(t: number, n: number) {
        time = t;
        instructions = n;
      },
    };
  }

  it('stamps each line with virtual time and the retired count, and coalesces identical polls', () => {
    const t = writer();
    t.at(1_000_000_123, 42);
    t.w.event(isr(0));
    t.at(1_000_000_200, 50);
    t.w.event(isr(0));
    t.w.event(isr(0));
    t.at(1_000_000_300, 60);
    t.w.event(isr(1));
    t.at(2_000_000_000.75, 70);
    t.w.event({ device: 'nic', write: true, register: 'TSD0', size: 4, value: 60, detail: 'size=60' });
    t.w.flush();
    expect(t.lines).toEqual([
      '1.000000123 #42 nic R ISR -> 0x0000 x 3\n',
      '1.000000300 #60 nic R ISR -> 0x0001\n',
      '2.000000000 #70 nic W TSD0 <- 0x0000003c size=60\n',
    ]);
  });

  it('writes JSON lines', () => {
    const t = writer('json');
    t.at(5, 6);
    t.w.event(isr(0x8000));
    t.w.event(isr(0x8000));
    t.w.flush();
    expect(t.lines.map((l) => JSON.parse(l))).toEqual([
      {
        time: 5,
        instructions: 6,
        device: 'nic',
        dir: 'r',
        register: 'ISR',
        size: 2,
        value: 0x8000,
        detail: '',
        repeats: 2,
      },
    ]);
  });
});
