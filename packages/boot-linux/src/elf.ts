import { LinuxBootError } from './errors.js';

const PT_LOAD = 1;
const EM_386 = 3;
const ET_EXEC = 2;

export interface LoadSegment {
  /** Where the segment goes in physical memory. */
  physical: number;
  /** The file bytes; the rest of `memorySize` is zero. */
  data: Uint8Array;
  memorySize: number;
}

export interface ElfImage {
  /** e_entry: on i386 vmlinux, the physical address of startup_32. */
  entry: number;
  segments: LoadSegment[];
}

/** The PT_LOAD segments of a 32-bit x86 executable (Linux's vmlinux). */
export function parseElf32(image: Uint8Array, what: string): ElfImage {
  if (image.length < 52 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46)
    throw new LinuxBootError(`${what}: offset 0: no ELF magic`);
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (image[4] !== 1 || image[5] !== 1)
    throw new LinuxBootError(`${what}: offset 4: expected a 32-bit little-endian ELF`);
  if (v.getUint16(16, true) !== ET_EXEC || v.getUint16(18, true) !== EM_386)
    throw new LinuxBootError(`${what}: offset 16: expected an i386 executable`);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  if (phentsize < 32 || phoff + phnum * phentsize > image.length)
    throw new LinuxBootError(`${what}: offset 28: program headers lie outside the ${image.length}-byte file`);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (v.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = v.getUint32(ph + 4, true);
    const physical = v.getUint32(ph + 12, true);
    const fileSize = v.getUint32(ph + 16, true);
    const memorySize = v.getUint32(ph + 20, true);
    if (offset + fileSize > image.length || fileSize > memorySize)
      throw new LinuxBootError(`${what}: offset ${ph}: program header ${i} describes bytes outside the file`);
    segments.push({ physical, data: image.subarray(offset, offset + fileSize), memorySize });
  }
  if (segments.length === 0) throw new LinuxBootError(`${what}: no PT_LOAD segment`);
  return { entry, segments };
}
