import {
  CONFIG_ATTR_SELF_POWERED,
  DT_CONFIGURATION,
  DT_DEVICE,
  DT_STRING,
  LANGUAGE_TABLE,
  stringDescriptor,
} from './descriptors.js';
import { PID_IN, PID_OUT, PID_SETUP, USB_STALL } from './device.js';

/** bmRequestType: direction, type and recipient (USB 1.1, table 9-2). */
export const REQUEST_DEVICE_TO_HOST = 0x80;
export const REQUEST_TYPE_MASK = 0x60;
export const REQUEST_TYPE_STANDARD = 0x00;
export const REQUEST_TYPE_CLASS = 0x20;
export const RECIPIENT_MASK = 0x1f;
export const RECIPIENT_DEVICE = 0;
export const RECIPIENT_INTERFACE = 1;
export const RECIPIENT_ENDPOINT = 2;

/** Standard request codes (USB 1.1, table 9-4). */
export const GET_STATUS = 0;
export const CLEAR_FEATURE = 1;
export const SET_FEATURE = 3;
export const SET_ADDRESS = 5;
export const GET_DESCRIPTOR = 6;
export const GET_CONFIGURATION = 8;
export const SET_CONFIGURATION = 9;
export const GET_INTERFACE = 10;
export const SET_INTERFACE = 11;

/** Feature selectors (table 9-6). */
export const DEVICE_REMOTE_WAKEUP = 1;
export const ENDPOINT_HALT = 0;

/** The most a request's data stage carries here: more than any descriptor or report of these devices. */
export const CONTROL_DATA_MAX = 1024;

export interface SetupPacket {
  requestType: number;
  request: number;
  value: number;
  index: number;
  length: number;
}

export type ControlStage = 'idle' | 'data-in' | 'data-out' | 'status-in' | 'stalled';

/** The default control pipe's state and the device state chapter 9 defines: plain data, in its device's state object. */
export interface ControlState {
  address: number;
  /** bConfigurationValue of the configuration in use; 0 while unconfigured. */
  configuration: number;
  remoteWakeup: boolean;
  stage: ControlStage;
  /** The 8 bytes of the last SETUP. */
  setup: number[];
  /** The data stage's bytes: the reply of an IN request, or what an OUT request brought. */
  data: number[];
  /** Bytes of `data` sent so far (IN). */
  offset: number;
  /** SET_ADDRESS takes effect when its status stage completes; -1 when none is pending. */
  newAddress: number;
}

export function initialControlState(): ControlState {
  return {
    address: 0,
    configuration: 0,
    remoteWakeup: false,
    stage: 'idle',
    setup: [0, 0, 0, 0, 0, 0, 0, 0],
    data: [],
    offset: 0,
    newAddress: -1,
  };
}

/** What a device gives its default control pipe. */
export interface ControlFunction {
  readonly deviceDescriptor: Uint8Array;
  /** Configuration descriptors (with their interfaces and endpoints), by descriptor index. */
  readonly configurations: readonly Uint8Array[];
  /** String descriptors 1..n (index 0 is the language table). */
  readonly strings: readonly string[];
  /**
   * Every request chapter 9 does not answer (class requests, class
   * descriptors). An IN request writes its reply into `data` and returns its
   * length; an OUT request finds its data stage in `data`. USB_STALL refuses.
   */
  request(setup: SetupPacket, data: Uint8Array): number;
  /** SET_CONFIGURATION succeeded (0: unconfigured). */
  configured?(value: number): void;
}

/**
 * Endpoint 0 of a device: the SETUP, data and status stages of control
 * transfers, and the standard requests (SET_ADDRESS, GET_DESCRIPTOR,
 * SET_CONFIGURATION, GET_STATUS, features, interfaces). A request the device
 * refuses stalls its data or status stage; the next SETUP clears that, as
 * USB 1.1, 8.5.2 says (SETUP itself is always acknowledged).
 */
export class ControlPipe {
  private readonly scratch = new Uint8Array(CONTROL_DATA_MAX);

  constructor(
    private readonly state: ControlState,
    private readonly fn: ControlFunction,
  ) {}

  transaction(pid: number, data: Uint8Array, length: number): number {
    const s = this.state;
    switch (pid) {
      case PID_SETUP:
        if (length !== 8) return USB_STALL;
        for (let i = 0; i < 8; i++) s.setup[i] = data[i];
        this.setupStage();
        return 8;
      case PID_IN:
        if (s.stage === 'data-in') {
          const n = Math.min(length, s.data.length - s.offset);
          for (let i = 0; i < n; i++) data[i] = s.data[s.offset + i];
          s.offset += n;
          return n;
        }
        if (s.stage === 'status-in') return this.statusIn();
        return USB_STALL;
      case PID_OUT:
        if (s.stage === 'data-out') {
          const setup = this.setup();
          const n = Math.min(length, setup.length - s.data.length);
          for (let i = 0; i < n; i++) s.data.push(data[i]);
          if (s.data.length >= setup.length) s.stage = 'status-in';
          return length;
        }
        // The status stage of an IN request, possibly before all its data was read.
        if (s.stage === 'data-in') {
          s.stage = 'idle';
          return 0;
        }
        return USB_STALL;
      default:
        return USB_STALL;
    }
  }

