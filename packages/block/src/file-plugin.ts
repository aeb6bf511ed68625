import {
  type BlockBackend,
  BlockError,
  type Device,
  type DevicePlugin,
  definePlugin,
  type WriteOverlay,
} from '@plugboard/core';
import type { ImageFormat } from './image-format.js';
import { openDrive } from './open-drive.js';

/** The image of a drive with no medium: every access is an error the device reports as such. */
const NO_MEDIUM: BlockBackend = {
  sectorSize: 2048,
  sectorCount: 0,
  readOnly: true,
  read: () => {
    throw new BlockError('no medium', 'io');
  },
  write: () => {
    throw new BlockError('no medium', 'read-only');
  },
  flush: () => {},
  close: () => {},
};

/** A type, not an interface, so it fits PluginRegistry's Record<string, unknown> configs. */
export type FileDriveConfig = {
  /** Absent: a drive with no medium (a CD-ROM's empty tray), which the monitor's `change` fills. */
  file?: string;
  readOnly: boolean;
  snapshot: boolean;
  format: string;
  externalFiles: boolean;
};

/** What a `file` drive builds: the image itself, plus the Device hooks the machine calls. */
export class FileDrive implements BlockBackend, Device {
  readonly sectorSize: number;
  readonly sectorCount: number;
  readonly readOnly: boolean;
  /** The guest's writes held apart from the image (`snapshot: true`), for machine snapshots. */
  readonly heldWrites?: WriteOverlay;
  readonly empty: boolean;

  constructor(
    readonly path: string,
    readonly format: string,
    private readonly image: BlockBackend,
    /** Opens another image as this one was opened (`reopen`). */
    private readonly opener: (path: string, format?: string) => FileDrive,
  ) {
    this.sectorSize = image.sectorSize;
    this.sectorCount = image.sectorCount;
    this.readOnly = image.readOnly;
    this.heldWrites = image.heldWrites;
    this.empty = image === NO_MEDIUM;
  }

  read(sector: number, dest: Uint8Array): void {
    this.image.read(sector, dest);
  }

  write(sector: number, src: Uint8Array): void {
    this.image.write(sector, src);
  }

  flush(): void {
    this.image.flush();
  }

  close(): void {
    this.image.close();
  }

  reopen(path: string, format?: string): FileDrive {
    return this.opener(path, format);
  }

  destroy(): void {
    this.image.close();
  }

  info(): string {
    if (this.empty) return 'no medium';
    const bytes = this.sectorCount * this.sectorSize;
    return `${this.path}: ${this.format}, ${this.sectorCount} sectors of ${this.sectorSize} bytes (${bytes} bytes)${this.readOnly ? ', read-only' : ''}`;
  }
}

/**
 * The `file` drive plugin over the given formats, probed in order. A package
 * that adds formats builds its own `file` plugin from this factory with its
 * formats ahead of `iso` and `raw` (see README: @plugboard/disk-vmdk does).
 */
export function createFilePlugin(formats: readonly ImageFormat[]): DevicePlugin<FileDriveConfig, FileDrive> {
  const names = formats.map((f) => f.name);
  return definePlugin<FileDriveConfig, FileDrive>({
    meta: { id: 'file', name: `Disk image file (${names.join(', ')})` },
    kind: 'drive',
    configSchema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        file: {
          type: 'string',
          minLength: 1,
          description:
            'Image path, relative to the profile. Without it the drive is empty (a CD-ROM tray with no medium; the monitor can change it).',
        },
        readOnly: { type: 'boolean', default: false },
        snapshot: {
          type: 'boolean',
          default: false,
          description: 'Keep writes in memory and drop them on exit; the image is never modified.',
        },
        format: { enum: ['auto', ...names], default: 'auto' },
        externalFiles: {
          type: 'boolean',
          default: false,
          description:
            'Let the image name files (VMDK extents, parents) outside its own directory; only with a named format, never when probed.',
        },
      },
      additionalProperties: false,
    },
    create(ctx, config) {
      // A media change opens its image with the drive's own settings; its path is the monitor user's, not the profile's.
      const open = (file: string, formatName = config.format): FileDrive => {
        const opened = openDrive(file, { ...config, format: formatName }, formats);
        return new FileDrive(file, opened.format.name, opened.image, open);
      };
      if (config.file === undefined) return new FileDrive('', 'none', NO_MEDIUM, open);
      const path = ctx.resolvePath(config.file);
      const { image, format, guarded } = openDrive(path, config, formats);
      const drive = new FileDrive(path, format.name, image, open);
      ctx.log(drive.info());
      if (guarded)
        ctx.log(
          `${path}: format probed as raw; guest writes that would make it look like another format are refused (give format "raw" to allow them)`,
        );
      return drive;
    },
  });
}
