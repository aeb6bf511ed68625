import {
  CONFIG_ATTR_ONE,
  CONFIG_ATTR_REMOTE_WAKEUP,
  configurationDescriptor,
  deviceDescriptor,
  ENDPOINT_IN,
  XFER_INTERRUPT,
} from '@plugboard/usb';

/** HID class descriptor types (HID 1.11, 7.1). */
export const DT_HID = 0x21;
export const DT_REPORT = 0x22;
export const USB_CLASS_HID = 3;

/** HID class requests (HID 1.11, 7.2). */
export const HID_GET_REPORT = 0x01;
export const HID_GET_IDLE = 0x02;
export const HID_GET_PROTOCOL = 0x03;
export const HID_SET_REPORT = 0x09;
export const HID_SET_IDLE = 0x0a;
export const HID_SET_PROTOCOL = 0x0b;

/**
 * QEMU's string table for its HID devices (hw/usb/dev-hid.c): the same
 * indices, so a guest reads the same strings as on QEMU.
 */
export const STRINGS = [
  'QEMU',
  'QEMU USB Mouse',
  'QEMU USB Tablet',
  'QEMU USB Keyboard',
  '42',
  'HID Mouse',
  'HID Tablet',
  'HID Keyboard',
  '89126',
  '28754',
  '68284',
] as const;
export const STR_MANUFACTURER = 1;
export const STR_PRODUCT_TABLET = 3;
export const STR_CONFIG_TABLET = 7;
export const STR_SERIAL_TABLET = 10;

/** The tablet's one report: buttons 1-3, X and Y 0..0x7FFF, a relative wheel (QEMU's, 74 bytes). */
export const TABLET_REPORT_DESCRIPTOR = Uint8Array.of(
  ...[0x05, 0x01], // Usage Page (Generic Desktop)
  ...[0x09, 0x02], // Usage (Mouse)
  ...[0xa1, 0x01], // Collection (Application)
  ...[0x09, 0x01], //   Usage (Pointer)
  ...[0xa1, 0x00], //   Collection (Physical)
  ...[0x05, 0x09], //     Usage Page (Button)
  ...[0x19, 0x01], //     Usage Minimum (1)
  ...[0x29, 0x03], //     Usage Maximum (3)
  ...[0x15, 0x00], //     Logical Minimum (0)
  ...[0x25, 0x01], //     Logical Maximum (1)
  ...[0x95, 0x03], //     Report Count (3)
  ...[0x75, 0x01], //     Report Size (1)
  ...[0x81, 0x02], //     Input (Data, Variable, Absolute)
  ...[0x95, 0x01], //     Report Count (1)
  ...[0x75, 0x05], //     Report Size (5)
  ...[0x81, 0x01], //     Input (Constant)
  ...[0x05, 0x01], //     Usage Page (Generic Desktop)
  ...[0x09, 0x30], //     Usage (X)
  ...[0x09, 0x31], //     Usage (Y)
  ...[0x15, 0x00], //     Logical Minimum (0)
  ...[0x26, 0xff, 0x7f], // Logical Maximum (0x7fff)
  ...[0x35, 0x00], //     Physical Minimum (0)
  ...[0x46, 0xff, 0x7f], // Physical Maximum (0x7fff)
  ...[0x75, 0x10], //     Report Size (16)
  ...[0x95, 0x02], //     Report Count (2)
  ...[0x81, 0x02], //     Input (Data, Variable, Absolute)
  ...[0x05, 0x01], //     Usage Page (Generic Desktop)
  ...[0x09, 0x38], //     Usage (Wheel)
  ...[0x15, 0x81], //     Logical Minimum (-0x7f)
  ...[0x25, 0x7f], //     Logical Maximum (0x7f)
  ...[0x35, 0x00], //     Physical Minimum (same as logical)
  ...[0x45, 0x00], //     Physical Maximum (same as logical)
  ...[0x75, 0x08], //     Report Size (8)
  ...[0x95, 0x01], //     Report Count (1)
  ...[0x81, 0x06], //     Input (Data, Variable, Relative)
  0xc0, //   End Collection
  0xc0, // End Collection
);

/**
 * The HID descriptor after the interface descriptor, one report descriptor.
 * bcdHID reads 0x0001 as QEMU's does (HID 1.01 would be 0x0101); no driver
 * looks at it, and the guest sees QEMU's bytes.
 */
export const TABLET_HID_DESCRIPTOR = Uint8Array.of(
  9,
  DT_HID,
  0x01,
  0x00,
  0,
  1,
  DT_REPORT,
  TABLET_REPORT_DESCRIPTOR.length & 0xff,
  TABLET_REPORT_DESCRIPTOR.length >>> 8,
);

/** Bytes of one report: buttons, X (16 bits), Y (16 bits), wheel. */
export const TABLET_REPORT_BYTES = 6;
/** The interrupt IN endpoint reports come from. */
export const TABLET_ENDPOINT = 1;

/**
 * QEMU's usb-tablet on a full-speed port: bcdUSB 2.00 (QEMU reports 2.00
 * whenever it offers Microsoft OS descriptors, which it does by default),
 * 8-byte endpoint 0, vendor 0627 product 0001.
 */
export const TABLET_DEVICE_DESCRIPTOR = deviceDescriptor({
  bcdUSB: 0x0200,
  bDeviceClass: 0,
  bDeviceSubClass: 0,
  bDeviceProtocol: 0,
  bMaxPacketSize0: 8,
  idVendor: 0x0627,
  idProduct: 0x0001,
  bcdDevice: 0x0000,
  iManufacturer: STR_MANUFACTURER,
  iProduct: STR_PRODUCT_TABLET,
  iSerialNumber: STR_SERIAL_TABLET,
  bNumConfigurations: 1,
});

export const TABLET_CONFIGURATION = configurationDescriptor({
  bConfigurationValue: 1,
  iConfiguration: STR_CONFIG_TABLET,
  bmAttributes: CONFIG_ATTR_ONE | CONFIG_ATTR_REMOTE_WAKEUP,
  bMaxPower: 50,
  interfaces: [
    {
      bInterfaceNumber: 0,
      bAlternateSetting: 0,
      bInterfaceClass: USB_CLASS_HID,
      bInterfaceSubClass: 0,
      bInterfaceProtocol: 0,
      iInterface: 0,
      classDescriptors: [TABLET_HID_DESCRIPTOR],
      endpoints: [
        {
          bEndpointAddress: ENDPOINT_IN | TABLET_ENDPOINT,
          bmAttributes: XFER_INTERRUPT,
          wMaxPacketSize: 8,
          bInterval: 10,
        },
      ],
    },
  ],
});
