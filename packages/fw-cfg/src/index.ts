import { fwCfgPlugin } from './plugin.js';

export { E820_RAM, E820_RESERVED, type E820Entry, encodeE820, le16, le32, le64, pcE820 } from './encode.js';
export { FW_CFG_PORT_COUNT, FwCfg } from './fw-cfg.js';
export * from './keys.js';
export { type FwCfgConfig, fwCfgPlugin, uuidBytes } from './plugin.js';

export const plugins = [fwCfgPlugin];
