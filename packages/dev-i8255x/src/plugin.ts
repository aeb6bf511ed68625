import {
  bindNetworkLink,
  type DevicePlugin,
  definePlugin,
  MAX_FIRMWARE_BYTES,
  type NetworkBackend,
  PciFunction,
  plugNetwork,
  Tokens,
} from '@plugboard/core';
import { I8255x } from './i8255x.js';
import { type I8255xModelName, MODELS } from './models.js';
import { CSR } from './registers.js';

export interface I8255xConfig {
  mac: string;
  netdev: string | null;
  romfile: string | null;
}

const PCI_CAP_ID_PM = 0x01;
/** The serial flash window (BAR2): no flash fitted, it reads all ones. */
const FLASH_SIZE = 128 * 1024;
const noFlash = { read8: () => 0xff, write8: () => {} };

function plugin(name: I8255xModelName): DevicePlugin<I8255xConfig, I8255x> {
  const model = MODELS[name];
  return definePlugin<I8255xConfig, I8255x>({
    meta: { id: name, name: `Intel ${name} 10/100 Ethernet (8255x)` },
    kind: 'pci',
    carryOnSwap: ['netdev', 'mac'],
    pci: model.pci,
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mac: {
          type: 'string',
          pattern: '^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$',
          default: '52:54:00:12:34:56',
        },
        netdev: {
          type: ['string', 'null'],
          default: null,
          description: 'The netdev id the NIC is plugged into.',
        },
        romfile: {
          type: ['string', 'null'],
          default: null,
          description:
            "Expansion ROM: a name looked up in the firmware directories (QEMU uses iPXE's pxe-eepro100.rom) or a path; null for none.",
        },
      },
    },
    async create(ctx, config) {
      if (!ctx.pciAddress) throw new Error(`${ctx.id}: the ${name} needs a PCI address`);
      const mac = Uint8Array.from(config.mac.split(':').map((h) => Number.parseInt(h, 16)));
      if (mac[0] & 1) throw new Error(`${ctx.id}: mac ${config.mac} is a multicast address`);
      const fn = new PciFunction(ctx.id, { ...model.pci, interruptPin: 1 });
      fn.set8(0x3e, 0x08); // MIN_GNT
      fn.set8(0x3f, 0x18); // MAX_LAT
      if (model.generation > 1) {
        const pm = fn.addCapability(PCI_CAP_ID_PM, 8);
        fn.set16(pm + 2, 0x7e21); // PMC: D1, D2, PME from every state, version 1
      }
      const nic = new I8255x({ id: ctx.id, model, mac, fn, dma: ctx.dma, clock: ctx.clock });
      const csr = {
        read8: (o: number) => nic.read(o, 1),
        read16: (o: number) => nic.read(o, 2),
        read32: (o: number) => nic.read(o, 4),
        write8: (o: number, v: number) => nic.write(o, 1, v),
        write16: (o: number, v: number) => nic.write(o, 2, v),
        write32: (o: number, v: number) => nic.write(o, 4, v),
      };
      fn.setBar(0, { kind: 'mem32', size: 4096, prefetchable: true, handler: csr });
      fn.setBar(1, { kind: 'io', size: CSR.size, handler: csr });
      fn.setBar(2, { kind: 'mem32', size: FLASH_SIZE, handler: noFlash });
      if (config.romfile) {
        fn.setRom(
          await ctx.readFile(ctx.findFirmware(config.romfile), `${ctx.id}'s romfile`, MAX_FIRMWARE_BYTES),
        );
      }
      ctx.pci.add(ctx.pciAddress, fn);
      return Object.assign(nic, {
        realize() {
          if (config.netdev === null) return;
          const backend = ctx.container.get<NetworkBackend>(Tokens.NetworkBackend, { name: config.netdev });
          const port = plugNetwork(backend, nic, (m) => ctx.log(m));
          nic.port = port;
          bindNetworkLink(ctx.container, [ctx.id, config.netdev], port);
        },
        reset() {
          fn.resetConfig();
          nic.softwareReset();
        },
        destroy() {
          nic.port?.disconnect();
        },
        info() {
          return `${ctx.id}: ${name} mac ${config.mac} netdev ${config.netdev ?? 'none'}`;
        },
      });
    },
  });
}

export const i8255xPlugins = (Object.keys(MODELS) as I8255xModelName[]).map(plugin);
