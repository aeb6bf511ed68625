/**
 * What a USB host controller and a USB device say to each other, one
 * transaction at a time (USB 1.1, chapter 8): the controller walks its
 * schedule and hands each token to the device at the token's address; the
 * device answers at once with the bytes moved, or a handshake.
 */

/** Token PIDs (USB 1.1, table 8-1), as a UHCI TD carries them. */
export const PID_SETUP = 0x2d;
export const PID_IN = 0x69;
export const PID_OUT = 0xe1;

/** Handshakes a device gives instead of a byte count. */
export const USB_NAK = -1;
export const USB_STALL = -2;

/** The most bytes one transaction carries: a UHCI TD's MaxLen field (11 bits, n-1 encoded) allows 0x7FF. */
export const MAX_TRANSACTION_BYTES = 0x7ff;

/** A device on a root port. */
export interface UsbDevice {
  /** For people (`info usb`): QEMU's product name, `QEMU USB Tablet`. */
  readonly product: string;
  /** A low-speed (1.5 Mb/s) device; full speed (12 Mb/s) otherwise. */
  readonly lowSpeed: boolean;
  /** The address SET_ADDRESS gave it: 0 (the default address) after a bus reset. */
  readonly address: number;
  /**
   * One transaction to `endpoint`. SETUP and OUT bring `length` bytes in
   * `data`; IN fills at most `length` bytes of `data`. Returns the bytes
   * moved, or USB_NAK or USB_STALL. `length` is at most MAX_TRANSACTION_BYTES.
   */
  transaction(pid: number, endpoint: number, data: Uint8Array, length: number): number;
  /** Reset signalling on the port (a port reset, a global reset): back to the default state. */
  busReset(): void;
}

/** The root port a device was plugged into. */
export interface UsbPort {
  /** The port's number on its hub (1 for the first root port), as Linux and QEMU number them. */
  readonly number: number;
  /** The controller's PCI location (`0000:00:01.2`), for serial numbers that tell devices apart as QEMU's do. */
  readonly controller: string;
  /** The device has something to report while the bus is suspended (remote wakeup). */
  wakeup(): void;
}

/** A USB host controller's root ports, bound under `UsbTokens.Bus` by the controller. */
export interface UsbBusService {
  /** Plugs `device` into the first free root port; throws when every port is taken. */
  attach(device: UsbDevice, owner: string): UsbPort;
}

/** Service identifiers in the machine's container (see core's `Tokens`). */
export const UsbTokens = {
  /** UsbBusService: bound by a USB host controller, asked for by USB devices when they are realized. */
  Bus: Symbol.for('plugboard.usbBus'),
} as const;
