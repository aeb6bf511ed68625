import {
  type BlockBackend,
  type CmosService,
  ConfigError,
  type DeviceContext,
  definePlugin,
  type IsaDmaController,
  type JsonSchema,
  objectState,
  type RemovableMediaService,
  Tokens,
} from '@plugboard/core';
import { CMOS_EQUIPMENT, CMOS_FLOPPY_TYPES } from '../rtc/registers.js';
import { CMOS_DRIVE_TYPE, type FloppyDriveType, pickFormat } from './formats.js';
import { FDC_UNITS, type FloppyMedia, I82077aa } from './i82077aa.js';
import { SECTOR_BYTES } from './registers.js';

export interface FloppyDriveConfig {
  /** A drive id from the profile; without one the drive is empty. */
  drive?: string;
  type?: FloppyDriveType | 'auto';
}

export interface FloppyConfig {
  iobase: number;
  irq: number;
  driveA?: FloppyDriveConfig;
  driveB?: FloppyDriveConfig;
}

export interface FloppyDevice {
  readonly fdc: I82077aa;
  reset(): void;
  info(): string;
}

const driveSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    drive: {
      type: 'string',
      minLength: 1,
      description: 'A drive id from the profile (512-byte sectors); without one the drive is empty.',
    },
    type: {
      enum: ['auto', '144', '288', '120'],
      default: 'auto',
      description:
        'Drive type (CMOS 0x10): 1.44 MB, 2.88 MB or 1.2 MB; auto follows the image size, as QEMU.',
    },
  },
};

const UNIT_KEYS = ['driveA', 'driveB'] as const;

/**
 * Builds a unit's medium from its image: the image's size picks the format,
 * QEMU's way. Returns the format's drive type for CMOS.
 */
function mediaOf(
  backend: BlockBackend,
  type: FloppyDriveType | 'auto',
  where: string,
  log: (m: string) => void,
) {
  if (backend.sectorSize !== SECTOR_BYTES)
    throw new ConfigError(`${where}: a floppy image has 512-byte sectors, not ${backend.sectorSize}`);
  const { format, exact } = pickFormat(backend.sectorCount, type);
  if (!exact)
    log(
      `${where}: ${backend.sectorCount * SECTOR_BYTES} bytes is no floppy format; read as ${format.sectors} sectors x ${format.tracks} tracks x ${format.heads} heads, sectors past the image's end missing (as QEMU)`,
    );
  return { backend, format } satisfies FloppyMedia;
}

/**
 * The PC's floppy controller (82077AA) with drives A and B: I/O at 0x3F0-0x3F5
 * and 0x3F7 (0x3F6 is the IDE controller's), IRQ 6, ISA DMA channel 2. The
 * drive types go into CMOS 0x10 and the equipment byte, as QEMU's
 * pc_cmos_init does.
 */
