import { closeSync, fsyncSync } from 'node:fs';
import { readFully, writeFully } from '@plugboard/block';
import { BlockError } from '@plugboard/core';
import type { Extent } from './extent.js';
import { SECTOR } from './sparse-header.js';

/** A FLAT or VMFS extent: the sectors lie in a plain file from `offset` on; a short file reads as zeros past its end. */
export class FlatExtent implements Extent {
  readonly kind = 'flat';

  constructor(
    readonly path: string,
    private fd: number,
    readonly sectors: number,
    private readonly offset: number,
    readonly writable: boolean,
  ) {}

  read(sector: number, dest: Uint8Array): void {
    const done = readFully(this.fd, dest, (this.offset + sector) * SECTOR, this.path);
    if (done < dest.length) dest.fill(0, done);
  }

  write(sector: number, src: Uint8Array): void {
    if (!this.writable) throw new BlockError(`${this.path}: extent is read-only`, 'read-only');
    writeFully(this.fd, src, (this.offset + sector) * SECTOR, this.path);
  }

  flush(): void {
    if (this.writable) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A ZERO extent: reads zeros, takes no writes. */
export class ZeroExtent implements Extent {
  readonly kind = 'zero';
  readonly path = null;
  readonly writable = false;

  constructor(readonly sectors: number) {}

  read(_sector: number, dest: Uint8Array): void {
    dest.fill(0);
  }

  write(): void {
    throw new BlockError('write to a ZERO extent: it is read-only', 'read-only');
  }

  flush(): void {}
  close(): void {}
}
