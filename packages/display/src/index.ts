import type { DevicePlugin } from '@plugboard/core';
import { vncPlugin } from './plugin.js';

export { type DisplayAddress, parseDisplay } from './display-address.js';
export { FrameSource } from './frame-source.js';
export { keysymToCode } from './keysyms.js';
export { type PixelFormat, SERVER_PIXEL_FORMAT } from './pixel-format.js';
export { type VncConfig, type VncDevice, vncPlugin } from './plugin.js';
export { encodePng, screenshot } from './screenshot.js';
export { RfbSession, type SessionOptions } from './session.js';
export { originAllowed, VncServer, type VncServerOptions } from './vnc-server.js';

export const plugins: DevicePlugin[] = [vncPlugin as unknown as DevicePlugin];
