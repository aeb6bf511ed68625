import { stdVgaPlugin } from './plugin.js';

export * from './dispi.js';
export { type StdVgaConfig, stdVgaPlugin } from './plugin.js';
export { StdVgaRenderer } from './render.js';
export type { StdVgaState } from './state.js';
export { DEFAULT_VRAM_MB, StdVga } from './stdvga.js';

export const plugins = [stdVgaPlugin];
