import { StdVga, StdVgaRenderer } from '@plugboard/dev-stdvga';
import { MAX_OPS, Program, ProgramWriter } from '../ops.js';
import type { FuzzTarget } from '../target.js';

/** Opcodes: a VGA port, a dispi register (index then data), BAR2, the framebuffer, the A0000 window, a redraw. */
enum Op {
  Port = 0,
  PortRead = 1,
  Dispi = 2,
  Mmio = 3,
  Framebuffer = 4,
  Legacy = 5,
  Render = 6,
}

/** 1 MiB, the least `vgamem`: the largest picture a mode can have is then 2 Mi pixels (4 bpp). */
const VRAM = 1 << 20;
/**
 * Redraws an input may ask for: the host redraws (VNC, screenshots), never a
 * guest write, so a few per input test every mode without a full-size redraw
 * per operation adding up past the time limit.
 */
const MAX_RENDERS = 4;
let vga: StdVga | null = null;
let renderer: StdVgaRenderer | null = null;

/** A mode set as bochs-drm does it: disable, geometry, enable with the LFB. */
function mode(p: ProgramWriter, xres: number, yres: number, bpp: number): ProgramWriter {
  for (const [index, value] of [
    [4, 0],
    [1, xres],
    [2, yres],
    [3, bpp],
    [4, 0x41],
  ])
    p.u8(Op.Dispi).u16(index).u16(value);
  return p;
}

export const target: FuzzTarget = {
  name: 'stdvga',
  seeds() {
    const lfb = mode(new ProgramWriter(), 640, 400, 32);
    for (let i = 0; i < 32; i++)
      lfb
        .u8(Op.Framebuffer)
        .u32(i * 2560 + i * 4)
        .u8(0xff);
    lfb.u8(Op.Render);
    // Panned and banked: virtual width, offsets, bank 15 through the window, over BAR2 too.
    const banked = mode(new ProgramWriter(), 320, 200, 8)
      .u8(Op.Dispi)
      .u16(6)
      .u16(1024)
      .u8(Op.Dispi)
      .u16(8)
      .u16(100)
      .u8(Op.Dispi)
      .u16(5)
      .u16(15)
      .u8(Op.Legacy)
      .u32(0xfff0)
      .u8(0x12)
      .u8(Op.Mmio)
      .u16(0x512)
      .u16(50)
      .u8(Op.Render);
    // The largest mode the registers take, and a depth that is not one.
    const huge = mode(new ProgramWriter(), 0xffff, 0xffff, 4).u8(Op.Render);
    const odd = mode(new ProgramWriter(), 7, 0, 31).u8(Op.Render);
    return [lfb.build(), banked.build(), huge.build(), odd.build()];
  },
  run(input) {
    vga ??= new StdVga(VRAM);
    renderer ??= new StdVgaRenderer(vga.state, vga.dirty);
    const v = vga;
    v.reset();
    v.state.vram.fill(0, 0, 1 << 16);
    const p = new Program(input);
    let renders = 0;
    for (let n = 0; n < MAX_OPS && !p.done; n++) {
      switch (p.u8() % 7) {
        case Op.Port:
          v.writePort(0x3b0 + (p.u16() % 0x30), p.u8());
          break;
        case Op.PortRead:
          v.readPort(0x3b0 + (p.u16() % 0x30));
          break;
        case Op.Dispi:
          v.dispiPorts.write16?.(0, p.u16());
          v.dispiPorts.write16?.(1, p.u16());
          break;
        case Op.Mmio: {
          const offset = p.u16() & 0xfff;
          const value = p.u16();
          if (value & 1) v.mmio.read16?.(offset & ~1);
          else v.mmio.write16?.(offset & ~1, value);
          break;
        }
        case Op.Framebuffer:
          v.framebuffer.write8(p.u32(), p.u8());
          break;
        case Op.Legacy:
          v.legacyWindow.write8(p.u32() % 0x20000, p.u8());
          break;
        default:
          if (renders++ < MAX_RENDERS) renderer.render();
      }
    }
  },
};
