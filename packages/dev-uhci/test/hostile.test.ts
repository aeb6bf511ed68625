import { Dma } from '@plugboard/core';
import { seededRandom } from '@plugboard/core/testing';
import { PID_OUT, PID_SETUP } from '@plugboard/usb';
import { describe, expect, it } from 'vitest';
import {
  FRBASEADD,
  LINK_QH,
  LINK_TERMINATE,
  STS_HC_PROCESS_ERROR,
  STS_HCHALTED,
  STS_HOST_SYSTEM_ERROR,
  TD_ACTIVE,
  USBCMD,
  USBSTS,
} from '../src/registers.js';
import { FRAME_BANDWIDTH, FRAME_MAX_LINKS, Schedule } from '../src/schedule.js';
import { BUFFERS, plugUhci, QH, TDS } from './guest.js';

/** Counts what the walk reads, and gives up long after any bounded walk would have stopped. */
class CountingDma extends Dma {
  reads = 0;
  override read32(addr: number): number {
    if (++this.reads > 100_000) throw new Error('the walk does not stop');
    return super.read32(addr);
  }
}

async function walker() {
  const { parts } = await plugUhci();
  const dma = new CountingDma(parts.memory);
  const schedule = new Schedule({ dma, device: () => null });
  return { dma, schedule };
}

const ENTRY = 0x10000;

