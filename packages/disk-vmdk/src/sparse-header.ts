import { BlockError } from '@plugboard/core';

/** "KDMV" as a little-endian u32: the first four bytes of a hosted sparse extent. */
export const SPARSE_MAGICNUMBER = 0x564d444b;
/** "COWD": the ESX 2 sparse format some VMFSSPARSE extents use. */
const COWD_MAGICNUMBER = 0x44574f43;
export const SECTOR = 512;
/** gdOffset of a streamOptimized extent whose grain directory follows the grains (read the footer). */
export const GD_AT_END = 0xffffffffffffffffn;

/** SparseExtentHeader.flags bits (Virtual Disk Format 5.0). */
export const SparseFlags = {
  /** The newline-detection characters are valid. */
  VALID_NEWLINE_DETECTION: 1 << 0,
  /** A redundant grain directory and tables are kept. */
  REDUNDANT_GRAIN_TABLE: 1 << 1,
  /** A grain table entry of 1 means a zeroed grain (QEMU's zeroed_grain). */
  ZEROED_GTE: 1 << 2,
  COMPRESSED_GRAINS: 1 << 16,
  /** Grains and metadata are preceded by markers (streamOptimized). */
  MARKERS: 1 << 17,
} as const;

export const COMPRESSION_DEFLATE = 1;

/** Marker types of a streamOptimized extent (a metadata marker has size 0). */
export const MarkerType = { EOS: 0, GT: 1, GD: 2, FOOTER: 3 } as const;

/** SparseExtentHeader: the first sector of a hosted sparse extent. Offsets and sizes are in sectors. */
export interface SparseExtentHeader {
  version: number;
  flags: number;
  capacity: number;
  grainSize: number;
  descriptorOffset: number;
  descriptorSize: number;
  numGTEsPerGT: number;
  rgdOffset: number;
  /** -1 for GD_AT_END. */
  gdOffset: number;
  overHead: number;
  uncleanShutdown: number;
  compressAlgorithm: number;
}

/** Largest capacity accepted, in sectors: 2^40 sectors is 512 TiB, beyond any VMDK (62 TB). */
export const MAX_CAPACITY_SECTORS = 2 ** 40;
/** Largest grain, in sectors (QEMU's bound: 16 MiB clusters). */
export const MAX_GRAIN_SECTORS = 32768;
/** Grain table entries per table: 512 in every VMDK VMware and QEMU write; QEMU refuses fewer. */
export const GTES_PER_GT = 512;
/**
 * Most grains one sparse extent may map: 2^26 grains is 256 MiB of grain
 * tables held in memory when all are allocated (4 TiB with 64 KiB grains).
 * Bounds every metadata allocation made on open, whatever the file's
 * apparent size.
 */
export const MAX_GRAINS = 2 ** 26;

