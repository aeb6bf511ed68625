import { type DeviceContext, definePlugin, Tokens } from '@plugboard/core';
import { checkBiosImage, mapFirmware } from './map.js';
import { readFirmware, resolveFirmware } from './resolve.js';

/** The part of the fw-cfg device's service this plugin uses (devices never import each other). */
interface FirmwareConfigService {
  addFile(name: string, data: Uint8Array): void;
}

export interface SeabiosConfig {
  bios: string;
  path?: string;
  bootorder: string[];
}

export interface SeabiosDevice {
  /** Where the image was found. */
  readonly file: string;
  readonly image: Uint8Array;
  realize(): void;
  info(): string;
}

export const seabiosPlugin = definePlugin<SeabiosConfig, SeabiosDevice>({
  meta: { id: 'seabios', name: 'SeaBIOS system firmware' },
  kind: 'firmware',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      bios: {
        type: 'string',
        minLength: 1,
        default: 'bios-256k.bin',
        description:
          'Image name (looked up in `path`, the firmware cache, the system) or a path with a slash.',
      },
      path: { type: 'string', minLength: 1, description: 'A directory searched first, like QEMU -L.' },
      bootorder: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: [],
        description: 'OpenFirmware device paths for the fw_cfg `bootorder` file, first to try first.',
      },
    },
  },
  create(ctx: DeviceContext, config) {
    const searchDirs = config.path ? [ctx.resolvePath(config.path)] : [];
    const file = resolveFirmware(config.bios, searchDirs, ctx.resolvePath('.'));
    const image = readFirmware(file);
    checkBiosImage(image, file);
    const isaBase = mapFirmware(ctx.memory, image);
    return {
      file,
      image,
      realize() {
        if (config.bootorder.length === 0) return;
        const token = Symbol.for('plugboard.fwcfg');
        const id = ctx.container.isBound(token) ? token : Tokens.FirmwareConfig;
        if (!ctx.container.isBound(id))
          throw new Error(`${ctx.id}: "bootorder" needs a fw-cfg device in the machine`);
        const fwcfg = ctx.container.get<FirmwareConfigService>(id);
        fwcfg.addFile('bootorder', new TextEncoder().encode(`${config.bootorder.join('\n')}\n`));
      },
      info: () =>
        `${file}: ${image.length / 1024} KiB at 0x${(2 ** 32 - image.length).toString(16)}, last ${(0x100000 - isaBase) / 1024} KiB at 0x${isaBase.toString(16)}`,
    };
  },
});
