import { UserError } from '../user-error.js';

/**
 * A disk image as a device model sees it: fixed-size sectors, addressed by
 * number. Calls are synchronous, which keeps a run deterministic and the
 * sector path free of promises; an image library does its own buffering.
 *
 * Errors are exceptions of type BlockError; a device turns them into the
 * status its bus reports (an ATA ABRT or UNC, a SCSI MEDIUM ERROR), never
 * lets them escape to the CPU.
 */
export interface BlockBackend {
  /** 512 for disks, 2048 for CD-ROM images. */
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** Fills `dest` (a whole number of sectors) from `sector` on. */
  read(sector: number, dest: Uint8Array): void;
  /** Writes `src` (a whole number of sectors) from `sector` on. */
  write(sector: number, src: Uint8Array): void;
  /** Makes every completed write durable. */
  flush(): void;
  close(): void;
  /**
   * Opens another image the way this drive was opened (its formats, read-only
   * and snapshot settings), for a media change; absent where a drive cannot.
   */
  reopen?(path: string, format?: string): BlockBackend;
  /**
   * True for a removable drive with no medium in it (a `file` drive given no
   * file): nothing to read or write, and only `reopen` gives it a medium.
   */
  readonly empty?: boolean;
  /**
   * A drive that keeps the guest's writes apart from its image (`-snapshot`)
   * saves them into machine snapshots through this; absent otherwise.
   */
  heldWrites?: WriteOverlay;
}

/**
 * The guest's writes a `-snapshot` drive holds: `chunkBytes`-sized chunks of
 * the disk (the last one of the disk may be shorter), listed by index in
 * increasing order, their bytes back to back in `data`.
 */
export interface OverlayState {
  chunkBytes: number;
  chunks: Float64Array;
  data: Uint8Array;
}

export interface WriteOverlay {
  save(): OverlayState;
  /** Replaces what the overlay holds with `state`; a state that does not fit this disk throws, naming why. */
  load(state: OverlayState): void;
}

export class BlockError extends UserError {
  constructor(
    message: string,
    readonly kind: 'range' | 'read-only' | 'io' | 'format',
  ) {
    super(message);
    this.name = 'BlockError';
  }
}
