import { rtl8139Plugin } from './plugin.js';

export { parseMac, type Rtl8139Config, rtl8139Plugin } from './plugin.js';
export * as registers from './registers.js';
export {
  MIN_LARGE_SEND_MSS,
  Rtl8139,
  type Rtl8139Model,
  type Rtl8139State,
  TX_FRAMES_PER_STEP,
} from './rtl8139.js';

export const plugins = [rtl8139Plugin];
