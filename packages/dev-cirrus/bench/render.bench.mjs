// The Cirrus renderer and BitBLT engine, on the built package:
// - frames per second redrawing a whole 1024x768x32 screen, and with only a
//   few pages of video memory written between frames;
// - BitBLT MB/s (destination bytes written) for a screen-to-screen copy, a
//   solid fill, and colour expansion of a monochrome bitmap in video memory.
// Each figure is the median of RUNS runs of about RUN_MS each.
//   npm run bench -- cirrus   (builds first)
import { CirrusVga, Renderer } from '@plugboard/dev-cirrus';

const RUNS = 7;
const RUN_MS = 300;
const WIDTH = 1024;
const HEIGHT = 768;
// The 5446's line offset is 9 bits of 8-byte units (CR13, CR1B bit 4), at most
// 4088 bytes: a 1024-pixel 32 bpp line is 4096, so each line starts two pixels
// before the previous one ends. The renderer does the same work either way.
const PITCH = 4088;

/** Calls `step` for about RUN_MS, RUNS times; the median rate of `units()` per second. */
function measure(step, units) {
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < RUN_MS) {
      step();
      n++;
      now = performance.now();
    }
    rates.push((n * units) / ((now - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[RUNS >> 1];
}

function card() {
  const vga = new CirrusVga();
  const out = (port, v) => vga.writePort(port, v);
  const reg = (index, data, i, v) => {
    out(index, i);
    out(data, v);
  };
  out(0x3c2, 0x67);
  reg(0x3c4, 0x3c5, 0x06, 0x12); // unlock the extensions
  reg(0x3c4, 0x3c5, 0x07, 0x09); // extended, 32 bpp
  vga.readPort(0x3da);
  out(0x3c0, 0x10);
  out(0x3c0, 0x01); // graphics
  out(0x3c0, 0x20); // palette address source: the screen is on
  reg(0x3d4, 0x3d5, 0x01, WIDTH / 8 - 1);
  reg(0x3d4, 0x3d5, 0x12, (HEIGHT - 1) & 0xff);
  reg(0x3d4, 0x3d5, 0x07, ((((HEIGHT - 1) >> 8) & 1) * 0x02) | ((((HEIGHT - 1) >> 9) & 1) * 0x40));
  reg(0x3d4, 0x3d5, 0x13, (PITCH >> 3) & 0xff);
  reg(0x3d4, 0x3d5, 0x1b, ((PITCH >> 11) & 1) << 4);
  const v = vga.state.vram;
  for (let i = 0; i < v.length; i++) v[i] = (i * 2654435761) >>> 24;
  return vga;
}

const vga = card();
const renderer = new Renderer(vga.state, vga.dirty);
const first = renderer.render();
if (first.width !== WIDTH || first.height !== HEIGHT)
  throw new Error(`mode is ${first.width}x${first.height}`);

const full = measure(() => {
  vga.dirty.invalidate();
  renderer.render();
}, 1);
console.log(`cirrus render: full redraw 1024x768x32: ${full.toFixed(1)} frames/s`);

let page = 0;
const few = measure(() => {
  for (let i = 0; i < 4; i++) {
    page = (page + 97) % 768;
    vga.linearWindow.write8(page * 4096 + 8, page & 0xff);
  }
  renderer.render();
}, 1);
console.log(`cirrus render: 4 dirty pages a frame, 1024x768x32: ${few.toFixed(1)} frames/s`);

const gr = (i, v) => vga.writeGr(i, v);
/** Starts a BLT of `w` bytes by `h` lines with the given mode (GR30), ROP (GR32) and extensions (GR33). */
function blt(w, h, dst, src, mode, ext, pitchSrc = PITCH) {
  gr(0x20, (w - 1) & 0xff);
  gr(0x21, (w - 1) >> 8);
  gr(0x22, (h - 1) & 0xff);
  gr(0x23, (h - 1) >> 8);
  gr(0x24, PITCH & 0xff);
  gr(0x25, PITCH >> 8);
  gr(0x26, pitchSrc & 0xff);
  gr(0x27, pitchSrc >> 8);
  gr(0x28, dst & 0xff);
  gr(0x29, (dst >> 8) & 0xff);
  gr(0x2a, dst >> 16);
  gr(0x2c, src & 0xff);
  gr(0x2d, (src >> 8) & 0xff);
  gr(0x2e, src >> 16);
  gr(0x30, mode);
  gr(0x32, 0x0d); // SRC
  gr(0x33, ext);
  gr(0x01, 0xff); // foreground colour
  gr(0x31, 0x02);
}

const W = 800 * 4;
const H = 600;
const MB = (W * H) / 1e6;
const BPP32 = 0x30;
const copy = measure(() => blt(W, H, 100 * PITCH, 0, BPP32, 0), MB);
console.log(`cirrus bitblt: screen-to-screen copy 800x600x32: ${copy.toFixed(1)} MB/s`);
const fill = measure(() => blt(W, H, 100 * PITCH, 0, BPP32 | 0xc0, 0x04), MB);
console.log(`cirrus bitblt: solid fill 800x600x32: ${fill.toFixed(1)} MB/s`);
// A monochrome bitmap (100 bytes a line) in video memory, expanded to 800 pixels of 32 bits.
const expand = measure(() => blt(W, H, 100 * PITCH, 3 << 20, BPP32 | 0x80, 0, 100), MB);
console.log(`cirrus bitblt: colour expansion 800x600x32 from video memory: ${expand.toFixed(1)} MB/s`);
