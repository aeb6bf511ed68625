import { type BlockBackend, BlockError } from '@plugboard/core';
import { type ImageFormat, PROBE_BYTES, probeHead } from './image-format.js';
import { checkRange } from './range.js';

/**
 * A writable image whose format was probed as raw. A guest that writes a VMDK
 * descriptor into its sector 0 would make the next probe open the file as
 * VMDK, whose descriptor can name any host file as an extent or a parent.
 * So, as QEMU does for probed raw images, a write that would make any other
 * format recognise the file's start is refused; naming the format (`raw`)
 * lifts the guard.
 */
export class ProbeGuard implements BlockBackend {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** The file's first PROBE_BYTES as they would be after a write, reused across writes. */
  private readonly head: Uint8Array;

  constructor(
    private readonly image: BlockBackend,
    private readonly path: string,
    /** Every format but the probed one. */
    private readonly others: readonly ImageFormat[],
  ) {
    this.sectorSize = image.sectorSize;
    this.sectorCount = image.sectorCount;
    this.readOnly = image.readOnly;
    this.head = new Uint8Array(Math.min(PROBE_BYTES, image.sectorCount * image.sectorSize));
  }

  read(sector: number, dest: Uint8Array): void {
    this.image.read(sector, dest);
  }

  write(sector: number, src: Uint8Array): void {
    const start = sector * this.sectorSize;
    if (start < this.head.length) {
      checkRange(this, sector, src.length);
      const head = this.head;
      this.image.read(0, head);
      head.set(src.subarray(0, head.length - start), start);
      const found = probeHead(head, this.sectorCount * this.sectorSize, this.others);
      if (found) {
        throw new BlockError(
          `${this.path}: write to sector ${sector} refused: it would make this probed raw image open as ${found.name} next time (give the drive format "raw" to allow it)`,
          'io',
        );
      }
    }
    this.image.write(sector, src);
  }

  flush(): void {
    this.image.flush();
  }

  close(): void {
    this.image.close();
  }
}
