import { crc32, formatRegisterEvent } from '@plugboard/core';
import { BROADCAST, ethernetFrame, QEMU_MAC } from '@plugboard/core/testing';
import { registers as R } from '@plugboard/dev-rtl8139';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

/** 8139too's read_eeprom: bit-bang a READ through 9346CR in programming mode. */
function readEeprom(nic: Nic, location: number, addressBits: number): number {
  const EE_CS = 0x08;
  const EE_SHIFT_CLK = 0x04;
  const EE_ENB = 0x80 | EE_CS;
  const cmd = (6 << addressBits) | location;
  nic.out8(R.CR9346, EE_ENB & ~EE_CS);
  nic.out8(R.CR9346, EE_ENB);
  for (let i = 4 + addressBits; i >= 0; i--) {
    const bit = cmd & (1 << i) ? 0x02 : 0;
    nic.out8(R.CR9346, EE_ENB | bit);
    nic.out8(R.CR9346, EE_ENB | bit | EE_SHIFT_CLK);
  }
  nic.out8(R.CR9346, EE_ENB);
  let value = 0;
  for (let i = 16; i > 0; i--) {
    nic.out8(R.CR9346, EE_ENB | EE_SHIFT_CLK);
    value = (value << 1) | (nic.in8(R.CR9346) & 1);
    nic.out8(R.CR9346, EE_ENB);
  }
  nic.out8(R.CR9346, 0);
  return value;
}

/** 8139too's rtl8139_hw_start with a 32 KiB ring at `ring`, no-wrap mode off or on. */
function start(nic: Nic, ring = 0x100000, rcr = R.RCR_APM | R.RCR_AB | (2 << R.RCR_RBLEN_SHIFT)) {
  nic.out8(R.CR, R.CR_RST);
  expect(nic.in8(R.CR) & R.CR_RST).toBe(0);
  nic.out8(R.CR, R.CR_RE | R.CR_TE);
  nic.out32(R.RCR, rcr);
  nic.out32(R.TCR, 0x03000700);
  nic.out32(R.RBSTART, ring);
  nic.out16(R.IMR, 0xe07f);
}

