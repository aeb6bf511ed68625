import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  ADAPTER_TYPES,
  type AdapterType,
  type CreateVmdkOptions,
  createVmdk,
  SUBFORMATS,
  type Subformat,
} from '../create.js';
import { VmdkImage } from '../vmdk-image.js';
import { onOff, parseArgs, parseOptions, parseSize, UsageError } from './args.js';
import type { ImgIo } from './io.js';
import { ensureNotInUse } from './open-image.js';

const VMDK_OPTIONS = [
  'size',
  'subformat',
  'adapter_type',
  'compat6',
  'hwversion',
  'zeroed_grain',
  'backing_file',
  'backing_fmt',
];

/** `img create [-f fmt] [-o options] [-b backing_file [-F backing_fmt]] [-q] filename [size]` */
export function create(argv: readonly string[], io: ImgIo): number {
  const args = parseArgs(argv, 'fobF', 'qu');
  const fmt = args.values.get('f') ?? 'raw';
  const opts = parseOptions(args.values.get('o'));
  const [file, sizeText] = args.positional;
  if (!file || args.positional.length > 2) throw new UsageError('Expecting image file name');
  const backing = args.values.get('b') ?? opts.get('backing_file');
  const sizeSpec = sizeText ?? opts.get('size');
  let bytes: number;
  if (sizeSpec !== undefined) bytes = parseSize(sizeSpec);
  else if (backing) {
    // As in qemu-img, a relative backing file is relative to the new image.
    const parent = VmdkImage.open(isAbsolute(backing) ? backing : resolve(dirname(file), backing), {
      readOnly: true,
    });
    bytes = parent.sectorCount * 512;
    parent.close();
  } else throw new UsageError('Image creation needs a size parameter');
  if (fmt === 'raw') {
    for (const key of opts.keys())
      if (key !== 'size') throw new UsageError(`Invalid parameter '${key}' for format raw`);
    if (backing) throw new UsageError('raw images have no backing file');
    ensureNotInUse(file);
    announce(io, args.flags.has('q'), file, fmt, bytes, '');
    const fd = openSync(file, 'w');
    try {
      ftruncateSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    return 0;
  }
  if (fmt !== 'vmdk')
    throw new UsageError(`Unknown file format '${fmt}' (plugboard img creates raw and vmdk)`);
  for (const key of opts.keys())
    if (!VMDK_OPTIONS.includes(key)) throw new UsageError(`Invalid parameter '${key}'`);
  const options = vmdkOptions(opts);
  if (backing) options.backingFile = backing;
  const backingFmt = args.values.get('F') ?? opts.get('backing_fmt');
  if (backingFmt !== undefined && backingFmt !== 'vmdk')
    throw new UsageError('VMDK only supports a VMDK backing file');
  const extra = [...opts]
    .filter(([k]) => k !== 'size')
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
  ensureNotInUse(file);
  announce(io, args.flags.has('q'), file, fmt, bytes, extra);
  createVmdk(file, bytes, options);
  return 0;
}

function announce(io: ImgIo, quiet: boolean, file: string, fmt: string, bytes: number, extra: string): void {
  if (!quiet) io.stdout.write(`Formatting '${file}', fmt=${fmt} size=${bytes}${extra}\n`);
}

/** The `-o` options of a VMDK, checked as qemu-img checks them. */
export function vmdkOptions(opts: Map<string, string>): CreateVmdkOptions {
  const out: CreateVmdkOptions = {};
  const sub = opts.get('subformat');
  if (sub !== undefined) {
    if (!(SUBFORMATS as readonly string[]).includes(sub))
      throw new UsageError(`Unknown subformat: ${sub} (${SUBFORMATS.join(', ')})`);
    out.subformat = sub as Subformat;
  }
  const adapter = opts.get('adapter_type');
  if (adapter !== undefined) {
    if (!(ADAPTER_TYPES as readonly string[]).includes(adapter)) {
      throw new UsageError(`Unknown adapter type: '${adapter}' (${ADAPTER_TYPES.join(', ')})`);
    }
    out.adapterType = adapter as AdapterType;
  }
  const compat6 = onOff('compat6', opts.get('compat6'));
  const hw = opts.get('hwversion');
  if (compat6 && hw !== undefined) throw new UsageError('compat6 cannot be enabled with hwversion set');
  if (hw !== undefined && !/^\d+$/.test(hw)) throw new UsageError(`Invalid hwversion: '${hw}'`);
  if (compat6) out.hwVersion = '6';
  else if (hw !== undefined) out.hwVersion = hw;
  out.zeroedGrain = onOff('zeroed_grain', opts.get('zeroed_grain'));
  return out;
}
