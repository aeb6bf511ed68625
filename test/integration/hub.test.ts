import { PCI_COMMAND_IO, PCI_COMMAND_MASTER, PCI_COMMAND_MEMORY } from '@plugboard/core';
import { registers as E } from '@plugboard/dev-i8255x';
import { registers as R } from '@plugboard/dev-rtl8139';
import { describe, expect, it } from 'vitest';
import { machine } from './boot.js';

/**
 * Two NIC models on one hub (QEMU's vlan), programmed as their Linux drivers
 * program them: a frame the RTL8139 transmits arrives in the i82557b's receive
 * frame area, and the reply comes back into the RTL8139's receive ring.
 */
describe('two NICs on a hub', () => {
  it('exchange frames between an RTL8139 and an i82557b', async () => {
    const m = await machine('bare', [
      {
        memory: '16M',
        netdevs: { lan: { type: 'hub' } },
        devices: {
          // No firmware: the test drives both NICs itself and never runs the CPU.
          rom: null,
          rtl: {
            type: 'rtl8139',
            pci: '00:03.0',
            config: { netdev: 'lan', mac: '52:54:00:00:00:01', model: 'C' },
          },
          e100: { type: 'i82557b', pci: '00:04.0', config: { netdev: 'lan', mac: '52:54:00:00:00:02' } },
        },
      },
    ]);
    try {
      const { ports, memory, dma } = m;
      const rtlIo = 0xc000;
      const e100Csr = 0xfeb00000;
      const rtlFn = m.pci.get(3 << 3)!;
      const e100Fn = m.pci.get(4 << 3)!;
      rtlFn.writeConfig(0x10, 4, rtlIo);
      e100Fn.writeConfig(0x10, 4, e100Csr);
      for (const fn of [rtlFn, e100Fn])
        fn.writeConfig(0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

      // RTL8139, as 8139too starts it: an 8 KiB receive ring at 1 MiB.
      ports.out8(rtlIo + R.CR, R.CR_RST);
      ports.out8(rtlIo + R.CR, R.CR_RE | R.CR_TE);
      ports.out32(rtlIo + R.RCR, R.RCR_APM | R.RCR_AB);
      ports.out32(rtlIo + R.RBSTART, 0x100000);

      // i82557b, as e100 starts its receive unit: two simplified RFDs at 2 MiB.
      for (let i = 0; i < 2; i++) {
        const rfd = 0x200000 + i * 0x800;
        dma.write16(rfd, 0);
        dma.write16(rfd + 2, i === 1 ? E.CB_EL : 0);
        dma.write32(rfd + 4, 0x200000 + ((i + 1) % 2) * 0x800);
        dma.write32(rfd + 8, 0xffffffff);
        dma.write16(rfd + 14, 1518);
      }
      memory.write32(e100Csr + E.SCB_GENERAL_POINTER, 0x200000);
      memory.write8(e100Csr + E.SCB_COMMAND, E.RUC_START);

      // RTL8139 -> i82557b.
      const hello = new Uint8Array(64);
      hello.set([0x52, 0x54, 0x00, 0x00, 0x00, 0x02, 0x52, 0x54, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5]);
      hello.set(new TextEncoder().encode('hello from the rtl8139'), 14);
      memory.ram.set(hello, 0x300000);
      ports.out32(rtlIo + R.TSAD0, 0x300000);
      ports.out32(rtlIo + R.TSD0, hello.length);
      expect(dma.read16(0x200000) & (E.CB_C | E.CB_OK)).toBe(E.CB_C | E.CB_OK);
      expect(dma.read16(0x20000c) & E.RFD_COUNT).toBe(64);
      expect(memory.ram.subarray(0x200010, 0x200010 + 64)).toEqual(hello);

      // i82557b -> RTL8139: a simplified-mode transmit command block.
      const reply = hello.slice();
      reply.set([0x52, 0x54, 0x00, 0x00, 0x00, 0x01, 0x52, 0x54, 0x00, 0x00, 0x00, 0x02], 0);
      reply.set(new TextEncoder().encode('and back from the 82557'), 14);
      const cb = 0x400000;
      dma.write16(cb, 0);
      dma.write16(cb + 2, E.CMD_TRANSMIT | E.CB_EL);
      dma.write32(cb + 4, 0);
      dma.write32(cb + 8, 0xffffffff);
      dma.write16(cb + 12, reply.length | 0x8000);
      dma.write8(cb + 14, 0xe0);
      dma.write8(cb + 15, 0);
      dma.write(cb + 16, reply);
      memory.write32(e100Csr + E.SCB_GENERAL_POINTER, cb);
      memory.write8(e100Csr + E.SCB_COMMAND, E.CUC_START << 4);
      expect(dma.read16(cb) & (E.CB_C | E.CB_OK)).toBe(E.CB_C | E.CB_OK);
      const header = dma.read32(0x100000);
      expect(header & 0xffff).toBe(R.RX_ROK | R.RX_PAM);
      expect(header >>> 16).toBe(64 + 4);
      expect(memory.ram.subarray(0x100004, 0x100004 + 64)).toEqual(reply);
    } finally {
      await m.destroy();
    }
  });
});
