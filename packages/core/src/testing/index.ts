// What a device plugin's own tests need to drive it alone (`@plugboard/core/testing`).
export { BROADCAST, ethernetFrame, QEMU_MAC } from './ethernet-frame.js';
export { type PluggedPciDevice, type PlugPciOptions, plugPciDevice } from './plug-pci-device.js';
