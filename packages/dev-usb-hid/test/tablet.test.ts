import {
  type AbsolutePointerService,
  createDeviceContext,
  createMachineParts,
  Tokens,
  UserError,
} from '@plugboard/core';
import { stateText } from '@plugboard/core/testing';
import {
  PID_IN,
  PID_OUT,
  PID_SETUP,
  USB_NAK,
  USB_STALL,
  type UsbBusService,
  UsbTokens,
} from '@plugboard/usb';
import { describe, expect, it } from 'vitest';
import {
  TABLET_CONFIGURATION,
  TABLET_DEVICE_DESCRIPTOR,
  TABLET_REPORT_DESCRIPTOR,
  UsbTablet,
  usbTabletPlugin,
} from '../src/index.js';

const PORT = { number: 1, controller: '0000:00:01.2', wakeup: () => {} };

/** A control transfer straight to endpoint 0: SETUP, the IN data stage in 8-byte packets, the status stage. */
function control(t: UsbTablet, setup: number[], inLength = 0): number[] {
  const buf = new Uint8Array(64);
  expect(t.transaction(PID_SETUP, 0, Uint8Array.from(setup), 8)).toBe(8);
  const data: number[] = [];
  while (data.length < inLength) {
    const n = t.transaction(PID_IN, 0, buf, 8);
    if (n <= 0) return n < 0 ? [n] : data;
    data.push(...buf.subarray(0, n));
    if (n < 8) break;
  }
  const status = inLength ? t.transaction(PID_OUT, 0, buf, 0) : t.transaction(PID_IN, 0, buf, 0);
  return status < 0 ? [status] : data;
}

