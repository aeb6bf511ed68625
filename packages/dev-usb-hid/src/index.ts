import { usbTabletPlugin } from './plugin.js';

export * from './descriptors.js';
export { type UsbTabletDevice, usbTabletPlugin } from './plugin.js';
export { initialTabletState, type TabletState, UsbTablet } from './tablet.js';

export const plugins = [usbTabletPlugin];
