/**
 * Standard descriptors (USB 1.1, chapter 9.6) as bytes. Multi-byte fields
 * are little-endian; lengths and counts follow from what is given.
 */

export const DT_DEVICE = 1;
export const DT_CONFIGURATION = 2;
export const DT_STRING = 3;
export const DT_INTERFACE = 4;
export const DT_ENDPOINT = 5;

/** Configuration bmAttributes: bit 7 must be one; self-powered; remote wakeup. */
export const CONFIG_ATTR_ONE = 0x80;
export const CONFIG_ATTR_SELF_POWERED = 0x40;
export const CONFIG_ATTR_REMOTE_WAKEUP = 0x20;

/** Endpoint bEndpointAddress direction bit, and bmAttributes transfer types. */
export const ENDPOINT_IN = 0x80;
export const XFER_INTERRUPT = 3;

/** The one language the string descriptors are in: English (United States). */
export const LANGID_EN_US = 0x0409;

export interface DeviceDescriptor {
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  idVendor: number;
  idProduct: number;
  bcdDevice: number;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  bNumConfigurations: number;
}

const lo = (v: number) => v & 0xff;
const hi = (v: number) => (v >>> 8) & 0xff;

export function deviceDescriptor(d: DeviceDescriptor): Uint8Array {
  return Uint8Array.of(
    18,
    DT_DEVICE,
    lo(d.bcdUSB),
    hi(d.bcdUSB),
    d.bDeviceClass,
    d.bDeviceSubClass,
    d.bDeviceProtocol,
    d.bMaxPacketSize0,
    lo(d.idVendor),
    hi(d.idVendor),
    lo(d.idProduct),
    hi(d.idProduct),
    lo(d.bcdDevice),
    hi(d.bcdDevice),
    d.iManufacturer,
    d.iProduct,
    d.iSerialNumber,
    d.bNumConfigurations,
  );
}

export interface InterfaceDescriptor {
  bInterfaceNumber: number;
  bAlternateSetting: number;
  bInterfaceClass: number;
  bInterfaceSubClass: number;
  bInterfaceProtocol: number;
  iInterface: number;
  /** Class-specific descriptors that follow the interface descriptor (a HID descriptor). */
  classDescriptors: readonly Uint8Array[];
  endpoints: readonly EndpointDescriptor[];
}

export interface EndpointDescriptor {
  bEndpointAddress: number;
  bmAttributes: number;
  wMaxPacketSize: number;
  bInterval: number;
}

export interface ConfigurationDescriptor {
  bConfigurationValue: number;
  iConfiguration: number;
  bmAttributes: number;
  /** In units of 2 mA. */
  bMaxPower: number;
  interfaces: readonly InterfaceDescriptor[];
}

/** The configuration descriptor with every interface, class and endpoint descriptor after it (GET_DESCRIPTOR's reply). */
export function configurationDescriptor(c: ConfigurationDescriptor): Uint8Array {
  const parts: number[] = [];
  for (const i of c.interfaces) {
    parts.push(
      9,
      DT_INTERFACE,
      i.bInterfaceNumber,
      i.bAlternateSetting,
      i.endpoints.length,
      i.bInterfaceClass,
      i.bInterfaceSubClass,
      i.bInterfaceProtocol,
      i.iInterface,
    );
    for (const d of i.classDescriptors) parts.push(...d);
    for (const e of i.endpoints)
      parts.push(
        7,
        DT_ENDPOINT,
        e.bEndpointAddress,
        e.bmAttributes,
        lo(e.wMaxPacketSize),
        hi(e.wMaxPacketSize),
        e.bInterval,
      );
  }
  const total = 9 + parts.length;
  const interfaces = new Set(c.interfaces.map((i) => i.bInterfaceNumber)).size;
  return Uint8Array.of(
    9,
    DT_CONFIGURATION,
    lo(total),
    hi(total),
    interfaces,
    c.bConfigurationValue,
    c.iConfiguration,
    c.bmAttributes,
    c.bMaxPower,
    ...parts,
  );
}

/** String descriptor 0: the languages the others are in. */
export const LANGUAGE_TABLE = Uint8Array.of(4, DT_STRING, lo(LANGID_EN_US), hi(LANGID_EN_US));

/** A string descriptor: UTF-16LE, at most 126 characters (bLength is one byte). */
export function stringDescriptor(text: string): Uint8Array {
  const chars = text.slice(0, 126);
  const out = new Uint8Array(2 + chars.length * 2);
  out[0] = out.length;
  out[1] = DT_STRING;
  for (let i = 0; i < chars.length; i++) {
    const c = chars.charCodeAt(i);
    out[2 + i * 2] = lo(c);
    out[3 + i * 2] = hi(c);
  }
  return out;
}
