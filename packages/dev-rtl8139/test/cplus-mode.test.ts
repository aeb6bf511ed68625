import { BROADCAST, ethernetFrame, QEMU_MAC } from '@plugboard/core/testing';
import { registers as R, TX_FRAMES_PER_STEP } from '@plugboard/dev-rtl8139';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

const TX_RING = 0x10000;
const RX_RING = 0x11000;
const TX_BUFS = 0x20000;
const RX_BUFS = 0x80000;
const RX_COUNT = 8;

/** cp_init_hw + cp_start_hw from Linux's 8139cp, with an 8-entry receive ring of 1536-byte buffers. */
function start(nic: Nic, cpcr = R.CPCR_CPTxE | R.CPCR_CPRxE | R.CPCR_MulRW | R.CPCR_RxChkSum) {
  nic.out8(R.CR, R.CR_RST);
  nic.out8(R.CR9346, 0xc0);
  nic.out16(R.CPCR, cpcr);
  nic.out32(R.THPDS, 0);
  nic.out32(R.THPDS + 4, 0);
  nic.out32(R.RDSAR, RX_RING);
  nic.out32(R.RDSAR + 4, 0);
  nic.out32(R.TNPDS, TX_RING);
  nic.out32(R.TNPDS + 4, 0);
  nic.out8(R.CR, R.CR_RE | R.CR_TE);
  nic.out32(R.RCR, R.RCR_APM | R.RCR_AB);
  nic.out8(R.CR9346, 0);
  nic.out16(R.IMR, 0x00ff);
  for (let i = 0; i < RX_COUNT; i++) refill(nic, i);
}

function refill(nic: Nic, i: number) {
  const d = RX_RING + i * 16;
  nic.dma.write32(d + 4, 0);
  nic.dma.write32(d + 8, RX_BUFS + i * 0x800);
  nic.dma.write32(d + 12, 0);
  nic.dma.write32(d, R.DESC_OWN | (i === RX_COUNT - 1 ? R.DESC_EOR : 0) | 1536);
}

let txIndex = 0;
/** Queues one buffer as a transmit descriptor, as cp_start_xmit does. */
function queue(nic: Nic, data: Uint8Array, flags: number, opts2 = 0, eor = false) {
  const d = TX_RING + txIndex * 16;
  const buf = TX_BUFS + txIndex * 0x10000;
  nic.memory.ram.set(data, buf);
  nic.dma.write32(d + 4, opts2);
  nic.dma.write32(d + 8, buf);
  nic.dma.write32(d + 12, 0);
  nic.dma.write32(d, R.DESC_OWN | (eor ? R.DESC_EOR : 0) | flags | data.length);
  txIndex = eor ? 0 : txIndex + 1;
}

/** A TCP/IPv4 frame with `payload` bytes, headers' checksums zero. */
function tcpFrame(payload: number): Uint8Array {
  const f = ethernetFrame(BROADCAST, 14 + 20 + 20 + payload, 1);
  f.set([0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2], 14);
  const total = 40 + payload;
  f[16] = total >> 8;
  f[17] = total & 0xff;
  f.set([0x04, 0x00, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0], 34);
  return f;
}

