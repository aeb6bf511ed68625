import { seededRandom, stateText } from '@plugboard/core/testing';
import { registers as R } from '@plugboard/dev-i8255x';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

/** Random CSR writes of every width, PORT and EEPROM control (0x0e) aside: PORT resets, the EEPROM is non-volatile. */
function scribble(nic: Nic, seed: number, writes = 3000): void {
  const next = seededRandom(seed);
  for (let i = 0; i < writes; i++) {
    const offset = next() % 0x20;
    if ((offset >= 0x08 && offset < 0x0c) || offset === 0x0e || offset === 0x0f) continue;
    const value = next();
    const size = [1, 2, 4][next() % 3];
    if (size === 1) nic.out8(offset, value & 0xff);
    else if (size === 2) nic.out16(offset & ~1, value & 0xffff);
    else nic.out32(offset & ~3, value);
    if (i % 100 === 0) nic.parts.clock.advance(next() & 0xffff);
    nic.parts.clock.runDue();
  }
}

describe('i8255x state as data', () => {
  it.for(['i82557b', 'i82551', 'i82559er'] as const)(
    '%s: random writes, saved and loaded into a fresh NIC, give the same state and timers',
    async (model) => {
      const a = await setup(model);
      scribble(a, 0x8255);
      const b = await setup(model);
      expect(stateText(b.nic)).not.toBe(stateText(a.nic));
      b.nic.vmstate.load(a.nic.vmstate.save());
      b.parts.clock.loadState(a.parts.clock.saveState());
      expect(stateText(b.nic)).toBe(stateText(a.nic));
      expect(b.parts.clock.saveState()).toEqual(a.parts.clock.saveState());
    },
  );

  it.for(['i82557b', 'i82551', 'i82559er'] as const)(
    '%s: reset after random activity equals a freshly built NIC',
    async (model) => {
      const a = await setup(model);
      scribble(a, 0x1229);
      a.nic.reset();
      const fresh = await setup(model);
      expect(stateText(a.nic)).toBe(stateText(fresh.nic));
    },
  );

  it("reset after random activity leaves the CSRs at the table's reset values", async () => {
    const a = await setup();
    scribble(a, 0x557);
    expect(Array.from(a.nic.state.csr)).not.toEqual(Array.from(R.CSR.resetImage));
    a.nic.reset();
    expect(Array.from(a.nic.state.csr)).toEqual(Array.from(R.CSR.resetImage));
  });
});
