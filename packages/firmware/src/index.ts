import { romPlugin } from './rom.js';
import { seabiosPlugin } from './seabios.js';

export { LINUXBOOT_ROM, type LinuxBoot, LinuxBootKey, prepareLinuxBoot } from './linux-boot.js';
export { checkBiosImage, ISA_BIOS_WINDOW, MAX_FIRMWARE_SIZE, mapFirmware, padToPages } from './map.js';
export {
  FETCH_HINT,
  FirmwareError,
  fetchScript,
  firmwareCacheDir,
  loadOptionRom,
  readFirmware,
  resolveFirmware,
  SYSTEM_FIRMWARE_DIRS,
} from './resolve.js';
export { type RomConfig, romPlugin } from './rom.js';
export { type SeabiosConfig, type SeabiosDevice, seabiosPlugin } from './seabios.js';
export { LOADED_HIGH, readSetupHeader, SETUP_HEADER, type SetupHeader } from './setup-header.js';

export const plugins = [seabiosPlugin, romPlugin];