function utf16(bytes: number[]): string {
  let s = '';
  for (let i = 2; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
  return s;
}

function configured(clock = createMachineParts({ memoryBytes: 1 << 20 }).clock) {
  const t = new UsbTablet(clock);
  t.plugged(PORT);
  control(t, [0x00, 5, 3, 0, 0, 0, 0, 0]); // SET_ADDRESS 3
  control(t, [0x00, 9, 1, 0, 0, 0, 0, 0]); // SET_CONFIGURATION 1
  return { t, clock };
}

const read = (t: UsbTablet) => {
  const buf = new Uint8Array(8);
  const n = t.transaction(PID_IN, 1, buf, 8);
  return n < 0 ? n : [...buf.subarray(0, n)];
};

describe("usb-tablet: QEMU's descriptors", () => {
  it('has the device, configuration and report descriptors QEMU 7.2 gives its tablet', () => {
    expect([...TABLET_DEVICE_DESCRIPTOR]).toEqual([
      0x12, 0x01, 0x00, 0x02, 0, 0, 0, 8, 0x27, 0x06, 0x01, 0x00, 0x00, 0x00, 1, 3, 10, 1,
    ]);
    expect([...TABLET_CONFIGURATION]).toEqual([
      ...[9, 2, 34, 0, 1, 1, 7, 0xa0, 50],
      ...[9, 4, 0, 0, 1, 3, 0, 0, 0],
      ...[9, 0x21, 0x01, 0x00, 0, 1, 0x22, 74, 0],
      ...[7, 5, 0x81, 3, 8, 0, 10],
    ]);
    expect(TABLET_REPORT_DESCRIPTOR.length).toBe(74);
  });

  it('names itself as QEMU does, its serial number after the controller and port', () => {
    const t = new UsbTablet(createMachineParts({ memoryBytes: 1 << 20 }).clock);
    t.plugged(PORT);
    expect(control(t, [0x80, 6, 0, 3, 0x09, 0x04, 0xff, 0], 255)).toEqual([4, 3, 0x09, 0x04]);
    expect(utf16(control(t, [0x80, 6, 1, 3, 0x09, 0x04, 0xff, 0], 255))).toBe('QEMU');
    expect(utf16(control(t, [0x80, 6, 3, 3, 0x09, 0x04, 0xff, 0], 255))).toBe('QEMU USB Tablet');
    expect(utf16(control(t, [0x80, 6, 10, 3, 0x09, 0x04, 0xff, 0], 255))).toBe('28754-0000:00:01.2-1');
    expect(control(t, [0x80, 6, 99, 3, 0x09, 0x04, 0xff, 0], 255)).toEqual([USB_STALL]);
  });

  it('takes its address only when SET_ADDRESS completes', () => {
    const t = new UsbTablet(createMachineParts({ memoryBytes: 1 << 20 }).clock);
    expect(t.transaction(PID_SETUP, 0, Uint8Array.of(0x00, 5, 7, 0, 0, 0, 0, 0), 8)).toBe(8);
    expect(t.address).toBe(0);
    expect(t.transaction(PID_IN, 0, new Uint8Array(8), 0)).toBe(0);
    expect(t.address).toBe(7);
  });
});

describe('usb-tablet: reports', () => {
  it('NAKs until the pointer changes, then reports once: buttons, X, Y, wheel', () => {
    const { t } = configured();
    expect(read(t)).toBe(USB_NAK);
    t.pointer(0x4000, 0x2000, 0, 4);
    expect(read(t)).toEqual([4, 0x00, 0x40, 0x00, 0x20, 0]);
    expect(read(t)).toBe(USB_NAK);
    // Out-of-range positions clamp to the axis.
    t.pointer(-5, 0x9000, 0, 0);
    expect(read(t)).toEqual([0, 0, 0, 0xff, 0x7f, 0]);
  });

  it('stalls the interrupt endpoint until configured', () => {
    const t = new UsbTablet(createMachineParts({ memoryBytes: 1 << 20 }).clock);
    t.pointer(1, 1, 0, 0);
    expect(read(t)).toBe(USB_STALL);
  });

  it('reports the wheel up positive, in steps of at most 127, what is left in the next report', () => {
    const { t } = configured();
    t.pointer(0, 0, 200, 0); // 200 notches down
    expect(read(t)).toEqual([0, 0, 0, 0, 0, 0x81]); // -127
    expect(read(t)).toEqual([0, 0, 0, 0, 0, -73 & 0xff]);
    expect(read(t)).toBe(USB_NAK);
    t.pointer(0, 0, -1, 0);
    expect(read(t)).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('repeats the report at the SET_IDLE rate in virtual time', () => {
    const { t, clock } = configured();
    control(t, [0x21, 0x0a, 0, 2, 0, 0, 0, 0]); // SET_IDLE 2 x 4 ms
    expect(control(t, [0xa1, 0x02, 0, 0, 0, 0, 1, 0], 1)).toEqual([2]);
    clock.advance(7_999_999);
    expect(read(t)).toBe(USB_NAK);
    clock.advance(1);
    expect(read(t)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(read(t)).toBe(USB_NAK);
  });

  it('answers GET_REPORT with the pointer now, and stalls SET_PROTOCOL as QEMU does', () => {
    const { t } = configured();
    t.pointer(0x10, 0x20, 0, 1);
    expect(control(t, [0xa1, 0x01, 0, 1, 0, 0, 8, 0], 8)).toEqual([1, 0x10, 0, 0x20, 0, 0]);
    expect(control(t, [0x21, 0x0b, 0, 0, 0, 0, 0, 0])).toEqual([USB_STALL]);
  });
});

describe('usb-tablet plugin', () => {
  const build = async (bus: boolean) => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const attached: UsbTablet[] = [];
    if (bus) {
      const service: UsbBusService = {
        attach: (d) => {
          attached.push(d as UsbTablet);
          return PORT;
        },
      };
      parts.container.bind(UsbTokens.Bus).toConstantValue(service);
    }
    const ctx = createDeviceContext(
      parts,
      { requestReset: () => {}, requestShutdown: () => {} },
      { id: 'tablet' },
    );
    const device = await usbTabletPlugin.create(ctx, {});
    return { parts, device, attached };
  };

  it('needs a USB controller, and says how to add one', async () => {
    const { device } = await build(false);
    expect(() => device.realize?.()).toThrow(UserError);
    expect(() => device.realize?.()).toThrow(/needs a USB host controller.*-usb/);
  });

  it('plugs into the USB bus and takes the host pointer as the absolute pointer', async () => {
    const { parts, device, attached } = await build(true);
    await device.realize?.();
    expect(attached).toEqual([device.tablet]);
    parts.container.get<AbsolutePointerService>(Tokens.AbsolutePointer).pointer(100, 200, 0, 2);
    expect(device.tablet.state).toMatchObject({ x: 100, y: 200, buttons: 2, changed: true });
  });

  it('saves and loads its state, and resets to the state it was built with', async () => {
    const a = await build(true);
    const fresh = stateText(a.device);
    const { tablet } = a.device;
    tablet.pointer(5, 6, 1, 1);
    control(tablet, [0x00, 5, 9, 0, 0, 0, 0, 0]);
    tablet.transaction(PID_SETUP, 0, Uint8Array.of(0x80, 6, 0, 1, 0, 0, 18, 0), 8); // mid-transfer
    const saved = a.device.vmstate?.save();
    const b = await build(true);
    if (!saved) throw new Error('no state');
    b.device.vmstate?.load(saved);
    expect(stateText(b.device)).toBe(stateText(a.device));
    // The loaded device goes on with the transfer where the saved one was.
    const buf = new Uint8Array(8);
    expect(b.device.tablet.transaction(PID_IN, 9, buf, 8)).toBe(USB_STALL);
    expect(b.device.tablet.transaction(PID_IN, 0, buf, 8)).toBe(8);
    expect([...buf]).toEqual([...TABLET_DEVICE_DESCRIPTOR.subarray(0, 8)]);
    a.device.reset?.();
    expect(stateText(a.device)).toBe(fresh);
  });
});
