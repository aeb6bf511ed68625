import { type Device, definePlugin, objectState, PciFunction, QEMU_SUBSYSTEM } from '@plugboard/core';
import { type UsbBusService, UsbTokens } from '@plugboard/usb';
import {
  LEGSUP,
  LEGSUP_DEFAULT,
  LEGSUP_USBPIRQDEN,
  LEGSUP_WRITABLE,
  LEGSUP_WRITE_CLEAR,
  UHCI_IO_SIZE,
  USB_RELEASE_1,
  USB_SBRN,
} from './registers.js';
import { Uhci } from './uhci.js';

/** PCI identity of the PIIX3's USB function (82371SB): serial bus controller, USB, UHCI. */
export const PIIX3_UHCI_IDS = {
  vendorId: 0x8086,
  deviceId: 0x7020,
  classCode: 0x0c0300,
  revision: 0x01,
  ...QEMU_SUBSYSTEM,
};

/** The PIIX3 wires its USB function to INTD#, routed as PIRQD on function 1's slot (QEMU's `pc`). */
const INTD = 4;
/** The USB function decodes its registers through BAR4, as the PIIX3 does (and BSD drivers expect). */
const IO_BAR = 4;

export interface UhciDevice extends Device {
  readonly fn: PciFunction;
  readonly controller: Uhci;
}

export const uhciPlugin = definePlugin<Record<string, never>, UhciDevice>({
  meta: { id: 'piix3-usb-uhci', name: 'Intel 82371SB PIIX3 USB UHCI host controller (two root ports)' },
  kind: 'pci',
  pci: PIIX3_UHCI_IDS,
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {},
    default: {},
  },
  create(ctx) {
    const address = ctx.pciAddress;
    if (!address)
      throw new Error(`${ctx.id}: the UHCI controller needs a PCI address (the PIIX3's is 00:01.2)`);
    const fn = new PciFunction(ctx.id, { ...PIIX3_UHCI_IDS, interruptPin: INTD });
    const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
    const controller = new Uhci({
      id: ctx.id,
      dma: ctx.dma,
      clock: ctx.clock,
      // LEGSUP's USBPIRQDEN routes the controller's interrupt to PIRQD; firmware may clear it, drivers set it.
      setIrq: (level) => fn.setIrq(level && (fn.get16(LEGSUP) & LEGSUP_USBPIRQDEN) !== 0),
      location: `0000:${hex(address.bus, 2)}:${hex(address.device, 2)}.${address.function}`,
    });
    const initConfig = () => {
      fn.set8(USB_SBRN, USB_RELEASE_1);
      fn.set16(LEGSUP, LEGSUP_DEFAULT, LEGSUP_WRITABLE);
      fn.w1cmask[LEGSUP + 1] = LEGSUP_WRITE_CLEAR >>> 8;
    };
    initConfig();
    fn.onConfigWrite = (offset, size) => {
      if (offset < LEGSUP + 2 && offset + size > LEGSUP) controller.updateIrq();
    };
    fn.setBar(IO_BAR, { kind: 'io', size: UHCI_IO_SIZE, handler: controller.ports });
    ctx.pci.add(address, fn);

    const bus: UsbBusService = { attach: (device) => controller.attach(device) };
    // One controller serves the machine's USB devices; a second one's ports stay empty.
    if (!ctx.container.isBound(UsbTokens.Bus)) ctx.container.bind(UsbTokens.Bus).toConstantValue(bus);
    else
      ctx.log(`${ctx.id}: another USB controller already takes the USB devices; this one's ports stay empty`);

    return {
      fn,
      controller,
      vmstate: objectState(
        { state: controller.state },
        { version: 1, afterLoad: () => controller.updateIrq() },
      ),
      reset() {
        fn.resetConfig();
        initConfig();
        controller.reset();
      },
      info: () => controller.describe(),
    };
  },
});
