import {
  type DisplaySource,
  definePlugin,
  MAX_FIRMWARE_BYTES,
  PciFunction,
  QEMU_SUBSYSTEM,
  Tokens,
} from '@plugboard/core';
import { CirrusVga } from './cirrus.js';
import { Renderer } from './render.js';

export interface CirrusConfig {
  romfile: string | null;
}

const PCI = { vendorId: 0x1013, deviceId: 0x00b8, classCode: 0x030000, revision: 0x00, ...QEMU_SUBSYSTEM };
/** BAR0: the linear aperture (4 MiB of video memory, repeated) and the BLT data aperture at 16 MiB. */
const LINEAR_BAR_SIZE = 32 << 20;
const MMIO_BAR_SIZE = 4096;

export const cirrusPlugin = definePlugin<CirrusConfig, CirrusVga & DisplaySource>({
  meta: { id: 'cirrus-vga', name: 'Cirrus Logic CL-GD5446 VGA' },
  kind: 'pci',
  pci: PCI,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      romfile: {
        type: ['string', 'null'],
        default: null,
        description:
          "The VGA BIOS for the expansion ROM: a name looked up in the firmware directories (SeaBIOS's vgabios-cirrus.bin) or a path; null for none.",
      },
    },
  },
  async create(ctx, config) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the Cirrus VGA needs a PCI address`);
    const vga = new CirrusVga(ctx.clock, ctx.id);
    const renderer = new Renderer(vga.state, vga.dirty);
    const fn = new PciFunction(ctx.id, PCI);
    fn.setBar(0, { kind: 'mem32', size: LINEAR_BAR_SIZE, prefetchable: true, handler: vga.linearWindow });
    fn.setBar(1, { kind: 'mem32', size: MMIO_BAR_SIZE, handler: vga.mmioWindow });
    if (config.romfile) {
      fn.setRom(
        await ctx.readFile(ctx.findFirmware(config.romfile), `${ctx.id}'s romfile`, MAX_FIRMWARE_BYTES),
      );
    }
    ctx.pci.add(ctx.pciAddress, fn);
    ctx.ports.register(`${ctx.id} VGA`, 0x3b0, 0x30, vga.ports);
    ctx.memory.mapMmio(`${ctx.id} VGA window`, 0xa0000, 0x20000, vga.legacyWindow);
    const display = Object.assign(vga, {
      render: () => renderer.render(),
      reset() {
        fn.resetConfig();
        CirrusVga.prototype.reset.call(vga);
      },
      info: () => {
        const { width, height } = renderer.size();
        return `${ctx.id}: CL-GD5446, ${width}x${height}`;
      },
    });
    ctx.container.bind(Tokens.Display).toConstantValue(display);
    return display;
  },
});
