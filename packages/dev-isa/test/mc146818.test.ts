import {
  type CmosService,
  createDeviceContext,
  createMachineParts,
  type MachineParts,
  Tokens,
} from '@plugboard/core';
import { mc146818Plugin, type RtcDevice, UIP_LEAD_NS } from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

const system = { requestReset: () => {}, requestShutdown: () => {} };
const SECOND = 1e9;
let parts: MachineParts;
let dev: RtcDevice;
let irqEdges: number;

function build(config: Record<string, unknown> = {}, memoryBytes = 512 * 1024 * 1024): void {
  parts = createMachineParts({ memoryBytes });
  irqEdges = 0;
  parts.isaIrqs.connect({ setInput: (pin, level) => pin === 8 && level && irqEdges++ });
  const ctx = createDeviceContext(parts, system, { id: 'rtc' });
  dev = mc146818Plugin.create(ctx, {
    iobase: 0x70,
    irq: 8,
    base: '2026-01-01T00:00:00Z',
    cpus: 1,
    boot: 'cad',
    fdBootCheck: true,
    ...config,
  }) as RtcDevice;
  dev.reset();
}

function rd(index: number): number {
  parts.ports.out8(0x70, index);
  return parts.ports.in8(0x71);
}

function wr(index: number, value: number): void {
  parts.ports.out8(0x70, index);
  parts.ports.out8(0x71, value);
}

/** Moves virtual time to `t`, firing timers on the way as the run loop does. */
function runTo(t: number): void {
  while (parts.clock.nextDeadline <= t) {
    parts.clock.advanceTo(parts.clock.nextDeadline);
    parts.clock.runDue();
  }
  parts.clock.advanceTo(t);
}

