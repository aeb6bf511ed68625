import { crc32 } from '@plugboard/core';
import { decodeX86Bcj } from './x86-bcj.js';

/**
 * An .xz stream decoded the way a Linux kernel payload needs it, in
 * WebAssembly on every platform (no native add-on, nothing compiled at
 * install): xz-decompress (xz-embedded) decodes LZMA2 but was built without
 * the BCJ filters, so each block's LZMA2 data is re-wrapped here as a
 * single-block stream of its own (LZMA2 only, no check), and the x86 BCJ
 * filter and the block's CRC32 run here afterwards. Filter chains other
 * than [x86 BCJ,] LZMA2 and checks other than none and CRC32 are refused
 * (the caller then lets the kernel decompress itself).
 */

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FOOTER_MAGIC = [0x59, 0x5a];
const FILTER_X86 = 0x04;
const FILTER_LZMA2 = 0x21;
const CHECK_NONE = 0;
const CHECK_CRC32 = 1;
/** Check field sizes by check ID (the .xz file format, 2.1.1.2). */
const CHECK_SIZE = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

class XzError extends Error {}

const le32 = (d: Uint8Array, at: number) =>
  (d[at] | (d[at + 1] << 8) | (d[at + 2] << 16) | (d[at + 3] << 24)) >>> 0;
const le32Bytes = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** Reads variable-length integers within `[at, end)`. */
class Reader {
  constructor(
    private readonly d: Uint8Array,
    public at: number,
    private readonly end: number,
  ) {}

  vli(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 9 && this.at < this.end; i++) {
      const b = this.d[this.at++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) break;
        return value;
      }
      scale *= 128;
    }
    throw new XzError(`${what} at offset ${this.at} is not a valid number`);
  }
}