export const floppyPlugin = definePlugin<FloppyConfig, FloppyDevice>({
  meta: { id: 'floppy', name: 'Intel 82077AA floppy disk controller with two drives' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: { type: 'integer', minimum: 0, maximum: 0xfff8, default: 0x3f0 },
      irq: { type: 'integer', minimum: 0, maximum: 15, default: 6 },
      driveA: { ...driveSchema, description: 'Drive 0 (A:, QEMU -fda, floppy0).' },
      driveB: { ...driveSchema, description: 'Drive 1 (B:, QEMU -fdb, floppy1).' },
    },
  },
  create(ctx: DeviceContext, config) {
    const fdc = new I82077aa(ctx.isaIrq(config.irq), ctx.clock, (m) => ctx.log(m));
    const iobase = config.iobase ?? 0x3f0;
    ctx.ports.register(`${ctx.id} FDC`, iobase, 6, fdc.ports);
    ctx.ports.register(`${ctx.id} FDC DIR/CCR`, iobase + 7, 1, {
      read8: () => fdc.ports.read8(7),
      write8: (_off, value) => fdc.ports.write8(7, value),
    });
    const where = (key: string) => `/devices/${ctx.id}/config/${key}`;
    const inserted: (BlockBackend | null)[] = new Array(FDC_UNITS).fill(null);

    const backendOf = (id: string, key: string): BlockBackend => {
      if (!ctx.container.isBound(Tokens.BlockBackend, { name: id }))
        throw new ConfigError(`${where(key)}/drive: drive "${id}" is not defined in the profile's drives`);
      return ctx.container.get<BlockBackend>(Tokens.BlockBackend, { name: id });
    };

    /** The monitor's `change` and `eject` for one drive; an image the monitor opened closes when replaced. */
    const bindRemovable = (unit: number, drive: BlockBackend | null, names: string[]) => {
      const type = config[UNIT_KEYS[unit]]?.type ?? 'auto';
      const swap = (next: BlockBackend | null) => {
        let media: FloppyMedia | null = null;
        try {
          media = next && mediaOf(next, type, names[0], (m) => ctx.log(m));
        } catch (err) {
          next?.close();
          throw err;
        }
        fdc.setMedia(unit, media);
        inserted[unit]?.close();
        inserted[unit] = next;
      };
      const service: RemovableMediaService = {
        names,
        locked: false,
        change: (path, format) => {
          if (!drive?.reopen) throw new Error(`${names.join(', ')}: the drive cannot open other images`);
          swap(drive.reopen(path, format));
        },
        eject: () => swap(null),
      };
      ctx.container.bind(Tokens.RemovableMedia).toConstantValue(service);
    };

    return {
      fdc,
      vmstate: objectState({ fdc: fdc.s }, { version: 2 }),
      realize() {
        if (!ctx.container.isBound(Tokens.IsaDma))
          throw new ConfigError(
            `/devices/${ctx.id}: the floppy controller needs ISA DMA (a piix3-isa or i8237 device)`,
          );
        fdc.connectDma(ctx.container.get<IsaDmaController>(Tokens.IsaDma));
        let types = 0;
        let drives = 0;
        for (const [unit, key] of UNIT_KEYS.entries()) {
          const unitConfig = config[key];
          if (!unitConfig) continue;
          const backend = unitConfig.drive ? backendOf(unitConfig.drive, key) : null;
          // A drive with no medium is an empty drive that the monitor's change fills through it.
          const media =
            backend && !backend.empty
              ? mediaOf(backend, unitConfig.type ?? 'auto', where(key), (m) => ctx.log(m))
              : null;
          fdc.present[unit] = true;
          fdc.setMedia(unit, media);
          const driveType =
            media?.format.drive ?? (unitConfig.type === 'auto' || !unitConfig.type ? '144' : unitConfig.type);
          types |= CMOS_DRIVE_TYPE[driveType] << (unit === 0 ? 4 : 0);
          drives++;
          bindRemovable(unit, backend, [
            ...new Set([...(unitConfig.drive ? [unitConfig.drive] : []), `floppy${unit}`]),
          ]);
        }
        if (drives > 0) {
          if (!ctx.container.isBound(Tokens.Cmos))
            throw new ConfigError(
              `/devices/${ctx.id}: floppy drives need an mc146818 RTC (CMOS) for their types`,
            );
          const cmos = ctx.container.get<CmosService>(Tokens.Cmos);
          cmos.set(CMOS_FLOPPY_TYPES, types);
          // Equipment byte: bit 0 floppy drives present, bits 7-6 their count - 1.
          cmos.set(CMOS_EQUIPMENT, (cmos.get(CMOS_EQUIPMENT) & 0x3e) | 0x01 | ((drives - 1) << 6));
        }
      },
      reset: () => fdc.reset(),
      info: () =>
        UNIT_KEYS.map((key, unit) => {
          if (!fdc.present[unit]) return `${key}: none`;
          const m = fdc.media[unit];
          const d = fdc.s.drives[unit];
          const disk = m
            ? `${m.format.sectors}x${m.format.tracks}x${m.format.heads}${m.backend.readOnly ? ' read-only' : ''}`
            : 'empty';
          return `${key}: ${disk}, track ${d.track}${d.changed ? ', disk changed' : ''}`;
        }).join('\n'),
    };
  },
});
