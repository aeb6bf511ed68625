import { type DeviceContext, definePlugin, Tokens } from '@plugboard/core';
import { encodeE820, le16, le32, le64, pcE820 } from './encode.js';
import { FW_CFG_PORT_COUNT, FwCfg } from './fw-cfg.js';
import { FW_CFG_VERSION, FW_CFG_VERSION_DMA, FwCfgKey } from './keys.js';

export interface FwCfgConfig {
  iobase: number;
  dma: boolean;
  cpus: number;
  maxCpus: number;
  uuid: string | null;
  sercon: boolean;
  serconPort: number;
  bootMenu: boolean;
  bootMenuTimeout: number | null;
  bootFailWait: number;
}

export const fwCfgPlugin = definePlugin<FwCfgConfig, FwCfg>({
  meta: { id: 'fw-cfg', name: 'QEMU firmware configuration (fw_cfg) with DMA' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: {
        type: 'integer',
        minimum: 0,
        maximum: 0xfff0,
        default: 0x510,
        description: 'Selector port; data is iobase+1, DMA iobase+4.',
      },
      dma: { type: 'boolean', default: true, description: 'Offer the DMA interface (FW_CFG_ID bit 1).' },
      cpus: { type: 'integer', minimum: 1, maximum: 255, default: 1, description: 'FW_CFG_NB_CPUS.' },
      maxCpus: { type: 'integer', minimum: 1, maximum: 255, default: 1, description: 'FW_CFG_MAX_CPUS.' },
      uuid: {
        type: ['string', 'null'],
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        default: null,
        description: 'FW_CFG_UUID (the SMBIOS system UUID); null gives zeros.',
      },
      sercon: {
        type: 'boolean',
        default: false,
        description:
          'A -nographic run: FW_CFG_NOGRAPHIC and etc/sercon-port, so SeaBIOS mirrors its screen to COM1.',
      },
      serconPort: {
        type: 'integer',
        minimum: 0,
        maximum: 0xffff,
        default: 0x3f8,
        description: 'etc/sercon-port when sercon.',
      },
      bootMenu: { type: 'boolean', default: false, description: 'FW_CFG_BOOT_MENU and etc/show-boot-menu.' },
      bootMenuTimeout: {
        type: ['integer', 'null'],
        minimum: 0,
        maximum: 65535,
        default: null,
        description: 'etc/boot-menu-wait in ms.',
      },
      bootFailWait: {
        type: 'integer',
        minimum: -1,
        maximum: 65535000,
        default: -1,
        description: 'etc/boot-fail-wait in ms; -1 never retries.',
      },
    },
  },
  create(ctx: DeviceContext, config) {
    const fw = new FwCfg(ctx.dma, config.dma);
    ctx.ports.register(`${ctx.id} fw_cfg`, config.iobase, FW_CFG_PORT_COUNT, fw.ports);
    addMachineItems(fw, ctx.memory.ramSize, config);
    ctx.container.bind(Tokens.FirmwareConfig).toConstantValue(fw);
    return fw;
  },
});

/** The items QEMU's pc machine puts in fw_cfg itself. */
function addMachineItems(fw: FwCfg, ramBytes: number, config: FwCfgConfig): void {
  fw.addItem(FwCfgKey.SIGNATURE, new TextEncoder().encode('QEMU'));
  fw.addItem(FwCfgKey.ID, le32(FW_CFG_VERSION | (config.dma ? FW_CFG_VERSION_DMA : 0)));
  fw.addItem(FwCfgKey.UUID, uuidBytes(config.uuid));
  fw.addItem(FwCfgKey.RAM_SIZE, le64(ramBytes));
  fw.addItem(FwCfgKey.NOGRAPHIC, le16(config.sercon ? 1 : 0));
  fw.addItem(FwCfgKey.NB_CPUS, le16(config.cpus));
  fw.addItem(FwCfgKey.MAX_CPUS, le16(Math.max(config.cpus, config.maxCpus)));
  fw.addItem(FwCfgKey.BOOT_MENU, le16(config.bootMenu ? 1 : 0));
  // TCG always allows the IRQ0 -> GSI2 override; SeaBIOS's MADT and MP table follow this item.
  fw.addItem(FwCfgKey.IRQ0_OVERRIDE, le32(1));
  fw.addItem(FwCfgKey.E820_TABLE, le32(0));
  fw.addFile('etc/e820', encodeE820(pcE820(ramBytes)));
  fw.addFile('etc/boot-fail-wait', le32(config.bootFailWait));
  fw.addFile('etc/show-boot-menu', le16(config.bootMenu ? 1 : 0));
  if (config.bootMenuTimeout !== null) fw.addFile('etc/boot-menu-wait', le16(config.bootMenuTimeout));
  if (config.sercon) fw.addFile('etc/sercon-port', le16(config.serconPort));
}

/** A UUID as QEMU stores it in FW_CFG_UUID: the 16 bytes in the order the text spells them. */
export function uuidBytes(uuid: string | null): Uint8Array {
  const out = new Uint8Array(16);
  if (uuid === null) return out;
  const hex = uuid.replace(/-/g, '');
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
