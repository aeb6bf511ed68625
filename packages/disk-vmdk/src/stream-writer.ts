import { closeSync, openSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { writeFully } from '@plugboard/block';
import { BlockError } from '@plugboard/core';
import {
  COMPRESSION_DEFLATE,
  encodeMarker,
  encodeSparseHeader,
  GTES_PER_GT,
  MarkerType,
  SECTOR,
  type SparseExtentHeader,
  SparseFlags,
} from './sparse-header.js';
import { isZero } from './zero.js';

export const STREAM_GRAIN_SECTORS = 128;
const DESCRIPTOR_SECTORS = 20;

/**
 * Writes a streamOptimized extent front to back, as VMware does: header with
 * gdOffset = GD_AT_END, descriptor, deflated grains behind grain markers (all-
 * zero grains are left out), then the grain tables, the grain directory, the
 * footer and the end-of-stream marker. Grains must come in ascending order.
 */
export class StreamOptimizedWriter {
  private readonly fd: number;
  private pos: number;
  private readonly entries: Uint32Array;
  private readonly header: SparseExtentHeader;
  private lastGrain = -1;

  constructor(
    readonly path: string,
    readonly capacity: number,
    descriptor: string,
  ) {
    const numGrains = Math.ceil(capacity / STREAM_GRAIN_SECTORS);
    this.entries = new Uint32Array(numGrains);
    this.header = {
      version: 3,
      flags: SparseFlags.VALID_NEWLINE_DETECTION | SparseFlags.COMPRESSED_GRAINS | SparseFlags.MARKERS,
      capacity,
      grainSize: STREAM_GRAIN_SECTORS,
      descriptorOffset: 1,
      descriptorSize: DESCRIPTOR_SECTORS,
      numGTEsPerGT: GTES_PER_GT,
      rgdOffset: 0,
      gdOffset: -1,
      overHead: STREAM_GRAIN_SECTORS,
      uncleanShutdown: 0,
      compressAlgorithm: COMPRESSION_DEFLATE,
    };
    const text = new TextEncoder().encode(descriptor);
    if (text.length > DESCRIPTOR_SECTORS * SECTOR)
      throw new BlockError(`${path}: descriptor too long`, 'format');
    const head = new Uint8Array(STREAM_GRAIN_SECTORS * SECTOR);
    head.set(encodeSparseHeader(this.header));
    head.set(text, SECTOR);
    this.fd = openSync(path, 'w');
    writeFully(this.fd, head, 0, path);
    this.pos = head.length;
  }

  /** Appends grain `index` (up to a grain of data; a short last grain is padded with zeros). */
  writeGrain(index: number, data: Uint8Array): void {
    if (index <= this.lastGrain || index >= this.entries.length) {
      throw new BlockError(`${this.path}: grain ${index} written out of order or past the capacity`, 'range');
    }
    this.lastGrain = index;
    if (isZero(data)) return;
    const grainBytes = STREAM_GRAIN_SECTORS * SECTOR;
    let plain = data;
    if (data.length < grainBytes) {
      plain = new Uint8Array(grainBytes);
      plain.set(data);
    }
    const packed = deflateSync(plain);
    const record = new Uint8Array(Math.ceil((12 + packed.length) / SECTOR) * SECTOR);
    const v = new DataView(record.buffer);
    v.setBigUint64(0, BigInt(index * STREAM_GRAIN_SECTORS), true);
    v.setUint32(8, packed.length, true);
    record.set(packed, 12);
    this.entries[index] = this.pos / SECTOR;
    this.append(record);
  }

  /** Writes tables, directory, footer and end-of-stream marker, and closes the file. */
  finish(): void {
    const numGTs = Math.ceil(this.entries.length / GTES_PER_GT);
    const directory = new Uint8Array(Math.ceil((numGTs * 4) / SECTOR) * SECTOR);
    const dv = new DataView(directory.buffer);
    const gtSectors = (GTES_PER_GT * 4) / SECTOR;
    for (let t = 0; t < numGTs; t++) {
      const slice = this.entries.subarray(t * GTES_PER_GT, (t + 1) * GTES_PER_GT);
      if (slice.every((e) => e === 0)) continue;
      this.append(encodeMarker(gtSectors, MarkerType.GT));
      dv.setUint32(t * 4, this.pos / SECTOR, true);
      const table = new Uint8Array(gtSectors * SECTOR);
      const tv = new DataView(table.buffer);
      for (let i = 0; i < slice.length; i++) tv.setUint32(i * 4, slice[i]!, true);
      this.append(table);
    }
    this.append(encodeMarker(directory.length / SECTOR, MarkerType.GD));
    const gdOffset = this.pos / SECTOR;
    this.append(directory);
    this.append(encodeMarker(1, MarkerType.FOOTER));
    this.append(encodeSparseHeader({ ...this.header, gdOffset }));
    this.append(encodeMarker(0, MarkerType.EOS));
    closeSync(this.fd);
  }

  private append(bytes: Uint8Array): void {
    writeFully(this.fd, bytes, this.pos, this.path);
    this.pos += bytes.length;
  }
}
