import { seededRandom, stateText } from '@plugboard/core/testing';
import { CirrusVga } from '@plugboard/dev-cirrus';
import { describe, expect, it } from 'vitest';
import { blt, card } from './card.js';

/** Random VGA and Cirrus register writes, BLT register writes and video memory writes. */
function scribble(vga: CirrusVga, seed: number, writes = 4000): void {
  const next = seededRandom(seed);
  for (let i = 0; i < writes; i++) {
    const r = next();
    const value = next() & 0xff;
    switch (r % 4) {
      case 0:
      case 1:
        vga.writePort(0x3b0 + (next() % 0x30), value);
        break;
      case 2:
        // The BLT registers, start bit included: BLTs run, system-to-screen ones wait for data.
        vga.mmioWindow.write8(0x100 + (next() % 0x40), value);
        break;
      default:
        vga.linearWindow.write8(next() % (1 << 20), value);
    }
  }
}

describe('Cirrus state as data', () => {
  it('random activity, saved and loaded into a fresh card, gives the same state', () => {
    const a = new CirrusVga();
    scribble(a, 5446);
    const b = new CirrusVga();
    expect(stateText(b)).not.toBe(stateText(a));
    b.vmstate.load(a.vmstate.save());
    expect(stateText(b)).toBe(stateText(a));
  });

  it('reset after random activity equals a freshly built card (video memory keeps its contents)', () => {
    const a = new CirrusVga();
    scribble(a, 1013);
    a.reset();
    const fresh = new CirrusVga();
    fresh.state.vram.set(a.state.vram);
    expect(stateText(a)).toBe(stateText(fresh));
  });

  it('reset puts the palette, the DAC cache and the hidden palette back', () => {
    const c = card();
    c.out(0x3c8, 5);
    for (const v of [10, 20, 30, 40]) c.out(0x3c9, v);
    expect(c.vga.state.palette[15]).toBe(10);
    c.vga.reset();
    expect(c.vga.state.palette.every((v) => v === 0)).toBe(true);
    expect(c.vga.state.dacCache.every((v) => v === 0)).toBe(true);
  });

  it('reset drops a system-to-screen BLT waiting for data, with its latched parameters', () => {
    const c = card();
    c.sr(0x06, 0x12);
    blt(c, { w: 64, h: 4, dpitch: 64, spitch: 0, dst: 0x1000, src: 0, mode: 0x04, rop: 0x0d });
    expect(c.vga.blt.active).toBe(true);
    c.vga.reset();
    expect(c.vga.blt.active).toBe(false);
    const fresh = new CirrusVga();
    fresh.state.vram.set(c.vga.state.vram);
    expect(stateText(c.vga)).toBe(stateText(fresh));
  });
});
