import { type Clock, POINTER_ABS_MAX } from '@plugboard/core';
import {
  ControlPipe,
  type ControlState,
  GET_DESCRIPTOR,
  initialControlState,
  PID_IN,
  RECIPIENT_INTERFACE,
  RECIPIENT_MASK,
  REQUEST_DEVICE_TO_HOST,
  REQUEST_TYPE_CLASS,
  REQUEST_TYPE_MASK,
  type SetupPacket,
  USB_NAK,
  USB_STALL,
  type UsbDevice,
  type UsbPort,
} from '@plugboard/usb';
import {
  DT_HID,
  DT_REPORT,
  HID_GET_IDLE,
  HID_GET_REPORT,
  HID_SET_IDLE,
  STR_SERIAL_TABLET,
  STRINGS,
  TABLET_CONFIGURATION,
  TABLET_DEVICE_DESCRIPTOR,
  TABLET_ENDPOINT,
  TABLET_HID_DESCRIPTOR,
  TABLET_REPORT_BYTES,
  TABLET_REPORT_DESCRIPTOR,
} from './descriptors.js';

/** SET_IDLE's duration unit (HID 1.11, 7.2.4): 4 ms. */
const IDLE_UNIT_NS = 4_000_000;

/** All of the tablet's state: snapshots save it, reset reloads `initialTabletState`. */
export interface TabletState {
  control: ControlState;
  /** Where the pointer is (0..0x7FFF each) and the buttons held (bit 0 left, 1 right, 2 middle). */
  x: number;
  y: number;
  buttons: number;
  /** Wheel notches not yet reported (down positive). */
  dz: number;
  /** The pointer changed since the last report: the interrupt endpoint has one to give. */
  changed: boolean;
  /** SET_IDLE's duration (4 ms units; 0 reports only changes). */
  idle: number;
  /** Virtual time (ns) the idle rate repeats the report at. */
  idleDue: number;
}

export function initialTabletState(): TabletState {
  return {
    control: initialControlState(),
    x: 0,
    y: 0,
    buttons: 0,
    dz: 0,
    changed: false,
    idle: 0,
    idleDue: 0,
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * QEMU's usb-tablet: a HID pointer reporting absolute X and Y, three
 * buttons and a wheel on interrupt endpoint 1 (6-byte reports), and NAK
 * while nothing changed (and no idle rate is due).
 */
export class UsbTablet implements UsbDevice {
  readonly product = 'QEMU USB Tablet';
  readonly lowSpeed = false;
  readonly state = initialTabletState();
  private readonly control: ControlPipe;
  private readonly report = new Uint8Array(TABLET_REPORT_BYTES);
  private port: UsbPort | null = null;
  private readonly strings: string[] = [...STRINGS];

  constructor(private readonly clock: Clock) {
    this.control = new ControlPipe(this.state.control, {
      deviceDescriptor: TABLET_DEVICE_DESCRIPTOR,
      configurations: [TABLET_CONFIGURATION],
      strings: this.strings,
      request: (setup, data) => this.request(setup, data),
    });
  }

  get address(): number {
    return this.state.control.address;
  }

  /** Plugged into `port`: the serial number names it as QEMU's does (`28754-0000:00:01.2-1`). */
  plugged(port: UsbPort): void {
    this.port = port;
    const serial = `${STRINGS[STR_SERIAL_TABLET - 1]}-${port.controller}-${port.number}`;
    this.strings[STR_SERIAL_TABLET - 1] = serial;
  }

  /** The host's pointer: absolute position, wheel notches (down positive), buttons held. */
  pointer(x: number, y: number, dz: number, buttons: number): void {
    const s = this.state;
    s.x = clamp(Math.trunc(x) || 0, 0, POINTER_ABS_MAX);
    s.y = clamp(Math.trunc(y) || 0, 0, POINTER_ABS_MAX);
    s.dz += Math.trunc(dz) || 0;
    s.buttons = buttons & 7;
    s.changed = true;
    if (s.control.remoteWakeup) this.port?.wakeup();
  }

  transaction(pid: number, endpoint: number, data: Uint8Array, length: number): number {
    if (endpoint === 0) return this.control.transaction(pid, data, length);
    if (endpoint !== TABLET_ENDPOINT || pid !== PID_IN || this.state.control.configuration === 0)
      return USB_STALL;
    const s = this.state;
    const now = this.clock.now;
    if (!s.changed && !(s.idle !== 0 && now >= s.idleDue)) return USB_NAK;
    if (s.idle !== 0) s.idleDue = now + s.idle * IDLE_UNIT_NS;
    const n = this.fillReport(length);
    data.set(this.report.subarray(0, n));
    return n;
  }

  busReset(): void {
    const s = this.state;
    this.control.reset();
    s.changed = false;
    s.dz = 0;
    s.idle = 0;
  }

  reset(): void {
    const fresh = initialTabletState();
    Object.assign(this.state.control, fresh.control);
    Object.assign(this.state, { ...fresh, control: this.state.control });
  }

  /** The report (QEMU's hid_pointer_poll for a tablet); what the wheel could not carry waits for the next. */
  private fillReport(length: number): number {
    const s = this.state;
    const wheel = clamp(-s.dz, -127, 127);
    s.dz += wheel;
    s.changed = s.dz !== 0;
    const r = this.report;
    r[0] = s.buttons;
    r[1] = s.x & 0xff;
    r[2] = s.x >>> 8;
    r[3] = s.y & 0xff;
    r[4] = s.y >>> 8;
    r[5] = wheel & 0xff;
    return Math.min(length, TABLET_REPORT_BYTES);
  }

  /** HID class requests and the HID descriptors; anything else stalls, as on QEMU. */
  private request(setup: SetupPacket, data: Uint8Array): number {
    const s = this.state;
    const toHost = (setup.requestType & REQUEST_DEVICE_TO_HOST) !== 0;
    const type = setup.requestType & REQUEST_TYPE_MASK;
    if ((setup.requestType & RECIPIENT_MASK) !== RECIPIENT_INTERFACE) return USB_STALL;
    if (type === 0 && toHost && setup.request === GET_DESCRIPTOR) {
      const d =
        setup.value >>> 8 === DT_REPORT
          ? TABLET_REPORT_DESCRIPTOR
          : setup.value >>> 8 === DT_HID
            ? TABLET_HID_DESCRIPTOR
            : null;
      if (!d) return USB_STALL;
      data.set(d);
      return d.length;
    }
    if (type !== REQUEST_TYPE_CLASS) return USB_STALL;
    switch (setup.request) {
      case HID_GET_REPORT: {
        if (!toHost) return USB_STALL;
        const n = this.fillReport(TABLET_REPORT_BYTES);
        data.set(this.report.subarray(0, n));
        return n;
      }
      case HID_GET_IDLE:
        if (!toHost) return USB_STALL;
        data[0] = s.idle;
        return 1;
      case HID_SET_IDLE:
        if (toHost) return USB_STALL;
        s.idle = setup.value >>> 8;
        s.idleDue = this.clock.now + s.idle * IDLE_UNIT_NS;
        return 0;
      default:
        return USB_STALL;
    }
  }
}
