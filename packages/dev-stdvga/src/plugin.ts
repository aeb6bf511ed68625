import {
  type DisplaySource,
  definePlugin,
  MAX_FIRMWARE_BYTES,
  PciFunction,
  QEMU_SUBSYSTEM,
  Tokens,
} from '@plugboard/core';
import { VBE_DISPI_INDEX_BPP, VBE_DISPI_IOPORT_INDEX } from './dispi.js';
import { StdVgaRenderer } from './render.js';
import { DEFAULT_VRAM_MB, MMIO_BAR_SIZE, StdVga } from './stdvga.js';

export interface StdVgaConfig {
  romfile: string | null;
  vgamem: number;
}

/** QEMU's "VGA" device: vendor 1234 (QEMU), device 1111, a VGA-compatible display controller. */
const PCI = { vendorId: 0x1234, deviceId: 0x1111, classCode: 0x030000, revision: 0x02, ...QEMU_SUBSYSTEM };

export const stdVgaPlugin = definePlugin<StdVgaConfig, StdVga & DisplaySource>({
  meta: { id: 'std-vga', name: 'Standard VGA with Bochs VBE extensions' },
  kind: 'pci',
  pci: PCI,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      romfile: {
        type: ['string', 'null'],
        default: 'vgabios-stdvga.bin',
        description:
          "The VGA BIOS for the expansion ROM: a name looked up in the firmware directories (SeaBIOS's vgabios-stdvga.bin, QEMU's default) or a path; null for none.",
      },
      vgamem: {
        type: 'integer',
        enum: [1, 2, 4, 8, 16, 32, 64, 128],
        default: DEFAULT_VRAM_MB,
        description: "Video memory in MiB, a power of two (QEMU's vgamem_mb); BAR0's size.",
      },
    },
  },
  async create(ctx, config) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the standard VGA needs a PCI address`);
    const vga = new StdVga(config.vgamem << 20);
    const renderer = new StdVgaRenderer(vga.state, vga.dirty);
    const fn = new PciFunction(ctx.id, PCI);
    fn.setBar(0, { kind: 'mem32', size: config.vgamem << 20, prefetchable: true, handler: vga.framebuffer });
    fn.setBar(2, { kind: 'mem32', size: MMIO_BAR_SIZE, handler: vga.mmio });
    if (config.romfile) {
      fn.setRom(
        await ctx.readFile(ctx.findFirmware(config.romfile), `${ctx.id}'s romfile`, MAX_FIRMWARE_BYTES),
      );
    }
    ctx.pci.add(ctx.pciAddress, fn);
    ctx.ports.register(`${ctx.id} VGA`, 0x3b0, 0x30, vga.ports);
    ctx.ports.register(`${ctx.id} VBE`, VBE_DISPI_IOPORT_INDEX, 3, vga.dispiPorts);
    ctx.memory.mapMmio(`${ctx.id} VGA window`, 0xa0000, 0x20000, vga.legacyWindow);
    const display = Object.assign(vga, {
      render: () => renderer.render(),
      reset() {
        fn.resetConfig();
        StdVga.prototype.reset.call(vga);
      },
      info: () => {
        const { width, height } = renderer.size();
        const vbe = vga.vbeEnabled ? `, VBE ${vga.state.vbe[VBE_DISPI_INDEX_BPP]} bpp` : '';
        return `${ctx.id}: standard VGA, ${config.vgamem} MiB, ${width}x${height}${vbe}`;
      },
    });
    ctx.container.bind(Tokens.Display).toConstantValue(display);
    return display;
  },
});