  /** Bus reset: the default state (address 0, unconfigured). */
  reset(): void {
    Object.assign(this.state, initialControlState());
  }

  private setup(): SetupPacket {
    const b = this.state.setup;
    return {
      requestType: b[0],
      request: b[1],
      value: b[2] | (b[3] << 8),
      index: b[4] | (b[5] << 8),
      length: Math.min(b[6] | (b[7] << 8), CONTROL_DATA_MAX),
    };
  }

  private setupStage(): void {
    const s = this.state;
    const setup = this.setup();
    s.data = [];
    s.offset = 0;
    s.newAddress = -1;
    if (setup.requestType & REQUEST_DEVICE_TO_HOST) {
      const n = this.answer(setup);
      if (n < 0) s.stage = 'stalled';
      else {
        s.data = Array.from(this.scratch.subarray(0, Math.min(n, setup.length)));
        s.stage = 'data-in';
      }
      return;
    }
    if (setup.length > 0) {
      s.stage = 'data-out';
      return;
    }
    s.stage = this.command(setup, this.scratch.subarray(0, 0)) < 0 ? 'stalled' : 'status-in';
  }

  /** The status stage of a request without an IN data stage: it runs the request if it has a data stage. */
  private statusIn(): number {
    const s = this.state;
    const setup = this.setup();
    if (setup.length > 0) {
      this.scratch.set(s.data.slice(0, CONTROL_DATA_MAX));
      if (this.command(setup, this.scratch.subarray(0, s.data.length)) < 0) {
        s.stage = 'stalled';
        return USB_STALL;
      }
    }
    if (s.newAddress >= 0) s.address = s.newAddress;
    s.newAddress = -1;
    s.stage = 'idle';
    return 0;
  }

  /** A device-to-host request: the reply's length in `scratch`, or USB_STALL. */
  private answer(setup: SetupPacket): number {
    const s = this.state;
    const out = this.scratch;
    if ((setup.requestType & REQUEST_TYPE_MASK) !== REQUEST_TYPE_STANDARD) return this.fn.request(setup, out);
    const recipient = setup.requestType & RECIPIENT_MASK;
    switch (setup.request) {
      case GET_DESCRIPTOR:
        if (recipient === RECIPIENT_DEVICE) {
          const d = this.descriptor(setup.value >>> 8, setup.value & 0xff);
          if (d) {
            const n = Math.min(d.length, out.length);
            out.set(d.subarray(0, n));
            return n;
          }
        }
        return this.fn.request(setup, out);
      case GET_CONFIGURATION:
        out[0] = s.configuration;
        return 1;
      case GET_STATUS:
        out[0] = recipient === RECIPIENT_DEVICE ? (this.selfPowered() ? 1 : 0) | (s.remoteWakeup ? 2 : 0) : 0;
        out[1] = 0;
        return 2;
      case GET_INTERFACE:
        out[0] = 0;
        return 1;
      default:
        return this.fn.request(setup, out);
    }
  }

  /** A host-to-device request: 0, or USB_STALL. */
  private command(setup: SetupPacket, data: Uint8Array): number {
    const s = this.state;
    if ((setup.requestType & REQUEST_TYPE_MASK) !== REQUEST_TYPE_STANDARD)
      return this.fn.request(setup, data);
    const recipient = setup.requestType & RECIPIENT_MASK;
    switch (setup.request) {
      case SET_ADDRESS:
        if (setup.value > 127) return USB_STALL;
        s.newAddress = setup.value;
        return 0;
      case SET_CONFIGURATION: {
        const value = setup.value & 0xff;
        if (value !== 0 && !this.fn.configurations.some((c) => c[5] === value)) return USB_STALL;
        s.configuration = value;
        this.fn.configured?.(value);
        return 0;
      }
      case SET_FEATURE:
      case CLEAR_FEATURE:
        if (recipient === RECIPIENT_DEVICE && setup.value === DEVICE_REMOTE_WAKEUP) {
          s.remoteWakeup = setup.request === SET_FEATURE;
          return 0;
        }
        return recipient === RECIPIENT_ENDPOINT && setup.value === ENDPOINT_HALT ? 0 : USB_STALL;
      case SET_INTERFACE:
        return setup.value === 0 ? 0 : USB_STALL;
      default:
        return this.fn.request(setup, data);
    }
  }

  private descriptor(type: number, index: number): Uint8Array | null {
    switch (type) {
      case DT_DEVICE:
        return this.fn.deviceDescriptor;
      case DT_CONFIGURATION:
        return this.fn.configurations[index] ?? null;
      case DT_STRING: {
        if (index === 0) return LANGUAGE_TABLE;
        const text = this.fn.strings[index - 1];
        return text === undefined ? null : stringDescriptor(text);
      }
      default:
        return null;
    }
  }

  private selfPowered(): boolean {
    const config = this.fn.configurations.find((c) => c[5] === this.state.configuration);
    return config !== undefined && (config[7] & CONFIG_ATTR_SELF_POWERED) !== 0;
  }
}
