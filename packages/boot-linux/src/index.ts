import { linuxDirectPlugin } from './plugin.js';

export { layOutAcpi, type Placed } from './acpi/layout.js';
export type { AcpiPlatform } from './acpi/platform.js';
export { BOOT_PARAMS_SIZE, buildBootParams } from './boot-params.js';
export { type BzImage, parseBzImage } from './bzimage.js';
export { E820, type E820Entry, encodeE820 } from './e820.js';
export { type ElfImage, parseElf32 } from './elf.js';
export { LinuxBootError } from './errors.js';
export { bootGdt, e820Map, LAYOUT } from './layout.js';
export { loadKernel, type PreparedKernel, prepareKernel } from './load.js';
export { decompressKernel } from './payload.js';
export { setUpPlatform } from './platform/setup.js';
export { type LinuxDirectConfig, type LinuxDirectDevice, linuxDirectPlugin } from './plugin.js';

export const plugins = [linuxDirectPlugin];
