import {
  bindNetworkLink,
  definePlugin,
  MAX_FIRMWARE_BYTES,
  type NetworkBackend,
  PciFunction,
  plugNetwork,
  Tokens,
} from '@plugboard/core';
import { REGISTERS_CPLUS } from './registers.js';
import { Rtl8139, type Rtl8139Model } from './rtl8139.js';

export interface Rtl8139Config {
  model: Rtl8139Model;
  mac: string;
  netdev: string | null;
  romfile: string | null;
}

const PCI_C_PLUS = {
  vendorId: 0x10ec,
  deviceId: 0x8139,
  classCode: 0x020000,
  revision: 0x20,
  subsystemVendorId: 0x10ec,
  subsystemId: 0x8139,
};
const PCI_C = { ...PCI_C_PLUS, revision: 0x10 };

export function parseMac(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => Number.parseInt(h, 16)));
}

export const rtl8139Plugin = definePlugin<Rtl8139Config, Rtl8139>({
  meta: { id: 'rtl8139', name: 'Realtek RTL8139C+ 10/100 Fast Ethernet' },
  kind: 'pci',
  carryOnSwap: ['netdev', 'mac'],
  pci: PCI_C_PLUS,
  models: { 'C+': PCI_C_PLUS, C: PCI_C },
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: {
        enum: ['C+', 'C'],
        default: 'C+',
        description:
          "C+: RTL8139C+ (PCI revision 0x20, QEMU's, Linux 8139cp). C: RTL8139C (revision 0x10, Linux 8139too).",
      },
      mac: {
        type: 'string',
        pattern: '^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$',
        default: '52:54:00:12:34:56',
        description: 'The address the EEPROM holds.',
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
          "Expansion ROM: a name looked up in the firmware directories (QEMU uses iPXE's efi-rtl8139.rom) or a path; null for none.",
      },
    },
  },
  async create(ctx, config) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the RTL8139 needs a PCI address`);
    const mac = parseMac(config.mac);
    if (mac[0] & 1) throw new Error(`${ctx.id}: mac ${config.mac} is a multicast address`);
    const ids = config.model === 'C' ? PCI_C : PCI_C_PLUS;
    const fn = new PciFunction(ctx.id, { ...ids, interruptPin: 1 });
    const nic = new Rtl8139({ id: ctx.id, model: config.model, mac, fn, dma: ctx.dma, clock: ctx.clock });
    const window = {
      read8: (o: number) => nic.read(o, 1),
      read16: (o: number) => nic.read(o, 2),
      read32: (o: number) => nic.read(o, 4),
      write8: (o: number, v: number) => nic.write(o, 1, v),
      write16: (o: number, v: number) => nic.write(o, 2, v),
      write32: (o: number, v: number) => nic.write(o, 4, v),
    };
    // Both BARs map the one register window; the table says how large it is.
    fn.setBar(0, { kind: 'io', size: REGISTERS_CPLUS.size, handler: window });
    fn.setBar(1, { kind: 'mem32', size: REGISTERS_CPLUS.size, handler: window });
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
        nic.powerOn();
      },
      destroy() {
        nic.port?.disconnect();
      },
      info() {
        return `${ctx.id}: RTL8139${config.model} mac ${config.mac} netdev ${config.netdev ?? 'none'}\n${nic.status()}`;
      },
    });
  },
});
