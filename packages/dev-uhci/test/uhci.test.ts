import {
  TABLET_CONFIGURATION,
  TABLET_DEVICE_DESCRIPTOR,
  TABLET_REPORT_DESCRIPTOR,
} from '@plugboard/dev-usb-hid';
import { PID_IN, PID_OUT } from '@plugboard/usb';
import { describe, expect, it } from 'vitest';
import {
  CMD_HCRESET,
  CMD_RS,
  FRNUM,
  INTR_IOC,
  INTR_TIMEOUT_CRC,
  LEGSUP,
  PORT_ALWAYS1,
  PORT_CCS,
  PORT_CSC,
  PORT_PE,
  PORT_PR,
  PORTSC1,
  PORTSC2,
  SOFMOD,
  STS_HCHALTED,
  STS_USBERRINT,
  STS_USBINT,
  TD_ACTIVE,
  TD_CRC_TIMEOUT,
  TD_NAK,
  TD_STALLED,
  USBCMD,
  USBINTR,
  USBSTS,
} from '../src/registers.js';
import { BUFFERS, plugUhci } from './guest.js';

const GET_DESCRIPTOR = (type: number, length: number, index = 0, requestType = 0x80) => [
  requestType,
  6,
  index,
  type,
  0,
  0,
  length & 0xff,
  length >> 8,
];

describe('PIIX3 UHCI: PCI function', () => {
  it('is 8086:7020, class 0c0300, INTD, with BAR4 and LEGSUP as the PIIX3 has them', async () => {
    const { fn } = await plugUhci();
    expect(fn.readConfig(0, 4)).toBe(0x70208086);
    expect(fn.readConfig(0x08, 4) >>> 8).toBe(0x0c0300);
    expect(fn.readConfig(0x3d, 1)).toBe(4);
    expect(fn.readConfig(0x60, 1)).toBe(0x10);
    expect(fn.readConfig(LEGSUP, 2)).toBe(0x2000);
    // The SMI status bits clear on a one, PIRQ enable is read/write; bits 12 and 14 are read-only.
    fn.writeConfig(LEGSUP, 2, 0xdfff);
    expect(fn.readConfig(LEGSUP, 2)).toBe(0x00bf);
    fn.writeConfig(0x20, 4, 0xffffffff);
    expect(fn.readConfig(0x20, 4)).toBe(0xffffffe1); // 32 bytes of I/O
  });
});

describe('PIIX3 UHCI: registers', () => {
  it('comes out of reset halted with a device connected on port 1 and nothing on port 2', async () => {
    const { io } = await plugUhci();
    expect(io.in16(USBCMD)).toBe(0);
    expect(io.in16(USBSTS)).toBe(STS_HCHALTED);
    expect(io.in16(SOFMOD) & 0xff).toBe(0x40);
    expect(io.in16(PORTSC1)).toBe(PORT_ALWAYS1 | PORT_CCS | PORT_CSC);
    expect(io.in16(PORTSC2)).toBe(PORT_ALWAYS1);
    // Past the two ports bit 7 reads clear, so drivers counting ports stop at two.
    expect(io.in16(PORTSC2 + 2) & PORT_ALWAYS1).toBe(0);
  });

  it('clears connect change on a one, enables only a connected port, and disables it during reset', async () => {
    const { io } = await plugUhci();
    io.out16(PORTSC1, PORT_CSC);
    expect(io.in16(PORTSC1)).toBe(PORT_ALWAYS1 | PORT_CCS);
    io.out16(PORTSC2, PORT_PE);
    expect(io.in16(PORTSC2) & PORT_PE).toBe(0);
    io.out16(PORTSC1, PORT_PE);
    expect(io.in16(PORTSC1) & PORT_PE).toBe(PORT_PE);
    io.out16(PORTSC1, PORT_PE | PORT_PR);
    expect(io.in16(PORTSC1) & (PORT_PE | PORT_PR)).toBe(PORT_PR);
  });

  it('counts frames every millisecond of virtual time while running, and takes FRNUM only when halted', async () => {
    const { io, start, frames, clock } = await plugUhci();
    start();
    const t0 = clock.now;
    frames(11);
    expect(io.in16(FRNUM)).toBe(10); // the 11th frame is in progress
    expect(clock.now - t0).toBe(10_000_000);
    io.out16(FRNUM, 0x123);
    expect(io.in16(FRNUM)).toBe(10);
    io.out16(USBCMD, 0);
    expect(io.in16(USBSTS) & STS_HCHALTED).toBe(STS_HCHALTED);
    expect(io.in16(FRNUM)).toBe(11);
    io.out16(FRNUM, 0x123);
    expect(io.in16(FRNUM)).toBe(0x123);
    io.out16(USBCMD, CMD_HCRESET);
    expect(io.in16(FRNUM)).toBe(0);
    expect(io.in16(USBCMD)).toBe(0);
  });
});

