import { isoFormat, rawFormat } from '@plugboard/block';
import { vmdkFormat } from './vmdk-format.js';

/** Every image format Plugboard reads, in probing order: VMDK and ISO by their magic, then raw. */
export const imageFormats = [vmdkFormat, isoFormat, rawFormat];
