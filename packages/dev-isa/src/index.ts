import { floppyPlugin } from './fdc/plugin.js';
import { i8042Plugin } from './i8042/plugin.js';
import { debugExitPlugin } from './misc/debug-exit.js';
import { debugconPlugin } from './misc/debugcon.js';
import { port80Plugin } from './misc/port80.js';
import { mc146818Plugin } from './rtc/plugin.js';
import { uart16550aPlugin } from './serial/plugin.js';

export { FLOPPY_FORMATS, type FloppyFormat, pickFormat } from './fdc/formats.js';
export { FDC_UNITS, type FdcState, I82077aa } from './fdc/i82077aa.js';
export { type FloppyConfig, type FloppyDevice, floppyPlugin } from './fdc/plugin.js';
export * from './i8042/i8042.js';
export {
  type I8042Config,
  type I8042Device,
  i8042Plugin,
} from './i8042/plugin.js';
export { Ps2Keyboard } from './i8042/ps2-keyboard.js';
export { MOUSE_LEFT, MOUSE_MIDDLE, MOUSE_RIGHT, Ps2Mouse } from './i8042/ps2-mouse.js';
export { KEY_CODES, SET1_TO_SET2, SET2_TO_SET1, translateToSet1 } from './i8042/scancodes.js';
export { type DebugExitConfig, debugExitPlugin } from './misc/debug-exit.js';
export { type DebugconConfig, type DebugconDevice, debugconPlugin } from './misc/debugcon.js';
export { type Port80Config, type Port80Device, port80Plugin } from './misc/port80.js';
export { Cmos, initPcCmos } from './rtc/cmos.js';
export { Mc146818, UIP_LEAD_NS } from './rtc/mc146818.js';
export {
  DEFAULT_RTC_BASE,
  mc146818Plugin,
  type RtcConfig,
  type RtcDevice,
  startSeconds,
} from './rtc/plugin.js';
export { MemoryBackend, nullBackend, type SerialBackend } from './serial/backend.js';
export {
  createSerialBackend,
  SERIAL_BACKEND_SCHEMA,
  type SerialBackendConfig,
} from './serial/create-backend.js';
export {
  fileBackend,
  stdioBackend,
  tcpBackend,
  tcpClientBackend,
} from './serial/host-backends.js';
export { type UartConfig, type UartDevice, uart16550aPlugin } from './serial/plugin.js';
export { HOST_QUEUE_SIZE, Uart16550a } from './serial/uart16550a.js';

export const plugins = [
  mc146818Plugin,
  uart16550aPlugin,
  i8042Plugin,
  port80Plugin,
  debugExitPlugin,
  debugconPlugin,
  floppyPlugin,
];
