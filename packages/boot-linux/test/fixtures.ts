import { execFileSync } from 'node:child_process';
/** Synthetic kernels for the tests: a tiny i386 ELF and a bzImage around a payload. */

export interface Segment {
  physical: number;
  data: Uint8Array;
  memorySize: number;
}

/** An ELF32 i386 executable with one PT_LOAD per segment. */
export function elf32(entry: number, segments: Segment[]): Uint8Array {
  const phoff = 52;
  let offset = phoff + 32 * segments.length;
  const out = new Uint8Array(offset + segments.reduce((n, s) => n + s.data.length, 0));
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, entry, true);
  v.setUint32(28, phoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, segments.length, true);
  segments.forEach((s, i) => {
    const ph = phoff + 32 * i;
    v.setUint32(ph, 1, true); // PT_LOAD
    v.setUint32(ph + 4, offset, true);
    v.setUint32(ph + 8, (0xc0000000 + s.physical) >>> 0, true);
    v.setUint32(ph + 12, s.physical, true);
    v.setUint32(ph + 16, s.data.length, true);
    v.setUint32(ph + 20, s.memorySize, true);
    v.setUint32(ph + 24, 7, true);
    out.set(s.data, offset);
    offset += s.data.length;
  });
  return out;
}

/** The build appends the uncompressed size to an XZ payload (scripts/Makefile.lib size_append). */
export function withSize(compressed: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(compressed.length + 4);
  out.set(compressed);
  new DataView(out.buffer).setUint32(compressed.length, size, true);
  return out;
}

/** A protocol 2.15 bzImage with one setup sector, whose body is 16 bytes of stub then `payload`. */
export function bzImage(
  payload: Uint8Array,
  options: { protocol?: number; initrdAddrMax?: number } = {},
): Uint8Array {
  const setupSize = 2 * 512;
  const out = new Uint8Array(setupSize + 16 + payload.length);
  const v = new DataView(out.buffer);
  out[0x1f1] = 1;
  v.setUint16(0x1fe, 0xaa55, true);
  out[0x200] = 0xeb;
  out[0x201] = 0x66; // the header ends at 0x268
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, options.protocol ?? 0x20f, true);
  out[0x211] = 0x01; // LOADED_HIGH
  v.setUint32(0x214, 0x100000, true);
  v.setUint32(0x22c, options.initrdAddrMax ?? 0x7fffffff, true);
  v.setUint32(0x230, 0x1000000, true);
  out[0x234] = 1;
  v.setUint32(0x238, 2047, true);
  v.setUint32(0x248, 16, true);
  v.setUint32(0x24c, payload.length, true);
  v.setBigUint64(0x258, 0x1000000n, true);
  v.setUint32(0x260, 0x100000, true);
  out.set(payload, setupSize + 16);
  return out;
}

/**
 * `xz ARGS -c` over `data` (Debian's xz-utils): the compressor the kernel
 * build runs (scripts/xz_wrap.sh: CRC32, x86 BCJ, LZMA2) by default.
 */
export function xz(
  data: Uint8Array,
  args: readonly string[] = ['--check=crc32', '--x86', '--lzma2'],
): Uint8Array {
  return new Uint8Array(
    execFileSync('xz', ['--format=xz', ...args, '-c'], { input: data, maxBuffer: 1 << 28 }),
  );
}
