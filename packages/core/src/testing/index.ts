// What a device plugin's own tests need to drive it alone (`@plugboard/core/testing`).

export { seededRandom, stateText } from './device-state.js';
export { BROADCAST, ethernetFrame, QEMU_MAC } from './ethernet-frame.js';
export { type PluggedPciDevice, type PlugPciOptions, plugPciDevice } from './plug-pci-device.js';
