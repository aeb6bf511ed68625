import type { ImageFormat } from '@plugboard/block';
import { VmdkImage } from './vmdk-image.js';

const DESCRIPTOR_MAGIC = new TextEncoder().encode('# Disk DescriptorFile');

/** VMDK by its "KDMV" magic or a descriptor text's first line. */
export const vmdkFormat: ImageFormat = {
  name: 'vmdk',
  probe(head) {
    if (head.length >= 4 && head[0] === 0x4b && head[1] === 0x44 && head[2] === 0x4d && head[3] === 0x56)
      return true;
    return head.length >= DESCRIPTOR_MAGIC.length && DESCRIPTOR_MAGIC.every((b, i) => head[i] === b);
  },
  open: (path, options) => VmdkImage.open(path, options),
};
