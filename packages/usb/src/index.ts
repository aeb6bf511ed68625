export * from './control.js';
export * from './descriptors.js';
export * from './device.js';
