import type { BlockBackend } from '@plugboard/core';
import { isZero } from '../zero.js';
import { parseArgs, UsageError } from './args.js';
import type { ImgIo } from './io.js';
import { imageBytes, openImage } from './open-image.js';

const CHUNK = 1024 * 1024;

/**
 * `img compare [-f fmt] [-F fmt] [-s] [-q] a b`: exit 0 when identical, 1 at
 * the first differing byte (printed), 2 on error. Without -s a size
 * difference is fine when the larger image's extra part reads as zeros.
 */
export function compare(argv: readonly string[], io: ImgIo): number {
  const args = parseArgs(argv, 'fF', 'pqsU', ['force-share']);
  if (args.positional.length !== 2) throw new UsageError('Expecting two image file names');
  const [p1, p2] = args.positional as [string, string];
  const a = openImage(p1, args.values.get('f'), true).image;
  let b: BlockBackend | null = null;
  try {
    b = openImage(p2, args.values.get('F') ?? args.values.get('f'), true).image;
    const say = (text: string) => {
      if (!args.flags.has('q')) io.stdout.write(`${text}\n`);
    };
    const sizeA = imageBytes(a);
    const sizeB = imageBytes(b);
    if (args.flags.has('s') && sizeA !== sizeB) {
      say('Strict mode: Image size mismatch!');
      return 1;
    }
    const common = Math.min(sizeA, sizeB);
    const diff = firstDifference(a, b, common);
    if (diff >= 0) {
      say(`Content mismatch at offset ${diff}!`);
      return 1;
    }
    const longer = sizeA > sizeB ? a : b;
    const extra = firstNonZero(longer, common, Math.max(sizeA, sizeB));
    if (extra >= 0) {
      say(`Content mismatch at offset ${extra}!`);
      return 1;
    }
    if (sizeA !== sizeB) say('Warning: Image size mismatch!');
    say('Images are identical.');
    return 0;
  } finally {
    a.close();
    b?.close();
  }
}

/** Reads bytes `offset..offset+dest.length`, which need not be whole sectors (a CD image against a disk). */
function readBytes(img: BlockBackend, offset: number, dest: Uint8Array): void {
  const size = img.sectorSize;
  const start = Math.floor(offset / size) * size;
  const end = Math.min(Math.ceil((offset + dest.length) / size) * size, img.sectorCount * size);
  if (start === offset && end === offset + dest.length) {
    img.read(offset / size, dest);
    return;
  }
  const span = new Uint8Array(end - start);
  img.read(start / size, span);
  dest.set(span.subarray(offset - start, offset - start + dest.length));
}

function firstDifference(a: BlockBackend, b: BlockBackend, length: number): number {
  const x = new Uint8Array(CHUNK);
  const y = new Uint8Array(CHUNK);
  for (let offset = 0; offset < length; offset += CHUNK) {
    const n = Math.min(CHUNK, length - offset);
    readBytes(a, offset, x.subarray(0, n));
    readBytes(b, offset, y.subarray(0, n));
    if (Buffer.compare(x.subarray(0, n), y.subarray(0, n)) === 0) continue;
    for (let i = 0; i < n; i++) if (x[i] !== y[i]) return offset + i;
  }
  return -1;
}

function firstNonZero(img: BlockBackend, from: number, to: number): number {
  const buf = new Uint8Array(CHUNK);
  for (let offset = from; offset < to; offset += CHUNK) {
    const n = Math.min(CHUNK, to - offset);
    const part = buf.subarray(0, n);
    readBytes(img, offset, part);
    if (isZero(part)) continue;
    for (let i = 0; i < n; i++) if (part[i] !== 0) return offset + i;
  }
  return -1;
}
