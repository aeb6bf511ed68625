import { cirrusPlugin } from './plugin.js';

export { BitBlt, BLT_STEP_BYTES } from './bitblt.js';
export { CirrusVga } from './cirrus.js';
export { DirtyPages } from './dirty.js';
export { type CirrusConfig, cirrusPlugin } from './plugin.js';
export { Renderer } from './render.js';
export { type VgaState, VRAM_SIZE } from './state.js';

export const plugins = [cirrusPlugin];
