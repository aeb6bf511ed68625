import type { DevicePlugin } from '@plugboard/core';
import { slirpPlugin } from './plugin.js';

export {
  DEFAULT_LIMITS,
  type SlirpConfig,
  type SlirpLimits,
  slirpConfigSchema,
  withDefaults,
} from './config.js';
export { parseDhcp } from './dhcp.js';
export { parseQuestion, resolverFromResolvConf } from './dns.js';
export {
  formatHostFwd,
  type HostFwd,
  parseHostFwd,
  parseRedir,
  parseUserNetOptions,
  splitQemuOptions,
  type UserNetOptions,
} from './options.js';
export { slirpPlugin } from './plugin.js';
export { Reassembler } from './reassembly.js';
export { Slirp, type SlirpOptions } from './slirp.js';
export { parseRequest as parseTftpRequest, resolveInside } from './tftp.js';

export const plugins: DevicePlugin[] = [slirpPlugin];
