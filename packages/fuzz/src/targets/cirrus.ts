import { CirrusVga, Renderer } from '@plugboard/dev-cirrus';
import { MAX_OPS, Program, ProgramWriter } from '../ops.js';
import type { FuzzTarget } from '../target.js';

/** Opcodes: a VGA port, the BLT/MMIO registers, the linear window (BLT aperture above 16 MiB), the A0000 window, a redraw. */
enum Op {
  Port = 0,
  Mmio = 1,
  Linear = 2,
  Legacy = 3,
  Render = 4,
  PortRead = 5,
}

let vga: CirrusVga | null = null;

function seedBlt(p: ProgramWriter, regs: Record<number, number>): ProgramWriter {
  p.u8(Op.Port).u16(0x3c4).u8(0x06).u8(Op.Port).u16(0x3c5).u8(0x12); // unlock the extensions
  for (const [index, value] of Object.entries(regs)) {
    p.u8(Op.Port).u16(0x3ce).u8(Number(index));
    p.u8(Op.Port).u16(0x3cf).u8(value);
  }
  return p;
}

export const target: FuzzTarget = {
  name: 'cirrus',
  seeds() {
    // Screen-to-screen copy, backwards copy, pattern fill, and a system-to-screen BLT fed through the aperture.
    const copy = seedBlt(new ProgramWriter(), {
      32: 63,
      34: 15,
      36: 0,
      37: 4,
      38: 0,
      39: 4,
      40: 0,
      41: 0x10,
      44: 0,
      48: 0,
      50: 0x0d,
      49: 0x02,
    });
    const back = seedBlt(new ProgramWriter(), {
      32: 255,
      34: 31,
      36: 0,
      37: 8,
      38: 0,
      39: 8,
      40: 0xff,
      41: 0xff,
      42: 0x01,
      44: 0xff,
      45: 0xff,
      48: 0x01,
      50: 0x0d,
      49: 0x02,
    });
    const fill = seedBlt(new ProgramWriter(), {
      32: 127,
      34: 63,
      36: 0,
      37: 4,
      48: 0xc0,
      51: 0x04,
      50: 0x0d,
      49: 0x02,
    });
    const sys = seedBlt(new ProgramWriter(), { 32: 15, 34: 3, 36: 0, 37: 4, 48: 0x04, 50: 0x0d, 49: 0x02 });
    for (let i = 0; i < 64; i++)
      sys
        .u8(Op.Linear)
        .u32(0x1000000 + i)
        .u8(i);
    sys.u8(Op.Render);
    return [copy.build(), back.build(), fill.build(), sys.build()];
  },
  run(input) {
    vga ??= new CirrusVga();
    const v = vga;
    v.reset();
    v.state.vram.fill(0, 0, 1 << 16);
    const p = new Program(input);
    for (let n = 0; n < MAX_OPS && !p.done; n++) {
      switch (p.u8() % 6) {
        case Op.Port:
          v.writePort(0x3b0 + (p.u16() % 0x30), p.u8());
          break;
        case Op.PortRead:
          v.readPort(0x3b0 + (p.u16() % 0x30));
          break;
        case Op.Mmio:
          v.mmioWindow.write8(p.u16() & 0xfff, p.u8());
          break;
        case Op.Linear:
          v.linearWindow.write8(p.u32() & 0x1ffffff, p.u8());
          break;
        case Op.Legacy:
          v.legacyWindow.write8(p.u32() % 0x20000, p.u8());
          break;
        default:
          new Renderer(v.state, v.dirty).render();
      }
    }
  },
};
