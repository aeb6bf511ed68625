import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import type { BzImage } from './bzimage.js';
import { type ElfImage, parseElf32 } from './elf.js';

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * liblzma's XZ decoder, loaded on first use: its native binary is prebuilt
 * for a few platforms only, and without it the kernel still boots (through
 * its own decompressor).
 */
function loadUnxz(): ((data: Buffer) => Buffer) | string {
  try {
    const lzma = createRequire(import.meta.url)('node-liblzma') as typeof import('node-liblzma');
    return lzma.unxzSync;
  } catch (err) {
    return `liblzma (node-liblzma) does not load here: ${(err as Error).message}`;
  }
}

const startsWith = (data: Uint8Array, magic: readonly number[]) => magic.every((b, i) => data[i] === b);

/**
 * The kernel the decompressor would have produced: the payload decompressed
 * on the host (XZ with its x86 BCJ filter through liblzma, gzip through
 * zlib) and parsed as the vmlinux ELF. The build appends the uncompressed
 * size as a little-endian dword, which checks the result. Null, with the
 * reason, when the payload is in another format or does not decompress:
 * the caller falls back to the compressed kernel's own 32-bit entry.
 */
export function decompressKernel(image: BzImage, file: string): { elf: ElfImage } | { reason: string } {
  const payload = image.payload;
  if (!payload || payload.length < 8)
    return { reason: 'the header names no payload (boot protocol before 2.08)' };
  const size = new DataView(payload.buffer, payload.byteOffset + payload.length - 4, 4).getUint32(0, true);
  let vmlinux: Uint8Array;
  try {
    if (startsWith(payload, XZ_MAGIC)) {
      const unxz = loadUnxz();
      if (typeof unxz === 'string') return { reason: unxz };
      vmlinux = unxz(Buffer.from(payload.subarray(0, payload.length - 4)));
    } else if (startsWith(payload, GZIP_MAGIC)) vmlinux = gunzipSync(payload);
    else return { reason: 'the payload is neither XZ nor gzip' };
  } catch (err) {
    return { reason: `the payload does not decompress: ${(err as Error).message}` };
  }
  if (vmlinux.length !== size)
    return {
      reason: `the payload decompressed to ${vmlinux.length} bytes, not the ${size} its trailer says`,
    };
  return { elf: parseElf32(vmlinux, `${file} (decompressed payload)`) };
}
