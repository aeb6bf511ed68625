import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '@plugboard/core';
import { PNG } from 'pngjs';
import { root } from './boot.js';

/**
 * The screens of test/fixtures/cirrus-modes.asm as QEMU shows them
 * (test/fixtures/cirrus-modes/*.png, recorded by
 * scripts/record-cirrus-screens.mjs), and how a Plugboard frame is compared
 * with one. See test/integration/cirrus-modes.test.ts for why each stage
 * compares the bits it does.
 */
export const STAGES: {
  stage: string;
  bits: [number, number, number];
  ignore?: (x: number, y: number) => boolean;
}[] = [
  {
    stage: 'text',
    bits: [6, 6, 6],
    ignore: (x, y) => y >= 22 * 16 && y < 23 * 16 && x % 9 === 8 && x >= 16 * 9 && x < 32 * 9,
  },
  { stage: '12h', bits: [6, 6, 6] },
  { stage: '13h', bits: [6, 6, 6] },
  { stage: '117h', bits: [5, 6, 5] },
];

export function reference(stage: string): Frame {
  return readPng(join(root, `test/fixtures/cirrus-modes/${stage}.png`));
}

export function readPng(path: string): Frame {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
}

/**
 * Where `frame` and QEMU's `ref` differ in the top `bits` of a channel, as
 * "x,y" strings (at most 10). `ref` may be an integer multiple of `frame`'s size.
 */
export function differences(
  frame: Frame,
  ref: Frame,
  bits: [number, number, number],
  ignore: (x: number, y: number) => boolean = () => false,
): string[] {
  const sx = ref.width / frame.width;
  const sy = ref.height / frame.height;
  const out: string[] = [];
  for (let y = 0; y < ref.height && out.length < 10; y++) {
    for (let x = 0; x < ref.width && out.length < 10; x++) {
      const i = (y * ref.width + x) * 4;
      const j = (Math.floor(y / sy) * frame.width + Math.floor(x / sx)) * 4;
      for (let c = 0; c < 3; c++) {
        const shift = 8 - bits[c];
        if (ref.rgba[i + c] >> shift !== frame.rgba[j + c] >> shift && !ignore(x, y)) {
          out.push(`${x},${y}`);
          break;
        }
      }
    }
  }
  return out;
}