function vliBytes(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

interface Block {
  /** Where the block header starts. */
  at: number;
  unpadded: number;
  uncompressed: number;
}

/** The stream's check ID and its blocks, from the header, the footer and the index. */
function readStream(d: Uint8Array): { check: number; blocks: Block[] } {
  if (d.length < 32 || !MAGIC.every((b, i) => d[i] === b)) throw new XzError('no .xz stream header');
  if (d[6] !== 0 || d[7] > 0x0f || crc32(d, 6, 8) !== le32(d, 8))
    throw new XzError('the stream header flags are damaged');
  // One stream; stream padding (zero bytes in fours) may follow it.
  let end = d.length;
  while (end >= 4 && le32(d, end - 4) === 0) end -= 4;
  const footer = end - 12;
  if (footer < 12 || !FOOTER_MAGIC.every((b, i) => d[footer + 10 + i] === b))
    throw new XzError('no .xz stream footer');
  if (
    crc32(d, footer + 4, footer + 10) !== le32(d, footer) ||
    d[footer + 8] !== d[6] ||
    d[footer + 9] !== d[7]
  )
    throw new XzError('the stream footer is damaged');
  const indexSize = (le32(d, footer + 4) + 1) * 4;
  const index = footer - indexSize;
  if (index < 12 || d[index] !== 0) throw new XzError('the index is not where the footer says');
  if (crc32(d, index, footer - 4) !== le32(d, footer - 4)) throw new XzError('the index is damaged');
  const r = new Reader(d, index + 1, footer - 4);
  const count = r.vli('the index record count');
  const blocks: Block[] = [];
  let at = 12;
  const checkSize = CHECK_SIZE[d[7]];
  for (let i = 0; i < count; i++) {
    const unpadded = r.vli('a block size');
    const uncompressed = r.vli('a block size');
    if (unpadded < 5 + checkSize) throw new XzError(`block ${i} is too small`);
    blocks.push({ at, unpadded, uncompressed });
    at += Math.ceil(unpadded / 4) * 4;
    if (at > index) throw new XzError(`block ${i} runs into the index`);
  }
  if (at !== index) throw new XzError('the blocks do not end where the index starts');
  return { check: d[7], blocks };
}

/** Block `b`'s LZMA2 data and dictionary byte, and whether the x86 BCJ filter comes first. */
function readBlockHeader(d: Uint8Array, b: Block, checkSize: number) {
  const size = (d[b.at] + 1) * 4;
  if (d[b.at] === 0 || b.at + size > d.length || crc32(d, b.at, b.at + size - 4) !== le32(d, b.at + size - 4))
    throw new XzError(`the block header at offset ${b.at} is damaged`);
  const flags = d[b.at + 1];
  if (flags & 0x3c) throw new XzError(`the block header at offset ${b.at} has reserved flags set`);
  const r = new Reader(d, b.at + 2, b.at + size - 4);
  if (flags & 0x40) r.vli('the compressed size');
  if (flags & 0x80) r.vli('the uncompressed size');
  const ids: number[] = [];
  let dictionary = -1;
  for (let f = 0; f <= (flags & 3); f++) {
    const id = r.vli('a filter ID');
    const propsSize = r.vli('a filter properties size');
    if (r.at + propsSize > b.at + size - 4) throw new XzError('filter properties run past the block header');
    if (id === FILTER_LZMA2 && propsSize === 1) dictionary = d[r.at];
    // x86 BCJ with a start offset other than 0 never comes out of the kernel build.
    if (id === FILTER_X86 && propsSize !== 0 && le32(d, r.at) !== 0)
      throw new XzError('an x86 BCJ filter with a start offset is not supported');
    ids.push(id);
    r.at += propsSize;
  }
  const x86 = ids.length === 2 && ids[0] === FILTER_X86 && ids[1] === FILTER_LZMA2;
  if (!x86 && !(ids.length === 1 && ids[0] === FILTER_LZMA2))
    throw new XzError(`filter chain ${ids.map((id) => `0x${id.toString(16)}`).join(', ')} is not supported`);
  if (dictionary < 0 || dictionary > 40) throw new XzError('the LZMA2 dictionary size is not valid');
  const compressed = b.unpadded - size - checkSize;
  if (compressed <= 0) throw new XzError(`the block at offset ${b.at} holds no data`);
  return { data: d.subarray(b.at + size, b.at + size + compressed), dictionary, x86 };
}

/** A one-block .xz stream around LZMA2 data, no check: what xz-embedded decodes. */
function lzma2Stream(data: Uint8Array, dictionary: number, uncompressed: number): Uint8Array {
  const flags = Uint8Array.of(0, CHECK_NONE);
  const header = [...MAGIC, ...flags, ...le32Bytes(crc32(flags))];
  const blockHeader = [2, 0, FILTER_LZMA2, 1, dictionary, 0, 0, 0];
  blockHeader.push(...le32Bytes(crc32(Uint8Array.from(blockHeader))));
  const index = [0, 1, ...vliBytes(blockHeader.length + data.length), ...vliBytes(uncompressed)];
  while (index.length % 4) index.push(0);
  index.push(...le32Bytes(crc32(Uint8Array.from(index))));
  const footerFields = [...le32Bytes(index.length / 4 - 1), ...flags];
  const footer = [...le32Bytes(crc32(Uint8Array.from(footerFields))), ...footerFields, ...FOOTER_MAGIC];
  const padded = Math.ceil(data.length / 4) * 4;
  const out = new Uint8Array(header.length + blockHeader.length + padded + index.length + footer.length);
  let at = 0;
  for (const part of [header, blockHeader]) {
    out.set(part, at);
    at += part.length;
  }
  out.set(data, at);
  at += padded;
  out.set(index, at);
  out.set(footer, at + index.length);
  return out;
}

/** Decodes a one-block LZMA2 stream, refusing to produce more than `size` bytes. */
async function decodeLzma2(stream: Uint8Array, size: number): Promise<Uint8Array> {
  // Loaded when a kernel is decompressed, which a restored machine does only when its guest reboots.
  const { default: xzDecompress } = await import('xz-decompress');
  const reader = new xzDecompress.XzReadableStream(
    new Blob([stream as Uint8Array<ArrayBuffer>]).stream(),
  ).getReader();
  const out = new Uint8Array(size);
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > size) {
      await reader.cancel();
      throw new XzError(`a block decodes to more than the ${size} bytes the index says`);
    }
    out.set(value, at);
    at += value.length;
  }
  if (at !== size) throw new XzError(`a block decodes to ${at} bytes, not the ${size} the index says`);
  return out;
}

/** The bytes of the .xz stream `data`, at most `maxBytes` of them (a kernel states its size). */
export async function unxz(data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const { check, blocks } = readStream(data);
  if (check !== CHECK_NONE && check !== CHECK_CRC32)
    throw new XzError(`check type ${check} is not supported (only none and CRC32)`);
  const total = blocks.reduce((sum, b) => sum + b.uncompressed, 0);
  if (total > maxBytes) throw new XzError(`the stream decodes to ${total} bytes, more than ${maxBytes}`);
  const out = new Uint8Array(total);
  let at = 0;
  const checkSize = CHECK_SIZE[check];
  for (const b of blocks) {
    const { data: lzma2, dictionary, x86 } = readBlockHeader(data, b, checkSize);
    const plain = await decodeLzma2(lzma2Stream(lzma2, dictionary, b.uncompressed), b.uncompressed);
    if (x86) decodeX86Bcj(plain);
    // The check follows the data's padding to four bytes.
    const checkAt = b.at + Math.ceil((b.unpadded - checkSize) / 4) * 4;
    if (check === CHECK_CRC32 && crc32(plain) !== le32(data, checkAt))
      throw new XzError(`the block at offset ${b.at} fails its CRC32`);
    out.set(plain, at);
    at += plain.length;
  }
  return out;
}
