import { i8255xPlugins } from './plugin.js';

export { I8255x, type I8255xState } from './i8255x.js';
export { type I8255xModel, type I8255xModelName, MODELS } from './models.js';
export { type I8255xConfig, i8255xPlugins } from './plugin.js';
export * as registers from './registers.js';

export const plugins = i8255xPlugins;
