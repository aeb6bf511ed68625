import {
  type CmosService,
  type DeviceContext,
  definePlugin,
  type FirmwareConfigService,
  MAX_FIRMWARE_BYTES,
  MAX_INITRD_BYTES,
  MAX_KERNEL_BYTES,
  Tokens,
} from '@plugboard/core';
import { LINUXBOOT_ROM, type LinuxBoot, prepareLinuxBoot } from './linux-boot.js';
import { checkBiosImage, mapFirmware } from './map.js';
import { FirmwareError, resolveFirmware } from './resolve.js';

const FW_CFG_BOOT_MENU = 0x0e;

/**
 * A firmware file by name: the `path` directories first, then the machine's
 * firmware directories (`ctx.findFirmware`, QEMU's -L as the CLI passes it),
 * then the cache and the system directories; a miss names them all and the
 * fetch command.
 */
function findImage(ctx: DeviceContext, name: string, searchDirs: readonly string[]): string {
  if (name.includes('/')) return resolveFirmware(name, [], ctx.resolvePath('.'));
  for (const dir of searchDirs) {
    try {
      return ctx.findFirmware(`${dir.replace(/\/$/, '')}/${name}`);
    } catch {
      // not in this directory: try the next
    }
  }
  try {
    return ctx.findFirmware(name);
  } catch {
    return resolveFirmware(name, searchDirs, ctx.resolvePath('.'));
  }
}

export interface SeabiosConfig {
  bios: string;
  path?: string | string[];
  bootorder: string[];
  boot?: string;
  bootMenu?: boolean;
  kernel?: string;
  initrd?: string;
  append: string;
}

export interface SeabiosDevice {
  /** Where the image was found. */
  readonly file: string;
  readonly image: Uint8Array;
  /** The direct Linux boot prepared from `kernel`, if any. */
  readonly linux: LinuxBoot | null;
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
      path: {
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string', minLength: 1 } },
        ],
        description: 'Directories searched first, like QEMU -L.',
      },
      bootorder: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        default: [],
        description: 'OpenFirmware device paths for the fw_cfg `bootorder` file, first to try first.',
      },
      boot: {
        type: 'string',
        pattern: '^[acdn]{0,3}$',
        description: 'QEMU -boot order, written to CMOS 0x3d/0x38.',
      },
      bootMenu: { type: 'boolean', description: 'QEMU -boot menu=on|off (fw_cfg boot menu items).' },
      kernel: { type: 'string', minLength: 1, description: 'A bzImage to boot directly (QEMU -kernel).' },
      initrd: { type: 'string', minLength: 1, description: 'Its initial ramdisk (QEMU -initrd).' },
      append: { type: 'string', default: '', description: 'Its command line (QEMU -append).' },
    },
  },
  async create(ctx: DeviceContext, config) {
    const paths = config.path === undefined ? [] : Array.isArray(config.path) ? config.path : [config.path];
    const searchDirs = paths.map((p) => ctx.resolvePath(p));
    const file = findImage(ctx, config.bios, searchDirs);
    const image = await ctx.readFile(file, 'a firmware image', MAX_FIRMWARE_BYTES);
    checkBiosImage(image, file);
    const isaBase = mapFirmware(ctx.memory, image);

    let linux: LinuxBoot | null = null;
    let linuxRom: Uint8Array | null = null;
    if (config.kernel) {
      const kernelFile = ctx.resolvePath(config.kernel);
      const initrdFile = config.initrd ? ctx.resolvePath(config.initrd) : undefined;
      linux = prepareLinuxBoot(
        await ctx.readFile(kernelFile, 'a Linux kernel', MAX_KERNEL_BYTES),
        initrdFile ? await ctx.readFile(initrdFile, 'an initrd', MAX_INITRD_BYTES) : null,
        config.append,
        Math.min(ctx.memory.ramSize, 0xe0000000),
        { kernel: kernelFile, initrd: initrdFile },
      );
      linuxRom = await ctx.readFile(
        findImage(ctx, LINUXBOOT_ROM, searchDirs),
        'an option ROM',
        MAX_FIRMWARE_BYTES,
      );
    } else if (config.initrd) {
      throw new FirmwareError(`/devices/${ctx.id}/config/initrd: an initrd needs a kernel`);
    }

    const service = <T>(token: symbol, what: string): T => {
      if (!ctx.container.isBound(token)) throw new Error(`${ctx.id}: ${what}`);
      return ctx.container.get<T>(token);
    };

    return {
      file,
      image,
      linux,
      // The image is mapped read-only; what the BIOS keeps is in RAM and the chipset.
      vmstate: null,
      realize() {
        const bootorder = linux ? [`/rom@genroms/${LINUXBOOT_ROM}`, ...config.bootorder] : config.bootorder;
        const needsFwCfg = bootorder.length > 0 || config.bootMenu !== undefined;
        if (needsFwCfg) {
          const fwcfg = service<FirmwareConfigService>(
            Tokens.FirmwareConfig,
            'boot settings need a fw-cfg device',
          );
          if (bootorder.length)
            fwcfg.addFile('bootorder', new TextEncoder().encode(`${bootorder.join('\n')}\n`));
          if (config.bootMenu !== undefined) {
            const menu = Uint8Array.of(config.bootMenu ? 1 : 0, 0);
            fwcfg.addItem(FW_CFG_BOOT_MENU, menu);
            fwcfg.addFile('etc/show-boot-menu', menu);
          }
          if (linux && linuxRom) {
            for (const [key, data] of linux.items) fwcfg.addItem(key, data);
            fwcfg.addFile(`genroms/${LINUXBOOT_ROM}`, linuxRom);
          }
        }
        if (config.boot !== undefined) {
          service<CmosService>(Tokens.Cmos, '"boot" needs an mc146818 RTC (CMOS)').setBootOrder(config.boot);
        }
      },
      info: () =>
        `${file}: ${image.length / 1024} KiB at 0x${(2 ** 32 - image.length).toString(16)}, last ${(0x100000 - isaBase) / 1024} KiB at 0x${isaBase.toString(16)}`,
    };
  },
});
