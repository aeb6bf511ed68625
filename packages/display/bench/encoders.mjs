// Frames per second of a full-screen 1024x768x32 update through each
// encoder (pixel conversion included, as the server does it) and the PNG
// encoder, on two pictures: a desktop (flat colours and text) and a
// photo-like gradient with noise (every pixel differs: the worst case).
//   npx tsc -b packages/display && node packages/display/bench/encoders.mjs [seconds per case]

import { DeflateStream } from '../dist/deflate-stream.js';
import { PixelConverter, SERVER_PIXEL_FORMAT } from '../dist/pixel-format.js';
import { encodePng } from '../dist/screenshot.js';
import { ZrleEncoder } from '../dist/zrle.js';

const W = 1024;
const H = 768;
const seconds = Number(process.argv[2] ?? 2);

function desktop() {
  const rgba = new Uint8Array(W * H * 4);
  const put = (x, y, r, g, b) => rgba.set([r, g, b, 255], (y * W + x) * 4);
  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 8;
  };
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) put(x, y, 0, 96, 128); // background
  for (let y = 100; y < 600; y++) for (let x = 150; x < 850; x++) put(x, y, 255, 255, 255); // a window
  for (let y = 100; y < 124; y++) for (let x = 150; x < 850; x++) put(x, y, 40, 60, 160); // its title bar
  for (
    let row = 0;
    row < 30;
    row++ // 30 lines of 8x16 "glyphs"
  )
    for (let col = 0; col < 80; col++)
      for (let gy = 0; gy < 16; gy++) {
        const bits = rand() & 0x7e;
        for (let gx = 0; gx < 8; gx++)
          if (bits & (0x80 >> gx)) put(170 + col * 8 + gx, 130 + row * 16 + gy, 0, 0, 0);
      }
  return rgba;
}

function photo() {
  const rgba = new Uint8Array(W * H * 4);
  let seed = 7;
  for (let i = 0, p = 0; p < W * H; p++, i += 4) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const noise = (seed >> 16) & 15;
    rgba[i] = ((p % W) >> 2) + noise;
    rgba[i + 1] = Math.floor(p / W) / 3 + noise;
    rgba[i + 2] = (((p % W) + Math.floor(p / W)) >> 3) + noise;
    rgba[i + 3] = 255;
  }
  return rgba;
}

async function measure(name, frame) {
  const start = performance.now();
  let n = 0;
  let bytes = 0;
  while (performance.now() - start < seconds * 1000) {
    bytes = (await frame()).length;
    n++;
  }
  const fps = (n * 1000) / (performance.now() - start);
  console.log(`| ${name} | ${fps.toFixed(1)} | ${(bytes / 1024).toFixed(0)} KiB |`);
}

const conv = new PixelConverter(SERVER_PIXEL_FORMAT);
const conv16 = new PixelConverter({
  ...SERVER_PIXEL_FORMAT,
  bitsPerPixel: 16,
  depth: 16,
  redMax: 31,
  greenMax: 63,
  blueMax: 31,
  redShift: 11,
  greenShift: 5,
  blueShift: 0,
});
console.log(`1024x768, ${seconds} s a case, Node ${process.version}\n`);
console.log('| picture and encoder | frames/s | bytes a frame |');
console.log('| --- | ---: | ---: |');
for (const [picture, rgba] of [
  ['desktop', desktop()],
  ['photo', photo()],
]) {
  const raw = new Uint8Array(W * H * 4);
  await measure(`${picture}, Raw 32-bit`, () => {
    conv.convert(rgba, W, 0, 0, W, H, raw, 0);
    return raw;
  });
  const raw16 = new Uint8Array(W * H * 2);
  await measure(`${picture}, Raw 16-bit (converted)`, () => {
    conv16.convert(rgba, W, 0, 0, W, H, raw16, 0);
    return raw16;
  });
  const zlib = new DeflateStream();
  await measure(`${picture}, zlib`, () => {
    conv.convert(rgba, W, 0, 0, W, H, raw, 0);
    return zlib.compress(raw);
  });
  zlib.close();
  const zrle = new ZrleEncoder(conv);
  const zrleStream = new DeflateStream();
  await measure(`${picture}, ZRLE`, () => zrleStream.compress(zrle.encode(rgba, W, 0, 0, W, H)));
  zrleStream.close();
  await measure(`${picture}, PNG`, () => encodePng({ width: W, height: H, rgba }));
}
