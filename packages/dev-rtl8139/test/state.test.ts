import { seededRandom, stateText } from '@plugboard/core/testing';
import { registers as R } from '@plugboard/dev-rtl8139';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

/**
 * Random register writes of every width at every offset but 9346CR: the
 * EEPROM behind it is non-volatile, a reset rightly keeps what was written there.
 */
function scribble(nic: Nic, seed: number, writes = 3000): void {
  const next = seededRandom(seed);
  for (let i = 0; i < writes; i++) {
    const offset = next() & 0xff;
    if (offset >= R.CR9346 - 3 && offset <= R.CR9346) continue;
    const value = next();
    const size = [1, 2, 4][next() % 3];
    if (size === 1) nic.out8(offset, value & 0xff);
    else if (size === 2) nic.out16(offset & ~1, value & 0xffff);
    else nic.out32(offset & ~3, value);
    if (i % 100 === 0) nic.parts.clock.advance(next() & 0xffff);
    nic.parts.clock.runDue();
  }
}

describe('RTL8139 state as data', () => {
  it.for(['C+', 'C'] as const)(
    '%s: random writes, saved and loaded into a fresh NIC, give the same state and timers',
    async (model) => {
      const a = await setup(model);
      scribble(a, 0x8139);
      const b = await setup(model);
      expect(stateText(b.nic)).not.toBe(stateText(a.nic));
      b.nic.vmstate.load(a.nic.vmstate.save());
      b.parts.clock.loadState(a.parts.clock.saveState());
      expect(stateText(b.nic)).toBe(stateText(a.nic));
      expect(b.parts.clock.saveState()).toEqual(a.parts.clock.saveState());
    },
  );

  it.for(['C+', 'C'] as const)(
    '%s: reset after random activity equals a freshly built NIC',
    async (model) => {
      const a = await setup(model);
      scribble(a, 0x1234);
      a.nic.reset();
      const fresh = await setup(model);
      // TCTR counts from the reset: the only difference is the time it happened at.
      fresh.nic.state.tctrBase = a.nic.state.tctrBase;
      expect(stateText(a.nic)).toBe(stateText(fresh.nic));
      expect(a.parts.clock.saveState().timers.every((t) => t.deadline === Number.POSITIVE_INFINITY)).toBe(
        true,
      );
    },
  );

  it.for(['C+', 'C'] as const)(
    "%s: after random activity and a reset the registers are the table's reset values, IDR from the EEPROM",
    async (model) => {
      const a = await setup(model, '02:11:22:33:44:55');
      scribble(a, 0x5eed);
      a.nic.reset();
      const expected = (model === 'C+' ? R.REGISTERS_CPLUS : R.REGISTERS_C).resetImage.slice();
      expected.set([0x02, 0x11, 0x22, 0x33, 0x44, 0x55], R.IDR0);
      expect(Array.from(a.nic.state.regs)).toEqual(Array.from(expected));
      // The values the datasheet and the Linux drivers expect, read through the window.
      const n = a.nic;
      expect(n.read(R.TSD0 + 12, 4)).toBe(R.TSD_OWN | R.TSD_TABT);
      expect(n.read(R.CAPR, 2)).toBe(0xfff0);
      expect(n.read(R.TCR, 4)).toBe(model === 'C+' ? R.TCR_HWVERID_8139CPLUS : R.TCR_HWVERID_8139C);
      expect(n.read(R.RERID, 1)).toBe(model === 'C+' ? 0x20 : 0x10);
      expect(n.read(R.CONFIG1, 1)).toBe(0x0c);
      expect(n.read(R.MAR0 + 4, 4)).toBe(0);
    },
  );

  it('reset cancels TimerInt: a timer armed before a system reset never fires after it', async () => {
    const nic = await setup();
    nic.out32(R.IMR, 0xffff);
    nic.out32(R.TimerInt, 1000);
    nic.nic.reset();
    nic.parts.clock.advance(1_000_000);
    nic.parts.clock.runDue();
    // A reset turns PCI decoding off: read the window directly.
    expect(nic.nic.read(R.ISR, 2) & R.ISR_TIMEOUT).toBe(0);
    expect(nic.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('reset clears the tally counters and restarts TCTR from 0', async () => {
    const nic = await setup();
    nic.nic.state.tally.rxOk = 5;
    nic.nic.state.tally.txOk = 7;
    nic.parts.clock.advance(300_000);
    expect(nic.in32(R.TCTR)).toBe(10_000);
    nic.nic.reset();
    expect(nic.nic.state.tally).toEqual({
      txOk: 0,
      rxOk: 0,
      txErr: 0,
      rxErr: 0,
      missed: 0,
      rxOkPhy: 0,
      rxOkBcast: 0,
      rxOkMcast: 0,
      txAbt: 0,
    });
    expect(nic.nic.read(R.TCTR, 4)).toBe(0);
  });
});
