import type { BzImage } from './bzimage.js';
import { type ElfImage, parseElf32 } from './elf.js';
import { unxz } from './xz/unxz.js';

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const GZIP_MAGIC = [0x1f, 0x8b];

/** gzip through the platform's DecompressionStream (Node and browsers alike). */
async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const startsWith = (data: Uint8Array, magic: readonly number[]) => magic.every((b, i) => data[i] === b);

/**
 * The kernel the decompressor would have produced: the payload decompressed
 * on the host (XZ with its x86 BCJ filter through `xz/unxz.ts`, gzip through
 * DecompressionStream) and parsed as the vmlinux ELF. The build appends the uncompressed
 * size as a little-endian dword, which checks the result. Null, with the
 * reason, when the payload is in another format or does not decompress:
 * the caller falls back to the compressed kernel's own 32-bit entry.
 */
export async function decompressKernel(
  image: BzImage,
  file: string,
): Promise<{ elf: ElfImage } | { reason: string }> {
  const payload = image.payload;
  if (!payload || payload.length < 8)
    return { reason: 'the header names no payload (boot protocol before 2.08)' };
  const size = new DataView(payload.buffer, payload.byteOffset + payload.length - 4, 4).getUint32(0, true);
  let vmlinux: Uint8Array;
  try {
    if (startsWith(payload, XZ_MAGIC)) {
      vmlinux = await unxz(payload.subarray(0, payload.length - 4), size);
    } else if (startsWith(payload, GZIP_MAGIC)) vmlinux = await gunzip(payload);
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
