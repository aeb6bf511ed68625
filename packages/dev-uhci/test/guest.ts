import { plugPciDevice } from '@plugboard/core/testing';
import { UsbTablet } from '@plugboard/dev-usb-hid';
import { PID_IN, PID_OUT, PID_SETUP } from '@plugboard/usb';
import { uhciPlugin } from '../src/index.js';
import {
  CMD_RS,
  FRBASEADD,
  LINK_DEPTH_FIRST,
  LINK_QH,
  LINK_TERMINATE,
  PORT_PE,
  PORT_PR,
  PORTSC1,
  TD_ACTIVE,
  TD_C_ERR_SHIFT,
  TD_IOC,
  USBCMD,
} from '../src/registers.js';

/** Where the fake guest driver keeps things in its 4 MiB of RAM. */
export const IO_BASE = 0xc000;
export const FRAME_LIST = 0x10000;
export const QH = 0x20000;
export const TDS = 0x21000;
export const BUFFERS = 0x30000;

export const token = (pid: number, address: number, endpoint: number, maxLen: number, toggle = 0) =>
  ((((maxLen - 1) & 0x7ff) << 21) | (toggle << 19) | (endpoint << 15) | (address << 8) | pid) >>> 0;

export interface TdSpec {
  pid: number;
  address: number;
  endpoint: number;
  maxLen: number;
  buffer: number;
  toggle?: number;
  ctrl?: number;
}

/**
 * A UHCI controller with a USB tablet on port 1, in fresh machine parts,
 * and what a driver does with it: the frame list, QHs and TDs in guest
 * RAM, register accesses through the I/O ports.
 */
export async function plugUhci() {
  const plugged = await plugPciDevice(uhciPlugin, {}, { slot: 1, bars: [0, 0, 0, 0, IO_BASE] });
  const { parts, device } = plugged;
  const tablet = new UsbTablet(parts.clock);
  tablet.plugged(device.controller.attach(tablet));
  const { ports, dma, clock } = parts;
  const io = {
    in16: (r: number) => ports.in16(IO_BASE + r),
    out16: (r: number, v: number) => ports.out16(IO_BASE + r, v),
    in32: (r: number) => ports.in32(IO_BASE + r),
    out32: (r: number, v: number) => ports.out32(IO_BASE + r, v),
  };

  /** Writes a TD at `at`; returns its address. */
  const writeTd = (at: number, link: number, t: TdSpec) => {
    dma.write32(at, link);
    dma.write32(at + 4, t.ctrl ?? (TD_ACTIVE | (3 << TD_C_ERR_SHIFT)) >>> 0);
    dma.write32(at + 8, token(t.pid, t.address, t.endpoint, t.maxLen, t.toggle ?? 0));
    dma.write32(at + 12, t.buffer);
    return at;
  };

  /** A chain of TDs at TDS, depth first, the last with IOC; QH's element points at the first. */
  const queue = (tds: TdSpec[]) => {
    tds.forEach((t, i) => {
      const last = i === tds.length - 1;
      const link = last ? LINK_TERMINATE : (TDS + (i + 1) * 0x20) | LINK_DEPTH_FIRST;
      writeTd(
        TDS + i * 0x20,
        link,
        last ? { ...t, ctrl: (t.ctrl ?? TD_ACTIVE | (3 << TD_C_ERR_SHIFT)) | TD_IOC } : t,
      );
    });
    dma.write32(QH, LINK_TERMINATE);
    dma.write32(QH + 4, TDS);
  };

  /** Every frame list entry points at QH; the controller runs. */
  const start = () => {
    for (let i = 0; i < 1024; i++) dma.write32(FRAME_LIST + i * 4, QH | LINK_QH);
    io.out32(FRBASEADD, FRAME_LIST);
    io.out16(USBCMD, CMD_RS);
  };

  /** Runs `n` frame timer ticks (or, once the controller has stopped, milliseconds) of virtual time. */
  const frames = (n: number) => {
    for (let i = 0; i < n; i++) {
      clock.advanceTo(Math.min(clock.nextDeadline, clock.now + 1_000_000));
      clock.runDue();
    }
  };

  /** Resets and enables port 1, as Linux does after it sees the connect. */
  const enablePort = () => {
    io.out16(PORTSC1, PORT_PR);
    io.out16(PORTSC1, 0);
    io.out16(PORTSC1, PORT_PE);
  };

  /** A control transfer: SETUP, IN data stage in 8-byte packets (or OUT status only), status. Returns the data. */
  const control = (address: number, setup: number[], inLength = 0) => {
    const tds: TdSpec[] = [{ pid: PID_SETUP, address, endpoint: 0, maxLen: 8, buffer: BUFFERS }];
    dma.write(BUFFERS, Uint8Array.from(setup));
    let toggle = 1;
    for (let off = 0; off < inLength; off += 8, toggle ^= 1)
      tds.push({
        pid: PID_IN,
        address,
        endpoint: 0,
        maxLen: Math.min(8, inLength - off),
        buffer: BUFFERS + 0x100 + off,
        toggle,
      });
    tds.push({ pid: inLength ? PID_OUT : PID_IN, address, endpoint: 0, maxLen: 0, buffer: 0, toggle: 1 });
    queue(tds);
    frames(2);
    const out = new Uint8Array(inLength);
    dma.read(BUFFERS + 0x100, out);
    return out;
  };

  const tdCtrl = (i: number) => dma.read32(TDS + i * 0x20 + 4);

  return { ...plugged, tablet, io, dma, clock, writeTd, queue, start, frames, enablePort, control, tdCtrl };
}