describe('RTL8139C as 8139too drives it', () => {
  it('identifies as revision 0x10 with the RTL8139C hardware version in TCR', async () => {
    const nic = await setup('C');
    expect(nic.fn.readConfig(0, 4)).toBe(0x813910ec);
    expect(nic.fn.readConfig(8, 1)).toBe(0x10);
    expect(nic.in32(R.TCR) & 0x7cc00000).toBe(0x74000000);
    const plus = await setup('C+');
    expect(plus.fn.readConfig(8, 1)).toBe(0x20);
    expect(plus.in32(R.TCR) & 0x7cc00000).toBe(0x74800000);
  });

  it('serves the MAC from its 93C46 EEPROM, and 8139too tells the part by address width', async () => {
    const nic = await setup('C', '02:11:22:33:44:55');
    expect(readEeprom(nic, 0, 8)).not.toBe(0x8129);
    expect(readEeprom(nic, 0, 6)).toBe(0x8129);
    expect([7, 8, 9].map((w) => readEeprom(nic, w, 6))).toEqual([0x1102, 0x3322, 0x5544]);
    expect([0, 1, 2, 3, 4, 5].map((i) => nic.in8(R.IDR0 + i))).toEqual([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
  });

  it('reports a 100 Mb/s full-duplex link through the internal PHY registers', async () => {
    const nic = await setup('C');
    expect(nic.in16(R.BMSR) & 0x0024).toBe(0x0024);
    expect(nic.in8(R.MSR) & (R.MSR_LINKB | R.MSR_SPEED_10)).toBe(0);
    nic.out16(R.BMCR, R.BMCR_RESET | R.BMCR_ANE | R.BMCR_RESTART_AN);
    expect(nic.in16(R.BMCR) & (R.BMCR_RESET | R.BMCR_RESTART_AN)).toBe(0);
    nic.nic.linkChanged(false);
    expect(nic.in16(R.BMSR) & 4).toBe(0);
    expect(nic.in8(R.MSR) & R.MSR_LINKB).toBe(R.MSR_LINKB);
    expect(nic.in16(R.ISR) & R.ISR_PUN_LINKCHG).toBe(R.ISR_PUN_LINKCHG);
  });

  it('transmits frames of every size from 60 to 1514 bytes round-robin through TSD0-3', async () => {
    const nic = await setup('C');
    start(nic);
    const sizes = [60, 61, 64, 100, 512, 1000, 1513, 1514];
    sizes.forEach((size, i) => {
      const d = i & 3;
      nic.memory.ram.set(ethernetFrame(BROADCAST, size, i), 0x200000 + d * 0x800);
      nic.out32(R.TSAD0 + d * 4, 0x200000 + d * 0x800);
      nic.out32(R.TSD0 + d * 4, size | (8 << 16));
      const tsd = nic.in32(R.TSD0 + d * 4);
      expect(tsd & (R.TSD_OWN | R.TSD_TOK)).toBe(R.TSD_OWN | R.TSD_TOK);
    });
    expect(nic.net.sent.map((f) => f.length)).toEqual(sizes);
    expect(nic.net.sent[4]).toEqual(ethernetFrame(BROADCAST, 512, 4));
    expect(nic.in16(R.TSAD) & 0xf00f).toBe(0xf00f);
    expect(nic.in16(R.ISR) & R.ISR_TOK).toBe(R.ISR_TOK);
    expect(nic.irq()).toBe(true);
    nic.out16(R.ISR, R.ISR_TOK);
    expect(nic.in16(R.ISR)).toBe(0);
    expect(nic.irq()).toBe(false);
  });

  it('aborts a descriptor that is empty or over 1792 bytes instead of sending it', async () => {
    const nic = await setup('C');
    start(nic);
    nic.out32(R.TSD0, 0);
    nic.out32(R.TSD0 + 4, 8191);
    expect(nic.net.sent).toHaveLength(0);
    expect(nic.in32(R.TSD0) & R.TSD_TABT).toBe(R.TSD_TABT);
    expect(nic.in32(R.TSD0 + 4) & R.TSD_TABT).toBe(R.TSD_TABT);
    expect(nic.in16(R.ISR) & R.ISR_TER).toBe(R.ISR_TER);
  });

  it('reads a descriptor past the end of RAM as all ones, never outside guest memory', async () => {
    const nic = await setup('C');
    start(nic);
    nic.out32(R.TSAD0, 0xfffffff0);
    nic.out32(R.TSD0, 100);
    expect(nic.net.sent[0].every((b) => b === 0xff)).toBe(true);
  });

  it('receives into the ring with header, FCS and dword alignment, and BUFE follows CAPR', async () => {
    const nic = await setup('C');
    start(nic);
    expect(nic.in8(R.CR) & R.CR_BUFE).toBe(R.CR_BUFE);
    const f = ethernetFrame(QEMU_MAC, 99, 7);
    nic.net.client!.receive(f);
    const ram = nic.memory.ram;
    const header = nic.dma.read32(0x100000);
    expect(header & 0xffff).toBe(R.RX_ROK | R.RX_PAM);
    expect(header >>> 16).toBe(103);
    expect(ram.subarray(0x100004, 0x100004 + 99)).toEqual(f);
    expect(nic.dma.read32(0x100004 + 99)).toBe(crc32(f));
    expect(nic.in16(R.CBR)).toBe(108);
    expect(nic.in8(R.CR) & R.CR_BUFE).toBe(0);
    nic.out16(R.CAPR, 108 - 16);
    expect(nic.in8(R.CR) & R.CR_BUFE).toBe(R.CR_BUFE);
    expect(nic.net.ready).toBeGreaterThan(0);
  });

  it("restarts the ring at offset 0 when the receiver is turned back on, as 8139too's rx_err recovery expects", async () => {
    const nic = await setup('C');
    start(nic);
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 99, 7));
    expect(nic.in16(R.CBR)).toBe(108);
    // rtl8139_rx_err: receiver off, on again, RCR and RBSTART rewritten, cur_rx = 0.
    nic.out8(R.CR, R.CR_TE);
    expect(nic.in16(R.CBR)).toBe(108);
    nic.out8(R.CR, R.CR_RE | R.CR_TE);
    expect(nic.in16(R.CBR)).toBe(0);
    expect(nic.in16(R.CAPR)).toBe(0xfff0);
    expect(nic.in8(R.CR) & R.CR_BUFE).toBe(R.CR_BUFE);
    const f = ethernetFrame(QEMU_MAC, 80, 3);
    nic.net.client!.receive(f);
    expect(nic.dma.read32(0x100000) >>> 16).toBe(84);
    expect(nic.memory.ram.subarray(0x100004, 0x100004 + 80)).toEqual(f);
    // Writing CR with RE already set leaves the ring where it is.
    nic.out8(R.CR, R.CR_RE | R.CR_TE);
    expect(nic.in16(R.CBR)).toBe(88);
  });

  it('pads runt frames from the network to 60 bytes', async () => {
    const nic = await setup('C');
    start(nic);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 42));
    expect(nic.dma.read32(0x100000) >>> 16).toBe(64);
    expect(nic.dma.read32(0x100000) & 0xffff).toBe(R.RX_ROK | R.RX_BAR);
  });

  it('wraps a packet around the ring end with WRAP clear, and runs past it with WRAP set', async () => {
    for (const wrap of [false, true]) {
      const nic = await setup('C');
      const ring = 0x100000;
      start(nic, ring, R.RCR_APM | (wrap ? R.RCR_WRAP : 0));
      // Consume space until the write pointer sits 40 bytes before the 8 KiB ring's end.
      const filler = ethernetFrame(QEMU_MAC, 60);
      let cbr = 0;
      while (cbr < 8192 - 200) {
        nic.net.client!.receive(filler);
        cbr = nic.in16(R.CBR);
        nic.out16(R.CAPR, (cbr - 16) & 0xffff);
      }
      const before = nic.in16(R.CBR);
      const f = ethernetFrame(QEMU_MAC, 300, 9);
      nic.net.client!.receive(f);
      const dataAt = before + 4;
      const got = new Uint8Array(300);
      if (wrap) got.set(nic.memory.ram.subarray(ring + dataAt, ring + dataAt + 300));
      else {
        const head = 8192 - dataAt;
        got.set(nic.memory.ram.subarray(ring + dataAt, ring + 8192));
        got.set(nic.memory.ram.subarray(ring, ring + 300 - head), head);
      }
      expect(got).toEqual(f);
      expect(nic.in16(R.CBR)).toBe((before + 4 + 304) % 8192);
    }
  });

  it('stops at a full ring: counts missed packets, raises RXOVW, and says it cannot receive', async () => {
    const nic = await setup('C');
    start(nic, 0x100000, R.RCR_APM);
    const f = ethernetFrame(QEMU_MAC, 1514);
    let accepted = 0;
    for (let i = 0; i < 10; i++) {
      const before = nic.in16(R.CBR);
      nic.net.client!.receive(f);
      if (nic.in16(R.CBR) !== before) accepted++;
    }
    expect(accepted).toBe(5);
    expect(nic.in32(R.MPC)).toBe(5);
    expect(nic.in16(R.ISR) & R.ISR_RXOVW).toBe(R.ISR_RXOVW);
    expect(nic.nic.canReceive()).toBe(false);
    nic.out32(R.MPC, 0);
    expect(nic.in32(R.MPC)).toBe(0);
  });

  it('flags a frame waiting for a full ring with RXOVW and asks for it again when the driver unmasks', async () => {
    const nic = await setup('C');
    start(nic, 0x100000, R.RCR_APM);
    const f = ethernetFrame(QEMU_MAC, 1514);
    while (nic.nic.canReceive()) nic.net.client!.receive(f);
    // Nothing was lost: the frame that found no room waits in the backend.
    expect(nic.in32(R.MPC)).toBe(0);
    // 8139too's poll stopped at its budget: it acknowledged ROK and RXOVW with
    // frames still in the ring, and nothing else will raise ROK while it is full.
    const rxAckBits = R.ISR_ROK | R.ISR_RXOVW | R.ISR_FOVW;
    nic.out16(R.IMR, 0xe07f & ~rxAckBits);
    nic.out16(R.ISR, 0xffff);
    expect(nic.irq()).toBe(false);
    // What info qtree shows of the stuck state: receive interrupts masked, none pending, the ring not empty.
    expect(nic.nic.status()).toMatch(/^CR=0c IMR=e02e ISR=0000 CBR=/);
    const asked = nic.net.ready;
    nic.out16(R.IMR, 0xe07f);
    expect(nic.net.ready).toBe(asked + 1);
    expect(nic.nic.canReceive()).toBe(false);
    expect(nic.in16(R.ISR) & R.ISR_RXOVW).toBe(R.ISR_RXOVW);
    expect(nic.irq()).toBe(true);
  });

  it('filters by physical address, broadcast, the MAR multicast hash and promiscuous mode', async () => {
    const nic = await setup('C');
    start(nic, 0x100000, R.RCR_APM);
    const count = () => nic.in16(R.CBR);
    const multicast = [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb];
    nic.net.client!.receive(ethernetFrame([0x52, 0x54, 0x00, 0x12, 0x34, 0x57], 60));
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    nic.net.client!.receive(ethernetFrame(multicast, 60));
    expect(count()).toBe(0);
    nic.out32(R.RCR, R.RCR_APM | R.RCR_AB | R.RCR_AM);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    expect(count()).toBe(68);
    nic.net.client!.receive(ethernetFrame(multicast, 60));
    expect(count()).toBe(68);
    const bit = crc32(Uint8Array.from(multicast)) >>> 26;
    nic.out8(R.MAR0 + (bit >> 3), 1 << (bit & 7));
    nic.net.client!.receive(ethernetFrame(multicast, 60));
    expect(count()).toBe(136);
    expect(nic.dma.read32(0x100000 + 68) & 0xffff).toBe(R.RX_ROK | R.RX_MAR);
    nic.out32(R.RCR, R.RCR_AAP);
    nic.net.client!.receive(ethernetFrame([0x02, 0, 0, 0, 0, 1], 60));
    expect(count()).toBe(204);
  });

  it('loops transmitted frames back into the receiver in loopback mode', async () => {
    const nic = await setup('C');
    start(nic);
    nic.out32(R.TCR, 3 << R.TCR_LBK_SHIFT);
    nic.memory.ram.set(ethernetFrame(QEMU_MAC, 80, 3), 0x200000);
    nic.out32(R.TSAD0, 0x200000);
    nic.out32(R.TSD0, 80);
    expect(nic.net.sent).toHaveLength(0);
    expect(nic.in16(R.CBR)).toBe(88);
  });

  it('raises each interrupt cause only where IMR lets it through', async () => {
    const nic = await setup('C');
    start(nic);
    nic.out16(R.IMR, R.ISR_TOK);
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 60));
    expect(nic.in16(R.ISR) & R.ISR_ROK).toBe(R.ISR_ROK);
    expect(nic.irq()).toBe(false);
    nic.out16(R.IMR, R.ISR_ROK);
    expect(nic.irq()).toBe(true);
  });

  it('fires TimerInt when TCTR reaches it, in virtual time', async () => {
    const nic = await setup('C');
    start(nic);
    nic.out32(R.TCTR, 0);
    nic.out32(R.TimerInt, 1000);
    nic.parts.clock.advance(29_000);
    nic.parts.clock.runDue();
    expect(nic.in16(R.ISR) & R.ISR_TIMEOUT).toBe(0);
    expect(nic.in32(R.TCTR)).toBe(966);
    nic.parts.clock.advance(2_000);
    nic.parts.clock.runDue();
    expect(nic.in16(R.ISR) & R.ISR_TIMEOUT).toBe(R.ISR_TIMEOUT);
  });

  it('keeps configuration registers locked unless 9346CR allows config writes', async () => {
    const nic = await setup('C');
    const before = nic.in8(R.CONFIG1);
    nic.out8(R.CONFIG1, 0xff);
    expect(nic.in8(R.CONFIG1)).toBe(before);
    nic.out8(R.CR9346, 0xc0);
    nic.out8(R.CONFIG1, 0x2c);
    expect(nic.in8(R.CONFIG1)).toBe(0x2c);
  });

  it('traces register accesses by datasheet name with decoded bits, only when tapped', async () => {
    const nic = await setup('C');
    const lines: string[] = [];
    nic.nic.registerTrace.tap('test', (e) => lines.push(formatRegisterEvent(e)));
    start(nic);
    nic.out32(R.TSD0, 60);
    expect(lines).toContain('nic W CR <- 0x10 RST');
    expect(lines).toContain('nic W TSD0 <- 0x0000003c size=60');
    expect(lines).toContain('nic W RCR <- 0x0000100a APM AB RBLEN=32K');
  });
});
