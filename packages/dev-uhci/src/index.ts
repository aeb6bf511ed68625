import { uhciPlugin } from './plugin.js';

export { PIIX3_UHCI_IDS, type UhciDevice, uhciPlugin } from './plugin.js';
export * as registers from './registers.js';
export {
  FRAME_BANDWIDTH,
  FRAME_MAX_LINKS,
  FRAME_MAX_QUEUES,
  Schedule,
  type ScheduleHost,
} from './schedule.js';
export { FRAME_NS, initialUhciState, Uhci, type UhciState, type UhciWiring } from './uhci.js';

export const plugins = [uhciPlugin];
