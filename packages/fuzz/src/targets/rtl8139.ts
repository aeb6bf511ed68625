import { plugPciDevice } from '@plugboard/core/testing';
import { registers as R, rtl8139Plugin } from '@plugboard/dev-rtl8139';
import { NIC_IO, NicProgram, nicTarget } from '../nic-target.js';

export const target = nicTarget(
  'rtl8139',
  (net) =>
    plugPciDevice(
      rtl8139Plugin,
      { model: 'C+', mac: '52:54:00:12:34:56', netdev: 'net0', romfile: null },
      { id: 'nic', slot: 3, bars: [NIC_IO, 0xfebd1000], netdevs: { net0: net } },
    ),
  () => {
    // C+ mode: one large-send frame out, a frame into a two-descriptor receive ring.
    const cplus = new NicProgram()
      .write(R.CR, 1, R.CR_RST)
      .write(R.CPCR, 2, R.CPCR_CPTxE | R.CPCR_CPRxE)
      .write(R.TNPDS, 4, 0x1000)
      .write(R.RDSAR, 4, 0x2000)
      .write(R.CR, 1, R.CR_RE | R.CR_TE)
      .write(R.RCR, 4, R.RCR_AB | R.RCR_APM)
      .ram(
        0x1000,
        R.DESC_OWN | R.DESC_FS | R.DESC_LS | R.DESC_EOR | R.TXD_LGSEN | (100 << R.TXD_MSS_SHIFT) | 300,
      )
      .ram(0x1008, 0x4000)
      .ram(0x2000, R.DESC_OWN | 1536)
      .ram(0x2008, 0x8000)
      .ram(0x2010, R.DESC_OWN | R.DESC_EOR | 1536)
      .ram(0x2018, 0x9000);
    for (let i = 0; i < 300; i += 4) cplus.ram(0x4000 + i, 0x00450008 + i);
    cplus.write(R.TPPoll, 1, R.TPPoll_NPQ).receive(200).tick(100);
    // C mode: the receive ring and TSD transmit.
    const c = new NicProgram()
      .write(R.CR, 1, R.CR_RST)
      .write(R.RBSTART, 4, 0x10000)
      .write(R.CR, 1, R.CR_RE | R.CR_TE)
      .write(R.RCR, 4, R.RCR_AB | R.RCR_APM | (3 << R.RCR_RBLEN_SHIFT))
      .write(R.IMR, 2, 0xffff)
      .write(R.TSAD0, 4, 0x4000)
      .write(R.TSD0, 4, 1514)
      .receive(1514)
      .read(R.ISR, 2)
      .write(R.CAPR, 2, 0x600)
      .tick(1000);
    return [cplus.build(), c.build()];
  },
);