describe('PIIX3 UHCI: a hostile schedule', () => {
  it('ends a frame whose TDs link round in a ring (no QH to notice it) after FRAME_MAX_LINKS links', async () => {
    const { dma, schedule } = await walker();
    dma.write32(ENTRY, TDS);
    // Two inactive TDs pointing at each other.
    dma.write32(TDS, TDS + 0x20);
    dma.write32(TDS + 4, 0);
    dma.write32(TDS + 0x20, TDS);
    dma.write32(TDS + 0x24, 0);
    schedule.run(ENTRY);
    // Four dwords per TD and the frame list entry.
    expect(dma.reads).toBe(1 + FRAME_MAX_LINKS * 4);
  });

  it('ends a frame at once when its QHs go round a ring and nothing moved on the way', async () => {
    const { dma, schedule } = await walker();
    dma.write32(ENTRY, QH | LINK_QH);
    dma.write32(QH, (QH + 0x10) | LINK_QH);
    dma.write32(QH + 4, LINK_TERMINATE);
    dma.write32(QH + 0x10, QH | LINK_QH);
    dma.write32(QH + 0x14, LINK_TERMINATE);
    schedule.run(ENTRY);
    expect(dma.reads).toBe(1 + 2 * 2);
  });

  it('ends a frame whose QH element is the QH itself', async () => {
    const { dma, schedule } = await walker();
    dma.write32(ENTRY, QH | LINK_QH);
    dma.write32(QH, LINK_TERMINATE);
    dma.write32(QH + 4, QH | LINK_QH);
    schedule.run(ENTRY);
    expect(dma.reads).toBe(1 + 2);
  });

  it('moves at most a frame of bytes (1280, the TD that crosses it included) per frame', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    // SET_REPORT with a long data stage: the tablet takes the OUT packets (and stalls at the status stage).
    m.dma.write(BUFFERS, Uint8Array.of(0x21, 0x09, 0, 0, 0, 0, 0xff, 0xff));
    const out = { pid: PID_OUT, address: 0, endpoint: 0, maxLen: 1023, buffer: BUFFERS + 0x100 };
    m.queue([{ pid: PID_SETUP, address: 0, endpoint: 0, maxLen: 8, buffer: BUFFERS }, out, out, out]);
    m.frames(1);
    expect([0, 1, 2, 3].map((i) => m.tdCtrl(i) & TD_ACTIVE)).toEqual([0, 0, 0, TD_ACTIVE]);
    expect(8 + 1023 < FRAME_BANDWIDTH).toBe(true);
    m.frames(1);
    expect(m.tdCtrl(3) & TD_ACTIVE).toBe(0);
  });

  it('halts with a host system error when the frame list lies outside RAM, and interrupts', async () => {
    const m = await plugUhci();
    m.start();
    m.io.out32(FRBASEADD, 0xfffff000);
    m.frames(2);
    expect(m.io.in16(USBSTS) & (STS_HOST_SYSTEM_ERROR | STS_HCHALTED)).toBe(
      STS_HOST_SYSTEM_ERROR | STS_HCHALTED,
    );
    expect(m.io.in16(USBCMD) & 1).toBe(0);
    expect(m.irq()).toBe(true);
  });

  it('halts with a host system error when a TD buffer lies outside RAM, and writes nothing', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    m.dma.write(BUFFERS, Uint8Array.of(0x80, 6, 0, 1, 0, 0, 18, 0));
    m.queue([
      { pid: PID_SETUP, address: 0, endpoint: 0, maxLen: 8, buffer: BUFFERS },
      { pid: 0x69, address: 0, endpoint: 0, maxLen: 8, buffer: 0xfffffffc },
    ]);
    m.frames(2);
    expect(m.io.in16(USBSTS) & STS_HOST_SYSTEM_ERROR).toBe(STS_HOST_SYSTEM_ERROR);
    expect(m.tdCtrl(1) & TD_ACTIVE).toBe(TD_ACTIVE);
  });

  it('halts with a process error on a PID that is not SETUP, IN or OUT', async () => {
    const m = await plugUhci();
    m.start();
    m.queue([{ pid: 0xa5, address: 0, endpoint: 0, maxLen: 8, buffer: BUFFERS }]);
    m.frames(2);
    expect(m.io.in16(USBSTS) & (STS_HC_PROCESS_ERROR | STS_HCHALTED)).toBe(
      STS_HC_PROCESS_ERROR | STS_HCHALTED,
    );
  });

  it('reads at most 0x7FF bytes for the longest MaxLen, and none for MaxLen 0x7FF (a null packet)', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    m.dma.write(BUFFERS, Uint8Array.of(0x21, 0x09, 0, 0, 0, 0, 0xff, 0xff));
    const longest = { pid: PID_OUT, address: 0, endpoint: 0, maxLen: 0x7ff, buffer: 0x3ff800 };
    m.queue([{ pid: PID_SETUP, address: 0, endpoint: 0, maxLen: 8, buffer: BUFFERS }, longest]);
    m.frames(1);
    // 0x7FF bytes from 4 MiB - 2 KiB stay inside RAM; ActLen says 0x7FF bytes (n-1 = 0x7FE).
    expect(m.tdCtrl(1) & (TD_ACTIVE | 0x7ff)).toBe(0x7fe);
    expect(m.io.in16(USBSTS) & STS_HOST_SYSTEM_ERROR).toBe(0);
  });

  it('survives random schedules and register writes: every walk bounded, nothing thrown', async () => {
    const m = await plugUhci();
    const random = seededRandom(0x5eed);
    // A schedule area of random QHs and TDs: links that rarely terminate, valid PIDs, buffers in RAM.
    const pids = [0x2d, 0x69, 0xe1];
    for (let a = 0x10000; a < 0x22000; a += 4) {
      const r = random();
      const pointer = (0x10000 + (r % 0x12000)) & ~0xf;
      const word = [
        pointer | (r & 6) | (r % 64 === 0 ? 1 : 0),
        r & 1 ? pointer | (r & 2) : (r | TD_ACTIVE) >>> 0,
        ((r & ~0xff) | pids[r % 3]) >>> 0,
        r % 0x3ff000,
      ][(a >> 2) & 3];
      m.dma.write32(a, word);
    }
    m.enablePort();
    m.start();
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) m.io.out16(0x10 + 2 * (random() % 8), random() & 0xffff);
      if (i % 25 === 0) m.io.out16(USBCMD, 1 | (random() & 0xc0));
      m.frames(1);
    }
    // The same random memory walked frame by frame, counting reads: each walk stays within its bound.
    const dma = new CountingDma(m.parts.memory);
    const schedule = new Schedule({ dma, device: () => null });
    let most = 0;
    for (let f = 0; f < 1024; f++) {
      dma.reads = 0;
      schedule.run(0x10000 + f * 4);
      expect(dma.reads).toBeLessThanOrEqual(1 + FRAME_MAX_LINKS * 4);
      most = Math.max(most, dma.reads);
    }
    // The random schedules go several QHs and TDs deep before a ring or a terminate ends them.
    expect(most).toBeGreaterThan(12);
  });
});
