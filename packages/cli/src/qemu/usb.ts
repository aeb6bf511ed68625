import type { DevicePlugin } from '@plugboard/core';
import type { Catalog } from './catalog.js';
import { QemuOptionError } from './options.js';

type Json = Record<string, unknown>;

/** Where QEMU's `pc` puts the PIIX3's USB function. */
const PIIX3_USB_FUNCTION = '00:01.2';
/** The profile id of the controller `-usb` adds. */
export const USB_CONTROLLER_ID = 'usb';

/**
 * `-usb`, `-usbdevice NAME` and `-device` of a USB device, as QEMU 7.2
 * takes them on `pc`: `-usb` adds the PIIX3's UHCI controller at 00:01.2;
 * `-usbdevice` implies `-usb`; `-device` of a USB device needs a USB bus
 * (QEMU: "No 'usb-bus' bus found").
 */
export class UsbOptions {
  private controller = false;
  private readonly added: string[] = [];

  constructor(private readonly catalog: Catalog) {}

  enable(): void {
    this.controller = true;
  }

  /** `-usbdevice NAME`: the USB device plugin `usb-NAME` (QEMU's legacy names: tablet, mouse...). */
  usbdevice(value: string, devices: Json): void {
    const usb = this.catalog.devices.filter((p) => p.kind === 'usb');
    const plugin = usb.find((p) => p.meta.id === `usb-${value}`);
    if (!plugin)
      throw new QemuOptionError(
        `-usbdevice ${value}: no such USB device; the USB devices are ${usb.map((p) => p.meta.id.replace(/^usb-/, '')).join(', ') || 'none'}`,
      );
    this.controller = true;
    let id = plugin.meta.id;
    for (let i = 1; id in devices; i++) id = `${plugin.meta.id}-${i}`;
    devices[id] = { type: plugin.meta.id };
  }

  /** A `-device` of any plugin: USB ones are checked for a bus at the end. */
  device(plugin: DevicePlugin, value: string): void {
    if (plugin.kind === 'usb') this.added.push(value);
  }

  finish(devices: Json): void {
    if (!this.controller) {
      if (this.added.length)
        throw new QemuOptionError(
          `-device ${this.added[0]}: there is no USB bus; add -usb (QEMU: No 'usb-bus' bus found for device '${this.added[0].split(',')[0]}')`,
        );
      return;
    }
    const host = this.catalog.usbHosts[0];
    if (!host) throw new QemuOptionError('-usb: no plugin provides a USB UHCI controller (PCI class 0c0300)');
    devices[USB_CONTROLLER_ID] = { type: host.meta.id, pci: PIIX3_USB_FUNCTION };
  }
}
