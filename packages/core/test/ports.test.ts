import { PortBus } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

describe('PortBus', () => {
  it('reads all ones from unclaimed ports at every width', () => {
    const bus = new PortBus();
    expect(bus.in8(0x1234)).toBe(0xff);
    expect(bus.in16(0x1234)).toBe(0xffff);
    expect(bus.in32(0x1234)).toBe(0xffffffff);
  });

  it('dispatches with block-relative offsets and splits widths the handler lacks', () => {
    const bus = new PortBus();
    const log: string[] = [];
    bus.register('dev', 0x3f8, 8, {
      read8: (o) => 0x10 + o,
      write8: (o, v) => log.push(`${o}=${v.toString(16)}`),
    });
    expect(bus.in8(0x3fd)).toBe(0x15);
    expect(bus.in16(0x3f8)).toBe(0x1110);
    expect(bus.in32(0x3f8)).toBe(0x13121110);
    bus.out16(0x3fa, 0xbeef);
    expect(log).toEqual(['2=ef', '3=be']);
  });

  it('passes whole-width accesses to a handler that has them, but not across its end', () => {
    const bus = new PortBus();
    bus.register('wide', 0xc000, 4, { read8: () => 1, write8: () => {}, read32: () => 0xcafef00d });
    expect(bus.in32(0xc000)).toBe(0xcafef00d);
    // Straddling the block's end: the top bytes come from nobody.
    expect(bus.in32(0xc002)).toBe(0xffff0101);
  });

  it('wraps port numbers to 16 bits and refuses overlapping claims', () => {
    const bus = new PortBus();
    const claim = bus.register('a', 0x60, 1, { read8: () => 0x42, write8: () => {} });
    expect(bus.in8(0x10060)).toBe(0x42);
    expect(() => bus.register('b', 0x5f, 2, { read8: () => 0, write8: () => {} })).toThrow(
      /0x60 is already claimed by a/,
    );
    bus.unregister(claim);
    expect(bus.in8(0x60)).toBe(0xff);
  });
});