/** Decodes and validates a header; `where` names the file and offset in errors. */
export function parseSparseHeader(sector: Uint8Array, where: string): SparseExtentHeader {
  if (sector.length < SECTOR)
    throw new BlockError(`${where}: file too short for a sparse extent header (need 512 bytes)`, 'format');
  const v = new DataView(sector.buffer, sector.byteOffset, SECTOR);
  const magic = v.getUint32(0, true);
  if (magic === COWD_MAGICNUMBER) {
    throw new BlockError(`${where}: a COWD (ESX 2 VMFSSPARSE) extent, which is not supported`, 'format');
  }
  if (magic !== SPARSE_MAGICNUMBER) throw new BlockError(`${where}: no "KDMV" magic at offset 0`, 'format');
  const field = (off: number, name: string): number => {
    const x = v.getBigUint64(off, true);
    if (x > BigInt(Number.MAX_SAFE_INTEGER))
      throw new BlockError(`${where}: header field ${name} at offset ${off} is absurd (${x})`, 'format');
    return Number(x);
  };
  const gdRaw = v.getBigUint64(56, true);
  const h: SparseExtentHeader = {
    version: v.getUint32(4, true),
    flags: v.getUint32(8, true),
    capacity: field(12, 'capacity'),
    grainSize: field(20, 'grainSize'),
    descriptorOffset: field(28, 'descriptorOffset'),
    descriptorSize: field(36, 'descriptorSize'),
    numGTEsPerGT: v.getUint32(44, true),
    rgdOffset: field(48, 'rgdOffset'),
    gdOffset: gdRaw === GD_AT_END ? -1 : field(56, 'gdOffset'),
    overHead: field(64, 'overHead'),
    uncleanShutdown: v.getUint8(72),
    compressAlgorithm: v.getUint16(77, true),
  };
  const bad = (off: number, what: string): never => {
    throw new BlockError(`${where}: header at offset ${off}: ${what}`, 'format');
  };
  if (h.version < 1 || h.version > 3) bad(4, `version ${h.version} is not supported (expected 1, 2 or 3)`);
  if (h.capacity > MAX_CAPACITY_SECTORS)
    bad(12, `capacity ${h.capacity} sectors is absurd (limit ${MAX_CAPACITY_SECTORS})`);
  if (h.grainSize < 1 || h.grainSize > MAX_GRAIN_SECTORS || (h.grainSize & (h.grainSize - 1)) !== 0) {
    bad(20, `grainSize ${h.grainSize} is not a power of two between 1 and ${MAX_GRAIN_SECTORS} sectors`);
  }
  if (h.numGTEsPerGT !== GTES_PER_GT)
    bad(44, `numGTEsPerGT ${h.numGTEsPerGT} is not ${GTES_PER_GT} (the only table size VMDKs use)`);
  const grains = Math.ceil(h.capacity / h.grainSize);
  if (grains > MAX_GRAINS)
    bad(
      12,
      `capacity ${h.capacity} sectors in grains of ${h.grainSize} sectors is ${grains} grains (limit ${MAX_GRAINS}; use larger grains)`,
    );
  if (h.flags & SparseFlags.COMPRESSED_GRAINS && h.compressAlgorithm !== COMPRESSION_DEFLATE) {
    bad(77, `compressAlgorithm ${h.compressAlgorithm} is not deflate (1)`);
  }
  if (h.descriptorSize > 2048) bad(36, `descriptorSize ${h.descriptorSize} sectors is absurd (limit 2048)`);
  if (h.descriptorOffset === 0 && h.descriptorSize !== 0)
    bad(
      28,
      `descriptorOffset 0 with descriptorSize ${h.descriptorSize} (expected both 0, or an offset of 1 or more)`,
    );
  if (h.gdOffset === 0) bad(56, 'gdOffset 0 points at the header (expected a sector past it, or GD_AT_END)');
  return h;
}

/** Encodes a header into a fresh 512-byte sector, with the newline-detection characters. */
export function encodeSparseHeader(h: SparseExtentHeader): Uint8Array {
  const out = new Uint8Array(SECTOR);
  const v = new DataView(out.buffer);
  v.setUint32(0, SPARSE_MAGICNUMBER, true);
  v.setUint32(4, h.version, true);
  v.setUint32(8, h.flags, true);
  v.setBigUint64(12, BigInt(h.capacity), true);
  v.setBigUint64(20, BigInt(h.grainSize), true);
  v.setBigUint64(28, BigInt(h.descriptorOffset), true);
  v.setBigUint64(36, BigInt(h.descriptorSize), true);
  v.setUint32(44, h.numGTEsPerGT, true);
  v.setBigUint64(48, BigInt(h.rgdOffset), true);
  v.setBigUint64(56, h.gdOffset < 0 ? GD_AT_END : BigInt(h.gdOffset), true);
  v.setBigUint64(64, BigInt(h.overHead), true);
  v.setUint8(72, h.uncleanShutdown);
  out.set([0x0a, 0x20, 0x0d, 0x0a], 73);
  v.setUint16(77, h.compressAlgorithm, true);
  return out;
}

/** A 512-byte streamOptimized metadata marker. */
export function encodeMarker(value: number, type: number): Uint8Array {
  const out = new Uint8Array(SECTOR);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(value), true);
  v.setUint32(8, 0, true);
  v.setUint32(12, type, true);
  return out;
}