describe('mc146818 clock', () => {
  beforeEach(() => build());

  it('starts at the fixed epoch in BCD, 24-hour mode', () => {
    expect([rd(0), rd(2), rd(4), rd(7), rd(8), rd(9), rd(0x32)]).toEqual([0, 0, 0, 1, 1, 0x26, 0x20]);
    expect(rd(6)).toBe(5); // 2026-01-01 is a Thursday; Sunday is 1.
    expect(rd(0x0a)).toBe(0x26);
    expect(rd(0x0b)).toBe(0x02);
    expect(rd(0x0d)).toBe(0x80);
  });

  it('raises UIP 244 us before each update and counts one second per virtual second', () => {
    runTo(SECOND - UIP_LEAD_NS - 1);
    expect(rd(0x0a) & 0x80).toBe(0);
    runTo(SECOND - UIP_LEAD_NS);
    expect(rd(0x0a) & 0x80).toBe(0x80);
    expect(rd(0)).toBe(0);
    runTo(SECOND);
    expect(rd(0x0a) & 0x80).toBe(0);
    expect(rd(0)).toBe(1);
    runTo(61 * SECOND);
    expect([rd(0), rd(2)]).toEqual([0x01, 0x01]);
  });

  it('arms no timer while no RTC interrupt is enabled, yet keeps time', () => {
    expect(parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    runTo(3600 * SECOND + 5 * SECOND);
    expect([rd(4), rd(2), rd(0)]).toEqual([1, 0, 5]);
    expect(rd(0x0c) & 0x10).toBe(0x10);
    wr(0x0b, 0x12);
    expect(parts.clock.nextDeadline).toBe(3606 * SECOND);
  });

  it('catches up on a read when time moved past several updates', () => {
    parts.clock.advanceTo(10.5 * SECOND);
    expect(rd(0)).toBe(0x10);
  });

  it('counts in binary when DM is set and carries into the next day', () => {
    wr(0x0b, 0x80 | 0x04 | 0x02);
    wr(0, 59);
    wr(2, 59);
    wr(4, 23);
    wr(7, 31);
    wr(8, 12);
    wr(9, 99);
    wr(0x32, 20);
    wr(0x0b, 0x04 | 0x02);
    runTo(SECOND);
    expect([rd(0), rd(2), rd(4), rd(7), rd(8), rd(9), rd(0x32)]).toEqual([0, 0, 0, 1, 1, 0, 21]);
  });

  it('counts 11:59:59 PM to 12:00:00 AM in 12-hour BCD mode', () => {
    wr(0x0b, 0x80);
    wr(0, 0x59);
    wr(2, 0x59);
    wr(4, 0x91);
    wr(0x0b, 0x00);
    runTo(SECOND);
    expect([rd(0), rd(2), rd(4), rd(7)]).toEqual([0, 0, 0x12, 2]);
  });

  it('stops counting while SET is on', () => {
    wr(0x0b, 0x82);
    runTo(5 * SECOND);
    expect(rd(0)).toBe(0);
    expect(rd(0x0a) & 0x80).toBe(0);
    wr(0x0b, 0x02);
    runTo(6 * SECOND);
    expect(rd(0)).toBe(1);
  });

  it('holds the divider in reset and updates half a second after release', () => {
    wr(0x0a, 0x66);
    runTo(3 * SECOND);
    expect(rd(0)).toBe(0);
    wr(0x0a, 0x26);
    runTo(3.5 * SECOND - 1);
    expect(rd(0)).toBe(0);
    runTo(3.5 * SECOND);
    expect(rd(0)).toBe(1);
  });
});

describe('mc146818 interrupts', () => {
  beforeEach(() => build());

  it('delivers the 1024 Hz periodic interrupt 1024 times a virtual second', () => {
    wr(0x0b, 0x02 | 0x40);
    let count = 0;
    while (parts.clock.nextDeadline <= SECOND) {
      parts.clock.advanceTo(parts.clock.nextDeadline);
      parts.clock.runDue();
      if (parts.isaIrqs.level(8)) {
        expect(rd(0x0c) & 0xc0).toBe(0xc0);
        count++;
      }
    }
    expect(count).toBe(1024);
    expect(irqEdges).toBe(1024);
  });

  it('runs the periodic rate register A selects (rate 15: 2 Hz; rate 1 equals rate 8)', () => {
    wr(0x0a, 0x2f);
    expect(dev.rtc.periodNs()).toBe(SECOND / 2);
    wr(0x0a, 0x21);
    expect(dev.rtc.periodNs()).toBe(SECOND / 256);
    wr(0x0a, 0x20);
    expect(dev.rtc.periodNs()).toBe(0);
  });

  it('holds IRQ8 until register C is read, which clears the flags', () => {
    wr(0x0a, 0x20); // no periodic rate, so PF stays out of the picture
    wr(0x0b, 0x02 | 0x10);
    runTo(SECOND);
    expect(parts.isaIrqs.level(8)).toBe(true);
    runTo(2 * SECOND);
    expect(irqEdges).toBe(1);
    expect(rd(0x0c)).toBe(0x90);
    expect(parts.isaIrqs.level(8)).toBe(false);
    expect(rd(0x0c)).toBe(0);
  });

  it('fires the alarm when seconds, minutes and hours match, honouring do-not-care bytes', () => {
    wr(0x0a, 0x20);
    wr(1, 0x05);
    wr(3, 0xc0);
    wr(5, 0x00);
    wr(0x0b, 0x02 | 0x20);
    runTo(4 * SECOND);
    expect(parts.isaIrqs.level(8)).toBe(false);
    expect(rd(0x0c) & 0x20).toBe(0);
    runTo(5 * SECOND);
    expect(parts.isaIrqs.level(8)).toBe(true);
    expect(rd(0x0c)).toBe(0x80 | 0x20 | 0x10);
  });

  it('reports PF without an interrupt while PIE is off', () => {
    rd(0x0c);
    runTo(SECOND / 1024 + 1);
    expect(rd(0x0c) & 0x40).toBe(0x40);
    expect(rd(0x0c) & 0x40).toBe(0);
    expect(irqEdges).toBe(0);
  });

  it('clears interrupt enables and flags on reset but keeps the time', () => {
    wr(0x0b, 0x02 | 0x70);
    runTo(3 * SECOND);
    dev.reset();
    expect(rd(0x0b)).toBe(0x02);
    expect(rd(0x0c)).toBe(0);
    expect(rd(0)).toBe(3);
  });
});

describe('mc146818 CMOS', () => {
  it('describes 512 MiB and the pc defaults as QEMU does', () => {
    build();
    expect([rd(0x15), rd(0x16)]).toEqual([0x80, 0x02]);
    expect([rd(0x17), rd(0x18), rd(0x30), rd(0x31)]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect([rd(0x34), rd(0x35)]).toEqual([0x00, 0x1f]);
    expect([rd(0x5b), rd(0x5c), rd(0x5d)]).toEqual([0, 0, 0]);
    expect(rd(0x10)).toBe(0);
    expect(rd(0x14)).toBe(0x06);
    expect(rd(0x3d)).toBe(0x12);
    expect(rd(0x38)).toBe(0x30);
    expect(rd(0x5f)).toBe(0);
  });

  it('reports extended memory below 64 MiB exactly', () => {
    build({ boot: 'n', fdBootCheck: false, cpus: 2 }, 32 * 1024 * 1024);
    expect(rd(0x17) | (rd(0x18) << 8)).toBe(31 * 1024);
    expect(rd(0x34) | (rd(0x35) << 8)).toBe(256);
    expect(rd(0x3d)).toBe(0x04);
    expect(rd(0x38)).toBe(0x01);
    expect(rd(0x5f)).toBe(1);
  });

  it('lets other plugins set bytes and hard disk parameters through the container', () => {
    build();
    const cmos = parts.container.get<CmosService>(Tokens.Cmos);
    cmos.set(0x40, 0x5a);
    expect(rd(0x40)).toBe(0x5a);
    cmos.setHardDisk(0, { cylinders: 1024, heads: 16, sectors: 63 });
    expect(rd(0x12)).toBe(0xf0);
    expect([rd(0x19), rd(0x1b), rd(0x1c), rd(0x1d), rd(0x20), rd(0x23)]).toEqual([47, 0, 4, 16, 0xc8, 63]);
    cmos.setBootOrder('dc');
    expect([rd(0x3d), rd(0x38)]).toEqual([0x23, 0x00]);
    expect(() => cmos.setBootOrder('x')).toThrow(/boot order/);
    expect(() => cmos.set(0x0c, 0)).toThrow(/RTC register/);
    expect(() => cmos.set(128, 0)).toThrow(/outside/);
  });

  it('records the NMI mask from bit 7 of the index port and keeps the index to 7 bits', () => {
    build();
    parts.ports.out8(0x70, 0x80 | 0x15);
    expect(dev.rtc.nmiMasked).toBe(true);
    expect(parts.ports.in8(0x71)).toBe(0x80);
    parts.ports.out8(0x70, 0x15);
    expect(dev.rtc.nmiMasked).toBe(false);
  });

  it('rejects a base that is not a date', () => {
    expect(() => build({ base: 'yesterday' })).toThrow(/base "yesterday"/);
  });
});
