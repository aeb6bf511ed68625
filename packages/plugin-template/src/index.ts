import type { DevicePlugin } from '@plugboard/core';
import { copyEnginePlugin } from './plugin.js';

export { type CopyEngine, type CopyEngineConfig, copyEnginePlugin } from './plugin.js';
export * from './registers.js';

/** What Plugboard looks for in a plugin package: `"plugins": ["@plugboard/plugin-template"]` in a profile. */
export const plugins: DevicePlugin[] = [copyEnginePlugin as unknown as DevicePlugin];
