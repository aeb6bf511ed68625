import { seededRandom, stateText } from '@plugboard/core/testing';
import { StdVga, StdVgaRenderer, VBE_DISPI_INDEX_BANK, VBE_DISPI_INDEX_YRES } from '@plugboard/dev-stdvga';
import { describe, expect, it } from 'vitest';

/** Random VGA port writes, dispi writes (mode sets included), and framebuffer and window writes. */
function scribble(vga: StdVga, seed: number, writes = 4000): void {
  const next = seededRandom(seed);
  for (let i = 0; i < writes; i++) {
    const r = next();
    const value = next() & 0xffff;
    switch (r % 4) {
      case 0:
        vga.writePort(0x3b0 + (next() % 0x30), value & 0xff);
        break;
      case 1:
        vga.dispiPorts.write16?.(0, next() % 12);
        vga.dispiPorts.write16?.(1, value);
        break;
      case 2:
        vga.legacyWindow.write8(next() % 0x20000, value & 0xff);
        break;
      default:
        vga.framebuffer.write8(next() % (1 << 20), value & 0xff);
    }
  }
}

describe('standard VGA state as data', () => {
  it('random activity, saved and loaded into a fresh card, gives the same state', () => {
    const a = new StdVga(1 << 20);
    scribble(a, 1111);
    const b = new StdVga(1 << 20);
    expect(stateText(b)).not.toBe(stateText(a));
    b.vmstate.load(a.vmstate.save());
    expect(stateText(b)).toBe(stateText(a));
  });

  it('reset after random activity equals a freshly built card (video memory keeps its contents)', () => {
    const a = new StdVga(1 << 20);
    scribble(a, 1234);
    a.reset();
    const fresh = new StdVga(1 << 20);
    fresh.state.vram.set(a.state.vram);
    expect(stateText(a)).toBe(stateText(fresh));
  });

  it('fixes up a loaded mode that does not fit video memory, as a guest write would be', () => {
    const vga = new StdVga(1 << 20);
    vga.dispiPorts.write16?.(0, 1);
    vga.dispiPorts.write16?.(1, 1024);
    vga.dispiPorts.write16?.(0, 3);
    vga.dispiPorts.write16?.(1, 32);
    vga.dispiPorts.write16?.(0, 4);
    vga.dispiPorts.write16?.(1, 1);
    // A snapshot file edited by hand: 1024 x 12000 x 32 and bank 200 on a 1 MiB card.
    vga.state.vbe[VBE_DISPI_INDEX_YRES] = 12000;
    vga.state.vbe[VBE_DISPI_INDEX_BANK] = 200;
    vga.state.bankOffset = 200 << 16;
    vga.vmstate.load(vga.vmstate.save());
    expect(vga.state.vbe[VBE_DISPI_INDEX_YRES]).toBe(256);
    expect(vga.state.bankOffset).toBeLessThan(1 << 20);
    expect(new StdVgaRenderer(vga.state, vga.dirty).size()).toEqual({ width: 1024, height: 256 });
  });
});