describe('PIIX3 UHCI: enumerating the USB tablet', () => {
  it('reads the device descriptor, sets the address and configuration, and gets a report after the pointer moves', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    expect(m.control(0, GET_DESCRIPTOR(1, 18), 18)).toEqual(TABLET_DEVICE_DESCRIPTOR);
    // SET_ADDRESS 5: the device answers at 5 from the status stage on.
    m.control(0, [0x00, 5, 5, 0, 0, 0, 0, 0]);
    expect(m.tdCtrl(1) & TD_ACTIVE).toBe(0);
    expect(m.tablet.address).toBe(5);
    const config = m.control(5, GET_DESCRIPTOR(2, TABLET_CONFIGURATION.length), TABLET_CONFIGURATION.length);
    expect(config).toEqual(TABLET_CONFIGURATION);
    expect(m.control(5, GET_DESCRIPTOR(0x22, 74, 0, 0x81), 74)).toEqual(TABLET_REPORT_DESCRIPTOR);
    m.control(5, [0x00, 9, 1, 0, 0, 0, 0, 0]); // SET_CONFIGURATION 1
    m.control(5, [0x21, 0x0a, 0, 0, 0, 0, 0, 0]); // SET_IDLE 0
    expect(m.tablet.state.control.configuration).toBe(1);

    // The interrupt endpoint NAKs while nothing changed: the TD stays active with NAK set.
    m.queue([{ pid: PID_IN, address: 5, endpoint: 1, maxLen: 8, buffer: BUFFERS + 0x200 }]);
    m.frames(3);
    expect(m.tdCtrl(0) & (TD_ACTIVE | TD_NAK)).toBe(TD_ACTIVE | TD_NAK);
    m.io.out16(USBSTS, 0xffff);
    m.io.out16(USBINTR, INTR_IOC);
    m.tablet.pointer(0x1234, 0x7fff, 0, 1);
    m.frames(2);
    expect(m.tdCtrl(0) & (TD_ACTIVE | TD_NAK | 0x7ff)).toBe(5); // ActLen n-1: six bytes
    const report = new Uint8Array(6);
    m.dma.read(BUFFERS + 0x200, report);
    expect([...report]).toEqual([1, 0x34, 0x12, 0xff, 0x7f, 0]);
    expect(m.io.in16(USBSTS) & STS_USBINT).toBe(STS_USBINT);
    expect(m.irq()).toBe(true);
    m.io.out16(USBSTS, STS_USBINT);
    expect(m.irq()).toBe(false);
  });

  it('times out a TD to an address nobody has, retiring it with an error when C_ERR runs out', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.io.out16(USBINTR, INTR_TIMEOUT_CRC);
    m.start();
    m.queue([{ pid: PID_IN, address: 9, endpoint: 0, maxLen: 8, buffer: BUFFERS }]);
    m.frames(1);
    expect(m.tdCtrl(0) & (TD_ACTIVE | TD_CRC_TIMEOUT)).toBe(TD_ACTIVE | TD_CRC_TIMEOUT);
    expect((m.tdCtrl(0) >>> 27) & 3).toBe(2);
    expect(m.io.in16(USBSTS) & STS_USBERRINT).toBe(0);
    m.frames(2);
    expect(m.tdCtrl(0) & TD_ACTIVE).toBe(0);
    expect(m.io.in16(USBSTS) & STS_USBERRINT).toBe(STS_USBERRINT);
    expect(m.irq()).toBe(true);
  });

  it('stalls a request the tablet does not know (SET_PROTOCOL), and the next SETUP clears it', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    m.control(0, [0x21, 0x0b, 0, 0, 0, 0, 0, 0]);
    expect(m.tdCtrl(1) & (TD_ACTIVE | TD_STALLED)).toBe(TD_STALLED);
    expect(m.io.in16(USBSTS) & STS_USBERRINT).toBe(STS_USBERRINT);
    expect(m.control(0, GET_DESCRIPTOR(1, 8), 8)).toEqual(TABLET_DEVICE_DESCRIPTOR.subarray(0, 8));
  });

  it('stops a queue at a short packet and leaves the QH on it', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.start();
    // GET_DESCRIPTOR asks 18 bytes but the IN TD offers 64 with SPD: 18 come, the status TD waits.
    m.dma.write(BUFFERS, Uint8Array.from(GET_DESCRIPTOR(1, 18)));
    m.queue([
      { pid: 0x2d, address: 0, endpoint: 0, maxLen: 8, buffer: BUFFERS },
      {
        pid: PID_IN,
        address: 0,
        endpoint: 0,
        maxLen: 64,
        buffer: BUFFERS + 0x100,
        ctrl: TD_ACTIVE | (1 << 29) | (3 << 27),
      },
      { pid: PID_OUT, address: 0, endpoint: 0, maxLen: 0, buffer: 0 },
    ]);
    m.frames(3);
    expect(m.tdCtrl(1) & (TD_ACTIVE | 0x7ff)).toBe(17);
    expect(m.tdCtrl(2) & TD_ACTIVE).toBe(TD_ACTIVE);
    expect(m.dma.read32(0x20004)).toBe(0x21020 | 4); // the QH element still points at the short TD (depth first)
  });
});

describe('PIIX3 UHCI: interrupt routing', () => {
  it('reaches PIRQD only while LEGSUP enables it', async () => {
    const m = await plugUhci();
    m.enablePort();
    m.io.out16(USBINTR, INTR_IOC);
    m.start();
    m.control(0, GET_DESCRIPTOR(1, 8), 8);
    m.frames(1);
    expect(m.irq()).toBe(true);
    m.fn.writeConfig(LEGSUP, 2, 0);
    expect(m.irq()).toBe(false);
    m.fn.writeConfig(LEGSUP, 2, 0x2000);
    expect(m.irq()).toBe(true);
    m.io.out16(USBCMD, CMD_RS); // running still; clearing USBINT drops the line
    m.io.out16(USBSTS, STS_USBINT);
    expect(m.irq()).toBe(false);
  });
});
