import { type Device, encodeState } from '@plugboard/core';
import { seededRandom, stateText } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import { piix3Ide } from '../src/ide/plugin.js';
import { I440fx, Piix3Isa, Piix4Pm } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

/** The chipset on a bare machine, realized and reset as the builder does it. */
function chipset() {
  const m = bareMachine();
  const devices: Device[] = [
    new I440fx(m.ctx('i440fx', '00:00.0')),
    new Piix3Isa(m.ctx('piix3', '00:01.0')),
    piix3Ide.create(m.ctx('ide', '00:01.1'), {} as never) as Device,
    new Piix4Pm(m.ctx('pm', '00:01.3'), { gpe0Base: 0xafe0, smbusBase: 0xb100 }),
  ];
  for (const d of devices) d.realize?.();
  for (const d of devices) d.reset?.();
  return { m, devices };
}

/** The ports the chipset decodes from reset, with PCI config writes among them (PAM, PIRQ routing, PMBA). */
const PORTS = [
  ...Array.from({ length: 16 }, (_, i) => i),
  0x20,
  0x21,
  0x40,
  0x41,
  0x42,
  0x43,
  0x61,
  0x81,
  0x82,
  0x83,
  0x87,
  0x89,
  0x8a,
  0x8b,
  0x8f,
  0xa0,
  0xa1,
  ...Array.from({ length: 32 }, (_, i) => 0xc0 + i),
  0x4d0,
  0x4d1,
  0x1f1,
  0x1f2,
  0x1f3,
  0x1f4,
  0x1f5,
  0x1f6,
  0x3f6,
  0x171,
  0x172,
  0x176,
];

function scribble(c: ReturnType<typeof chipset>, seed: number, writes = 3000): void {
  const next = seededRandom(seed);
  const ports = c.m.parts.ports;
  for (let i = 0; i < writes; i++) {
    const r = next();
    if (r % 8 === 0) {
      // A config register of one of the four functions (never the command register: decoding stays on).
      const fn = [0, 8, 9, 11][next() % 4];
      const reg = 0x40 + (next() % 0xc0);
      ports.out32(0xcf8, (0x80000000 | (fn << 8) | (reg & 0xfc)) >>> 0);
      ports.out8(0xcfc + (reg & 3), next() & 0xff);
    } else {
      ports.out8(PORTS[next() % PORTS.length], next() & 0xff);
    }
    if (i % 50 === 0) c.m.runFor(next() % 100_000);
  }
}

const whole = (c: ReturnType<typeof chipset>) =>
  c.devices.map((d) => stateText(d)).join('\n') +
  encodeState(c.m.parts.pci.saveState() as never) +
  encodeState(c.m.parts.clock.saveState() as never);

describe('PIIX state as data', () => {
  it('random writes, saved and loaded into a fresh chipset, give the same state, config space and timers', () => {
    const a = chipset();
    scribble(a, 0x7000);
    const b = chipset();
    expect(whole(b)).not.toBe(whole(a));
    b.m.parts.clock.loadState(a.m.parts.clock.saveState());
    b.m.parts.pci.loadState(a.m.parts.pci.saveState());
    a.devices.forEach((d, i) => {
      b.devices[i].vmstate!.load(d.vmstate!.save());
    });
    expect(whole(b)).toBe(whole(a));
  });

  it('reset after random writes equals a freshly built chipset', () => {
    const a = chipset();
    scribble(a, 0x1237);
    for (const d of a.devices) d.reset?.();
    const fresh = chipset();
    // Timers keep their arming order and the clock its time: compare the devices and config space.
    const devicesOf = (c: ReturnType<typeof chipset>) =>
      c.devices.map((d) => stateText(d)).join('\n') + encodeState(c.m.parts.pci.saveState() as never);
    expect(devicesOf(a)).toBe(devicesOf(fresh));
  });
});
