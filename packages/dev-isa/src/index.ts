import { mc146818Plugin } from './rtc/plugin.js';

export { CMOS_TOKEN, Cmos, type CmosService, type DiskGeometry, initPcCmos } from './rtc/cmos.js';
export { Mc146818, UIP_LEAD_NS } from './rtc/mc146818.js';
export {
  DEFAULT_RTC_BASE,
  mc146818Plugin,
  type RtcConfig,
  type RtcDevice,
  startSeconds,
} from './rtc/plugin.js';

export const plugins = [mc146818Plugin];
