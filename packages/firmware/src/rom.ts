import { type DeviceContext, definePlugin } from '@plugboard/core';
import { MAX_FIRMWARE_SIZE, mapFirmware, padToPages } from './map.js';
import { FirmwareError, readFirmware } from './resolve.js';

export interface RomConfig {
  image: string;
}

/**
 * A raw boot ROM for bare machines: its last byte at 0xFFFFFFFF (where the
 * reset vector is read) and aliased below 1 MiB like a BIOS. Any size up to
 * 16 MiB; a size that is not whole pages is padded with 0xFF at the front.
 */
export const romPlugin = definePlugin<RomConfig, { info(): string }>({
  meta: { id: 'rom', name: 'Raw boot ROM' },
  kind: 'firmware',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['image'],
    properties: {
      image: { type: 'string', minLength: 1, description: 'Path of the ROM image, relative to the profile.' },
    },
  },
  create(ctx: DeviceContext, config) {
    const file = ctx.resolvePath(config.image);
    const raw = readFirmware(file);
    if (raw.length === 0 || raw.length > MAX_FIRMWARE_SIZE) {
      throw new FirmwareError(`${file}: ROM size ${raw.length} bytes is not between 1 byte and 16 MiB`);
    }
    const image = padToPages(raw);
    const isaBase = mapFirmware(ctx.memory, image);
    return {
      vmstate: null,
      info: () => `${file}: ${raw.length} bytes ending at 0xffffffff, alias at 0x${isaBase.toString(16)}`,
    };
  },
});
