export { BUILTIN_PACKAGES, createRegistry } from './builtins.js';
export { lspci } from './lspci.js';
export { type Io, main } from './main.js';
export { parseSet } from './overrides.js';
export {
  parseKeyValues,
  parseQemuArgs,
  type QemuOption,
  QemuOptionError,
  supportedOptionsText,
} from './qemu/options.js';
export { type QemuTranslation, translateQemu } from './qemu/translate.js';
