import { BROADCAST, ethernetFrame } from '@plugboard/core/testing';
import { MIN_LARGE_SEND_MSS, registers as R, TX_FRAMES_PER_STEP } from '@plugboard/dev-rtl8139';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

const TX_RING = 0x10000;
const BUF = 0x100000;
const SECRET = 0xa5;

/** cp_init_hw's transmit half: C+ transmit on, the normal-priority ring at TX_RING. */
async function cplus(): Promise<Nic> {
  const nic = await setup('C+');
  nic.out8(R.CR, R.CR_RST);
  nic.out16(R.CPCR, R.CPCR_CPTxE);
  nic.out32(R.TNPDS, TX_RING);
  nic.out32(R.TNPDS + 4, 0);
  nic.out8(R.CR, R.CR_TE);
  return nic;
}

/** Descriptor `i` of the ring: one whole frame of `length` bytes at `buf`. */
function describeFrame(nic: Nic, i: number, buf: number, length: number, flags: number, eor = false): void {
  const d = TX_RING + i * 16;
  nic.dma.write32(d + 4, 0);
  nic.dma.write32(d + 8, buf);
  nic.dma.write32(d + 12, 0);
  nic.dma.write32(d, R.DESC_OWN | R.DESC_FS | R.DESC_LS | (eor ? R.DESC_EOR : 0) | flags | length);
}

/** A TCP/IPv4 frame of `payload` bytes of 0x11 (never the secret), headers as given. */
function tcpFrame(
  payload: number,
  o: { ihl?: number; total?: number; dataOffset?: number } = {},
): Uint8Array {
  const f = ethernetFrame(BROADCAST, 14 + 20 + 20 + payload, 1);
  f.fill(0x11, 54);
  f.set([0x40 | (o.ihl ?? 5), 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2], 14);
  const total = o.total ?? 40 + payload;
  f[16] = (total >> 8) & 0xff;
  f[17] = total & 0xff;
  f.set(
    [0x04, 0, 0, 0x50, 0, 0, 0x10, 0, 0, 0, 0, 0, (o.dataOffset ?? 5) << 4, 0x10, 0xff, 0xff, 0, 0, 0, 0],
    34,
  );
  return f;
}

function send(nic: Nic, frame: Uint8Array, flags: number): Uint8Array[] {
  nic.memory.ram.set(frame, BUF);
  nic.net.sent = [];
  describeFrame(nic, 0, BUF, frame.length, flags, true);
  nic.out8(R.TPPoll, R.TPPoll_NPQ);
  return nic.net.sent;
}

describe('RTL8139C+ against a hostile driver', () => {
  it('CVE-2015-5165: offloads with a bad IHL, IP total length or TCP data offset put no byte from outside the frame on the wire', async () => {
    const nic = await cplus();
    // A large frame first leaves the chip's transmit buffer full of bytes the next frame must never show.
    const secret = ethernetFrame(BROADCAST, 60000, 1).fill(SECRET, 14);
    expect(send(nic, secret, 0)).toHaveLength(1);
    // Guest RAM right after the next frame holds them too.
    nic.memory.ram.fill(SECRET, BUF, BUF + 0x10000);
    const cases = [
      { total: 0xffff },
      { total: 19 },
      { total: 8 },
      { ihl: 15 },
      { ihl: 15, total: 60 },
      { ihl: 2 },
      { dataOffset: 15 },
      { dataOffset: 15, total: 60 },
      { dataOffset: 1 },
    ];
    const offloads = [
      R.TXD_LGSEN | (100 << R.TXD_MSS_SHIFT),
      R.TXD_IPCS | R.TXD_TCPCS,
      R.TXD_IPCS | R.TXD_UDPCS,
    ];
    for (const c of cases) {
      for (const flags of offloads) {
        const frame = tcpFrame(200, c);
        nic.memory.ram.fill(SECRET, BUF, BUF + 0x10000);
        const sent = send(nic, frame, flags);
        expect(sent.length, JSON.stringify(c)).toBeGreaterThan(0);
        for (const s of sent) {
          expect(s.length, JSON.stringify(c)).toBeLessThanOrEqual(frame.length);
          // Every payload byte came from the frame; checksums and lengths are rewritten, the rest is the frame's.
          const leaked = s.subarray(54).indexOf(SECRET);
          expect(leaked, `${JSON.stringify(c)} flags ${flags.toString(16)}`).toBe(-1);
        }
      }
    }
  });

  it('large send with MSS 1 on a 64 KiB frame (65,535 bytes): one doorbell puts a bounded number of frames on the wire', async () => {
    const nic = await cplus();
    const frame = tcpFrame(65535 - 54);
    const sent = send(nic, frame, R.TXD_LGSEN | (1 << R.TXD_MSS_SHIFT));
    // QEMU would send 65,481 one-byte segments here; the floor makes it ceil(65482 / 88).
    expect(sent).toHaveLength(Math.ceil((65535 - 54) / MIN_LARGE_SEND_MSS));
    expect(sent[0].length).toBe(54 + MIN_LARGE_SEND_MSS);
    const payload = sent.reduce((n, s) => n + s.length - 54, 0);
    expect(payload).toBe(65535 - 54);
  });

  it('a full ring of 64 KiB large sends goes out in bounded steps at wire speed, every descriptor handed back', async () => {
    const nic = await cplus();
    const frame = tcpFrame(65535 - 54);
    nic.memory.ram.set(frame, BUF);
    const RING = 64;
    for (let i = 0; i < RING; i++)
      describeFrame(nic, i, BUF, frame.length, R.TXD_LGSEN | (1460 << R.TXD_MSS_SHIFT), i === RING - 1);
    nic.net.sent = [];
    const perFrame = Math.ceil((65535 - 54) / 1460);
    nic.out8(R.TPPoll, R.TPPoll_NPQ);
    // The step ends at the first frame boundary past TX_FRAMES_PER_STEP wire frames.
    const step = Math.ceil(TX_FRAMES_PER_STEP / perFrame) * perFrame;
    expect(nic.net.sent).toHaveLength(step);
    // A guest hammering the doorbell meanwhile does not speed the ring up.
    for (let i = 0; i < 1000; i++) nic.out8(R.TPPoll, R.TPPoll_NPQ);
    expect(nic.net.sent).toHaveLength(step);
    const clock = nic.parts.clock;
    let steps = 1;
    while (nic.net.sent.length < RING * perFrame && steps < 1000) {
      const before = nic.net.sent.length;
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
      expect(nic.net.sent.length - before).toBeLessThanOrEqual(TX_FRAMES_PER_STEP + perFrame);
      steps++;
    }
    expect(nic.net.sent).toHaveLength(RING * perFrame);
    for (let i = 0; i < RING; i++) expect(nic.dma.read32(TX_RING + i * 16) & R.DESC_OWN).toBe(0);
    // 64 frames of 64 KiB at 100 Mbit/s: about 0.34 s of virtual time.
    expect(clock.now).toBeGreaterThan(0.3e9);
  });
});
