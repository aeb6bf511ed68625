import { createFilePlugin } from '@plugboard/block';
import { imageFormats } from './formats.js';

export {
  ADAPTER_TYPES,
  type AdapterType,
  type CreateVmdkOptions,
  createVmdk,
  SUBFORMATS,
  type Subformat,
} from './create.js';
export { type Descriptor, type ExtentLine, parseDescriptor, serializeDescriptor } from './descriptor.js';
export { imageFormats } from './formats.js';
export { runImg } from './img/run-img.js';
export { type SparseCheck, SparseExtent } from './sparse-extent.js';
export { parseSparseHeader, type SparseExtentHeader } from './sparse-header.js';
export { StreamOptimizedWriter } from './stream-writer.js';
export { vmdkFormat } from './vmdk-format.js';
export { MAX_CHAIN_DEPTH, VmdkImage, type VmdkOpenOptions } from './vmdk-image.js';

/** The `file` drive plugin: probes VMDK, ISO and raw, as `-hda x.vmdk` does in QEMU. */
export const fileDrive = createFilePlugin(imageFormats);

export const plugins = [fileDrive];
