import { plugPciDevice } from '@plugboard/core/testing';
import { plugins, registers as R } from '@plugboard/dev-i8255x';
import { NIC_IO, NicProgram, nicTarget } from '../nic-target.js';

const CBL = 0x1000;
const RFA = 0x3000;

export const target = nicTarget(
  'i8255x',
  (net) => {
    const plugin = plugins.find((p) => p.meta.id === 'i82559er')!;
    return plugPciDevice(
      plugin,
      { mac: '52:54:00:12:34:56', netdev: 'net0', romfile: null },
      { id: 'nic', slot: 3, bars: [0xfebd0000, NIC_IO, 0xfeb00000], netdevs: { net0: net } },
    );
  },
  () => {
    const cuc = (c: number) => c << 4;
    // A transmit TCB with one TBD, then a command list that links to itself (CVE-2015-8345).
    const tx = new NicProgram()
      .write(R.SCB_GENERAL_POINTER, 4, 0)
      .write(R.SCB_COMMAND, 1, cuc(R.CUC_LOAD_BASE))
      .ram(CBL, (R.CMD_TRANSMIT | R.CB_SF | R.CB_EL) << 16)
      .ram(CBL + 4, CBL)
      .ram(CBL + 8, CBL + 16)
      .ram(CBL + 12, 0x01000000)
      .ram(CBL + 16, 0x4000)
      .ram(CBL + 20, 0x8000 | 60)
      .write(R.SCB_GENERAL_POINTER, 4, CBL)
      .write(R.SCB_COMMAND, 1, cuc(R.CUC_START))
      .tick(100)
      .ram(CBL, (R.CMD_NOP | R.CB_I) << 16)
      .write(R.SCB_COMMAND, 1, cuc(R.CUC_START))
      .tick(1000);
    // The receive unit on a two-RFD ring, and a frame.
    const rx = new NicProgram()
      .write(R.SCB_GENERAL_POINTER, 4, 0)
      .write(R.SCB_COMMAND, 1, R.RUC_LOAD_BASE)
      .ram(RFA, 0)
      .ram(RFA + 4, RFA + 0x800)
      .ram(RFA + 12, 1518 << 16)
      .ram(RFA + 0x800, 0x8000 << 16)
      .ram(RFA + 0x804, RFA)
      .ram(RFA + 0x80c, 1518 << 16)
      .write(R.SCB_GENERAL_POINTER, 4, RFA)
      .write(R.SCB_COMMAND, 1, R.RUC_START)
      .receive(300)
      .receive(1514)
      .read(R.SCB_STATUS, 2)
      .write(R.PORT, 4, R.PORT_SOFTWARE_RESET);
    return [tx.build(), rx.build()];
  },
);
