import { mc146818Plugin } from './rtc/plugin.js';
import { uart16550aPlugin } from './serial/plugin.js';

export { CMOS_TOKEN, Cmos, type CmosService, type DiskGeometry, initPcCmos } from './rtc/cmos.js';
export { Mc146818, UIP_LEAD_NS } from './rtc/mc146818.js';
export {
  DEFAULT_RTC_BASE,
  mc146818Plugin,
  type RtcConfig,
  type RtcDevice,
  startSeconds,
} from './rtc/plugin.js';
export { MemoryBackend, nullBackend, type SerialBackend } from './serial/backend.js';
export { fileBackend, stdioBackend, tcpBackend } from './serial/host-backends.js';
export {
  type SerialBackendConfig,
  type UartConfig,
  type UartDevice,
  uart16550aPlugin,
} from './serial/plugin.js';
export { HOST_QUEUE_SIZE, Uart16550a } from './serial/uart16550a.js';

export const plugins = [mc146818Plugin, uart16550aPlugin];