function checksum(buf: Uint8Array, start: number, end: number, acc = 0): number {
  for (let i = start; i < end; i += 2) acc += (buf[i] << 8) | (i + 1 < end ? buf[i + 1] : 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}

function tcpOk(f: Uint8Array): boolean {
  const ipEnd = 14 + 20;
  const total = (f[16] << 8) | f[17];
  const pseudo = checksum(f, 26, 34) + 6 + (total - 20);
  return checksum(f, 14, ipEnd) === 0xffff && checksum(f, ipEnd, 14 + total, pseudo) === 0xffff;
}

describe('RTL8139C+ as 8139cp drives it', () => {
  it('sends a frame gathered from several descriptors and hands each descriptor back', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    const f = ethernetFrame(BROADCAST, 1000, 5);
    queue(nic, f.subarray(0, 14), R.DESC_FS);
    queue(nic, f.subarray(14, 500), 0);
    queue(nic, f.subarray(500), R.DESC_LS);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(nic.net.sent).toEqual([f]);
    for (let i = 0; i < 3; i++) expect(nic.dma.read32(TX_RING + i * 16) & R.DESC_OWN).toBe(0);
    expect(nic.in16(R.ISR) & R.ISR_TOK).toBe(R.ISR_TOK);
    expect(nic.irq()).toBe(true);
  });

  it('fills IP and TCP checksums on request, and cuts large sends into MSS segments', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    queue(nic, tcpFrame(100), R.DESC_FS | R.DESC_LS | R.TXD_IPCS | R.TXD_TCPCS);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(tcpOk(nic.net.sent[0])).toBe(true);
    nic.net.sent = [];
    const big = tcpFrame(3000);
    big[47] = 0x19; // PSH | FIN | ACK
    queue(nic, big, R.DESC_FS | R.DESC_LS | R.TXD_LGSEN | (1460 << R.TXD_MSS_SHIFT));
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(nic.net.sent.map((s) => s.length)).toEqual([54 + 1460, 54 + 1460, 54 + 80]);
    const seqs = nic.net.sent.map((s) => (s[38] << 24) | (s[39] << 16) | (s[40] << 8) | s[41]);
    expect(seqs).toEqual([0x1000, 0x1000 + 1460, 0x1000 + 2920]);
    expect(nic.net.sent.map((s) => s[47])).toEqual([0x10, 0x10, 0x19]);
    expect(nic.net.sent.every(tcpOk)).toBe(true);
    expect(nic.net.sent.map((s) => (s[18] << 8) | s[19])).toEqual([0x1234, 0x1235, 0x1236]);
  });

  it('inserts the VLAN tag from the descriptor', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    queue(nic, ethernetFrame(BROADCAST, 60), R.DESC_FS | R.DESC_LS, R.TXD_TAGC | 0x6400); // VID 100, byte-swapped
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    const s = nic.net.sent[0];
    expect(s.length).toBe(64);
    expect([...s.subarray(12, 16)]).toEqual([0x81, 0x00, 0x00, 0x64]);
  });

  it('receives into descriptors: length with FCS, FS/LS, checksum verdict, ring wrap at EOR', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    const good = tcpFrame(200);
    good.set(QEMU_MAC, 0);
    // Fill in correct checksums by looping the frame through the transmit offload.
    nic.out32(R.TCR, 3 << R.TCR_LBK_SHIFT);
    queue(nic, good, R.DESC_FS | R.DESC_LS | R.TXD_IPCS | R.TXD_TCPCS);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    const status = nic.dma.read32(RX_RING);
    expect(status & R.DESC_OWN).toBe(0);
    expect(status & (R.DESC_FS | R.DESC_LS)).toBe(R.DESC_FS | R.DESC_LS);
    expect(status & R.RXD_LENGTH).toBe(good.length + 4);
    expect((status >> R.RXD_PID_SHIFT) & 3).toBe(R.RXD_PID_TCP);
    expect(status & (R.RXD_TCPF | R.RXD_IPF)).toBe(0);
    const bad = tcpFrame(200);
    bad.set(QEMU_MAC, 0);
    nic.net.client!.receive(bad);
    expect(nic.dma.read32(RX_RING + 16) & R.RXD_TCPF).toBe(R.RXD_TCPF);
    for (let i = 2; i < RX_COUNT + 1; i++) nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    // Eight descriptors, the last with EOR: the ninth frame found descriptor 0 still the driver's.
    expect(nic.in16(R.ISR) & R.ISR_RDU).toBe(R.ISR_RDU);
    expect(nic.nic.canReceive()).toBe(false);
    refill(nic, 0);
    expect(nic.nic.canReceive()).toBe(true);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    expect(nic.dma.read32(RX_RING) & R.DESC_OWN).toBe(0);
  });

  it('strips a VLAN tag into the descriptor when asked', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic, R.CPCR_CPTxE | R.CPCR_CPRxE | R.CPCR_RxVLAN);
    const f = ethernetFrame(BROADCAST, 64);
    f.set([0x81, 0x00, 0x00, 0x64, 0x08, 0x00], 12);
    nic.net.client!.receive(f);
    expect(nic.dma.read32(RX_RING + 4)).toBe(R.RXD_TAVA | 0x6400);
    expect(nic.dma.read32(RX_RING) & R.RXD_LENGTH).toBe(64);
  });

  it('drops a frame larger than its descriptor buffer and flags the overflow', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    nic.dma.write32(RX_RING, R.DESC_OWN | 100);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 200));
    expect(nic.dma.read32(RX_RING) & R.DESC_OWN).toBe(R.DESC_OWN);
    expect(nic.in16(R.ISR) & R.ISR_RXOVW).toBe(R.ISR_RXOVW);
  });

  it('dumps the tally counters to memory through DTCCR', async () => {
    const nic = await setup('C+');
    txIndex = 0;
    start(nic);
    queue(nic, ethernetFrame(BROADCAST, 60), R.DESC_FS | R.DESC_LS);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 60));
    nic.out32(R.DTCCR + 4, 0);
    nic.out32(R.DTCCR, 0x30000 | R.DTCCR_CMD);
    expect(nic.in32(R.DTCCR) & R.DTCCR_CMD).toBe(0);
    expect(nic.dma.read32(0x30000)).toBe(1); // TxOk
    expect(nic.dma.read32(0x30008)).toBe(1); // RxOk
    expect(nic.dma.read32(0x30024)).toBe(1); // RxOkPhy
  });

  it('survives hostile rings: no EOR anywhere, rings and buffers outside RAM, endless chains', async () => {
    const nic = await setup('C+');
    start(nic);
    // Every descriptor of a ring with no EOR, owned by the chip, pointing at one buffer: bounded at 1024,
    // sent in steps of TX_FRAMES_PER_STEP frames at wire speed.
    for (let i = 0; i < 1100; i++) {
      nic.dma.write32(TX_RING + i * 16, R.DESC_OWN | R.DESC_FS | R.DESC_LS | 60);
      nic.dma.write32(TX_RING + i * 16 + 8, TX_BUFS);
    }
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(nic.net.sent.length).toBe(TX_FRAMES_PER_STEP);
    const clock = nic.parts.clock;
    for (let step = 0; step < 100 && clock.nextDeadline < Number.POSITIVE_INFINITY; step++) {
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
    }
    expect(nic.net.sent.length).toBe(1024);
    // A fragment chain that never ends and overflows the 64 KiB frame limit is an error, not a hang.
    nic.net.sent = [];
    for (let i = 0; i < 1100; i++) nic.dma.write32(TX_RING + i * 16, R.DESC_OWN | 0xffff);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(nic.net.sent).toHaveLength(0);
    // Rings beyond 4 GiB or past RAM.
    nic.out32(R.TNPDS, 0xfffff000);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    nic.out32(R.TNPDS + 4, 1);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    nic.out32(R.RDSAR, 0xffffff00);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    nic.out32(R.RDSAR, RX_RING);
    nic.dma.write32(RX_RING + 8, 0x7ffffff0);
    nic.dma.write32(RX_RING, R.DESC_OWN | 1536);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    expect(nic.net.sent).toHaveLength(0);
  });

  it("has no RTL8169 Rx maximum size register, so iPXE's realtek driver sees an RTL8139C+", async () => {
    const nic = await setup('C+');
    nic.out16(R.RxMaxSize, 0x05f6);
    expect(nic.in16(R.RxMaxSize)).toBe(0);
    nic.out16(R.CPCR, R.CPCR_CPTxE | R.CPCR_CPRxE | R.CPCR_MulRW);
    expect(nic.in16(R.CPCR)).toBe(R.CPCR_CPTxE | R.CPCR_CPRxE | R.CPCR_MulRW);
  });

  it('refuses C+ commands on an RTL8139C', async () => {
    const nic = await setup('C');
    nic.out16(R.CPCR, R.CPCR_CPTxE | R.CPCR_CPRxE);
    expect(nic.in16(R.CPCR)).toBe(0);
  });
});
