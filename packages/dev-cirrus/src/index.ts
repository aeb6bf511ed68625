import { cirrusPlugin } from './plugin.js';

export { DirtyPages } from '@plugboard/vga';
export { BitBlt, BLT_STEP_BYTES } from './bitblt.js';
export { CirrusVga } from './cirrus.js';
export { type CirrusConfig, cirrusPlugin } from './plugin.js';
export { CIRRUS_CR, CIRRUS_GR, CIRRUS_REGISTERS, CIRRUS_SR } from './registers.js';
export { Renderer } from './render.js';
export { type VgaState, VRAM_SIZE } from './state.js';

export const plugins = [cirrusPlugin];
