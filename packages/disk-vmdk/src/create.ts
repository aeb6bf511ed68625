import { closeSync, existsSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { writeFully } from '@plugboard/block';
import { BlockError } from '@plugboard/core';
import { type Descriptor, type ExtentLine, NO_PARENT_CID, serializeDescriptor } from './descriptor.js';
import { encodeSparseHeader, GTES_PER_GT, SECTOR, SparseFlags } from './sparse-header.js';
import { StreamOptimizedWriter } from './stream-writer.js';
import { VmdkImage } from './vmdk-image.js';

export const SUBFORMATS = [
  'monolithicSparse',
  'monolithicFlat',
  'twoGbMaxExtentSparse',
  'twoGbMaxExtentFlat',
  'streamOptimized',
] as const;
export type Subformat = (typeof SUBFORMATS)[number];
export const ADAPTER_TYPES = ['ide', 'buslogic', 'lsilogic', 'legacyESX'] as const;
export type AdapterType = (typeof ADAPTER_TYPES)[number];

export interface CreateVmdkOptions {
  subformat?: Subformat;
  adapterType?: AdapterType;
  /** ddb.virtualHWVersion; `compat6` means "6". Default "4", as QEMU. */
  hwVersion?: string;
  /** Header version 2 with zeroed-grain entries. */
  zeroedGrain?: boolean;
  /** A VMDK to use as parent: the new disk starts as its copy-on-write child. */
  backingFile?: string;
}

const GRAIN_SECTORS = 128;
const EMBEDDED_DESCRIPTOR_SECTORS = 20;
/** twoGbMaxExtent* split size: 2 GiB per extent file. */
export const SPLIT_SECTORS = 4194304;

/**
 * The descriptor of a new disk. The CID is fresh; geometry is what QEMU
 * writes (16 heads for IDE, 255 for SCSI adapters, 63 sectors per track).
 */
export function newDescriptor(
  createType: string,
  capacity: number,
  extents: ExtentLine[],
  options: CreateVmdkOptions,
  parent: { cid: number; hint: string } | null,
): Descriptor {
  const adapter = options.adapterType ?? 'ide';
  const heads = adapter === 'ide' ? 16 : 255;
  const cylinders = Math.floor(capacity / (heads * 63));
  return {
    version: 1,
    cid: (Math.random() * 0xfffffffe) >>> 0,
    parentCid: parent ? parent.cid : NO_PARENT_CID,
    createType,
    parentFileNameHint: parent ? parent.hint : null,
    extents,
    ddb: [
      ['ddb.virtualHWVersion', options.hwVersion ?? '4'],
      ['ddb.geometry.cylinders', String(cylinders)],
      ['ddb.geometry.heads', String(heads)],
      ['ddb.geometry.sectors', '63'],
      ['ddb.adapterType', adapter],
      ['ddb.toolsVersion', '2147483647'],
    ],
  };
}

/** Writes an empty hosted sparse extent: header, optional embedded descriptor, redundant and primary directory and tables. */
export function writeSparseExtent(
  path: string,
  capacity: number,
  descriptor: string | null,
  zeroedGrain: boolean,
): void {
  const numGrains = Math.ceil(capacity / GRAIN_SECTORS);
  const numGTs = Math.ceil(numGrains / GTES_PER_GT);
  const gdSectors = Math.ceil((numGTs * 4) / SECTOR);
  const gtSectors = (GTES_PER_GT * 4) / SECTOR;
  const descriptorSectors = descriptor === null ? 0 : EMBEDDED_DESCRIPTOR_SECTORS;
  const rgdOffset = 1 + descriptorSectors;
  const rgtStart = rgdOffset + gdSectors;
  const gdOffset = rgtStart + numGTs * gtSectors;
  const gtStart = gdOffset + gdSectors;
  const overHead = Math.ceil((gtStart + numGTs * gtSectors) / GRAIN_SECTORS) * GRAIN_SECTORS;
  const header = encodeSparseHeader({
    version: zeroedGrain ? 2 : 1,
    flags:
      SparseFlags.VALID_NEWLINE_DETECTION |
      SparseFlags.REDUNDANT_GRAIN_TABLE |
      (zeroedGrain ? SparseFlags.ZEROED_GTE : 0),
    capacity,
    grainSize: GRAIN_SECTORS,
    descriptorOffset: descriptor === null ? 0 : 1,
    descriptorSize: descriptorSectors,
    numGTEsPerGT: GTES_PER_GT,
    rgdOffset,
    gdOffset,
    overHead,
    uncleanShutdown: 0,
    compressAlgorithm: 0,
  });
  const directory = (firstTable: number): Uint8Array => {
    const out = new Uint8Array(gdSectors * SECTOR);
    const v = new DataView(out.buffer);
    for (let t = 0; t < numGTs; t++) v.setUint32(t * 4, firstTable + t * gtSectors, true);
    return out;
  };
  const fd = openSync(path, 'w');
  try {
    writeFully(fd, header, 0, path);
    if (descriptor !== null) {
      const text = new TextEncoder().encode(descriptor);
      if (text.length > descriptorSectors * SECTOR)
        throw new BlockError(`${path}: descriptor too long`, 'format');
      writeFully(fd, text, SECTOR, path);
    }
    writeFully(fd, directory(rgtStart), rgdOffset * SECTOR, path);
    writeFully(fd, directory(gtStart), gdOffset * SECTOR, path);
    // The tables are all zeros: the file's holes provide them.
    ftruncateSync(fd, overHead * SECTOR);
  } finally {
    closeSync(fd);
  }
}

function extentName(path: string, suffix: string): string {
  const base = basename(path).replace(/\.vmdk$/i, '');
  return `${base}${suffix}.vmdk`;
}

/** Creates a VMDK of `bytes` (a whole number of sectors) at `path`, of any subformat QEMU creates. */
export function createVmdk(path: string, bytes: number, options: CreateVmdkOptions = {}): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes % SECTOR !== 0) {
    throw new BlockError(`${path}: size ${bytes} is not a whole number of 512-byte sectors`, 'range');
  }
  const capacity = bytes / SECTOR;
  const subformat = options.subformat ?? 'monolithicSparse';
  let parent: { cid: number; hint: string } | null = null;
  if (options.backingFile) {
    const backing = isAbsolute(options.backingFile)
      ? options.backingFile
      : resolve(dirname(path), options.backingFile);
    if (!existsSync(backing))
      throw new BlockError(`${path}: backing file ${options.backingFile} does not exist`, 'io');
    const img = VmdkImage.open(backing, { readOnly: true });
    parent = { cid: img.descriptor.cid, hint: relative(dirname(resolve(path)), resolve(backing)) };
    img.close();
    if (subformat !== 'monolithicSparse' && subformat !== 'twoGbMaxExtentSparse') {
      throw new BlockError(`${path}: a backing file needs a sparse subformat, not ${subformat}`, 'format');
    }
  }
  const zeroed = options.zeroedGrain ?? false;
  const dir = dirname(path);
  switch (subformat) {
    case 'monolithicSparse': {
      const d = newDescriptor(
        subformat,
        capacity,
        [{ access: 'RW', sectors: capacity, type: 'SPARSE', file: basename(path), offset: 0 }],
        options,
        parent,
      );
      writeSparseExtent(path, capacity, serializeDescriptor(d), zeroed);
      return;
    }
    case 'streamOptimized': {
      const d = newDescriptor(
        subformat,
        capacity,
        [{ access: 'RW', sectors: capacity, type: 'SPARSE', file: basename(path), offset: 0 }],
        options,
        null,
      );
      new StreamOptimizedWriter(path, capacity, serializeDescriptor(d)).finish();
      return;
    }
    case 'monolithicFlat': {
      const name = extentName(path, '-flat');
      truncateNew(join(dir, name), bytes);
      const d = newDescriptor(
        subformat,
        capacity,
        [{ access: 'RW', sectors: capacity, type: 'FLAT', file: name, offset: 0 }],
        options,
        null,
      );
      writeFileSync(path, serializeDescriptor(d));
      return;
    }
    case 'twoGbMaxExtentSparse':
    case 'twoGbMaxExtentFlat': {
      const sparse = subformat === 'twoGbMaxExtentSparse';
      const extents: ExtentLine[] = [];
      for (let start = 0, n = 1; start < capacity || n === 1; start += SPLIT_SECTORS, n++) {
        const sectors = Math.min(SPLIT_SECTORS, capacity - start);
        const name = extentName(path, `-${sparse ? 's' : 'f'}${String(n).padStart(3, '0')}`);
        if (sparse) writeSparseExtent(join(dir, name), sectors, null, zeroed);
        else truncateNew(join(dir, name), sectors * SECTOR);
        extents.push({ access: 'RW', sectors, type: sparse ? 'SPARSE' : 'FLAT', file: name, offset: 0 });
      }
      writeFileSync(path, serializeDescriptor(newDescriptor(subformat, capacity, extents, options, parent)));
      return;
    }
  }
}

function truncateNew(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}
