import { findFormat, probeFormat } from '@plugboard/block';
import { BlockError } from '@plugboard/core';
import { imageFormats } from '../formats.js';
import { MAX_REPORTED, SparseExtent } from '../sparse-extent.js';
import { VmdkImage } from '../vmdk-image.js';
import { parseArgs, UsageError, wantsJson } from './args.js';
import type { ImgIo } from './io.js';

/** What `img check` found; `exitCode` is qemu-img check's: 0 clean, 2 corruptions, 3 leaks only. */
export interface CheckResult {
  corruptions: number;
  /** The first corruptions, described. */
  messages: string[];
  leakedClusters: number;
  /** Leaked clusters a repair removed. */
  repairedLeakedClusters: number;
  /** Redundant grain table entries that differ from the primary ones (repaired with -r all). */
  redundantDifferences: number;
  allocatedClusters: number;
  totalClusters: number;
  exitCode: number;
}

/** Checks a VMDK's metadata. An image that fails to open for a format reason counts as corrupt. */
export function checkVmdk(path: string, repair = false): CheckResult {
  const result: CheckResult = {
    corruptions: 0,
    messages: [],
    leakedClusters: 0,
    repairedLeakedClusters: 0,
    redundantDifferences: 0,
    allocatedClusters: 0,
    totalClusters: 0,
    exitCode: 0,
  };
  let image: VmdkImage;
  try {
    image = VmdkImage.open(path, { readOnly: !repair });
  } catch (err) {
    if (!(err instanceof BlockError) || err.kind !== 'format') throw err;
    result.corruptions = 1;
    result.messages.push(err.message);
    result.exitCode = 2;
    return result;
  }
  try {
    for (const extent of image.extents) {
      if (!(extent instanceof SparseExtent)) continue;
      const found = extent.check(repair);
      result.corruptions += found.corruptions;
      for (const m of found.messages) if (result.messages.length < MAX_REPORTED) result.messages.push(m);
      result.redundantDifferences += found.redundantDifferences;
      result.leakedClusters += Math.ceil(found.leakedSectors / extent.grainSectors);
      result.repairedLeakedClusters += Math.ceil(found.repairedLeakedSectors / extent.grainSectors);
      result.allocatedClusters += found.allocatedGrains;
      result.totalClusters += Math.ceil(extent.sectors / extent.grainSectors);
    }
  } finally {
    image.close();
  }
  result.exitCode = result.corruptions ? 2 : result.leakedClusters ? 3 : 0;
  return result;
}

/** `img check [-f fmt] [-r leaks|all] [--output=human|json] [-q] file` */
export function check(argv: readonly string[], io: ImgIo): number {
  const args = parseArgs(argv, 'fr', 'qU', ['output', 'force-share']);
  const file = args.positional[0];
  if (!file || args.positional.length !== 1) throw new UsageError('Expecting one image file name');
  const json = wantsJson(args);
  const repairMode = args.values.get('r');
  if (repairMode !== undefined && repairMode !== 'leaks' && repairMode !== 'all') {
    throw new UsageError(`Unknown option value for -r (expecting 'leaks' or 'all'): ${repairMode}`);
  }
  const fmt = args.values.get('f');
  const format = fmt ? findFormat(fmt, imageFormats) : probeFormat(file, imageFormats);
  if (format.name !== 'vmdk') {
    io.stderr.write(`plugboard img: This image format (${format.name}) does not support checks\n`);
    return 63;
  }
  const r = checkVmdk(file, repairMode !== undefined);
  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          filename: file,
          format: 'vmdk',
          'check-errors': 0,
          corruptions: r.corruptions,
          leaks: r.leakedClusters,
          'allocated-clusters': r.allocatedClusters,
          'total-clusters': r.totalClusters,
        },
        null,
        4,
      )}\n`,
    );
    return r.exitCode;
  }
  if (args.flags.has('q')) return r.exitCode;
  const out: string[] = r.messages.map((m) => `ERROR: ${m}`);
  if (r.corruptions > r.messages.length) out.push(`ERROR: ... and ${r.corruptions - r.messages.length} more`);
  if (r.repairedLeakedClusters) {
    out.push(
      `The following inconsistencies were found and repaired:\n\n    ${r.repairedLeakedClusters} leaked clusters\n`,
    );
  }
  if (r.redundantDifferences) {
    out.push(
      `Warning: ${r.redundantDifferences} redundant grain table entries differ from the primary table${repairMode ? ' (repaired)' : ''}`,
    );
  }
  if (r.corruptions) {
    out.push(
      `\n${r.corruptions} errors were found on the image.`,
      'Data may be corrupted, or further writes to the image may corrupt it.',
    );
  }
  if (r.leakedClusters) {
    out.push(
      `\n${r.leakedClusters} leaked clusters were found on the image.`,
      'This means waste of disk space, but no harm to data.',
    );
  }
  if (!r.corruptions && !r.leakedClusters) out.push('No errors were found on the image.');
  if (r.totalClusters) {
    const pct = ((r.allocatedClusters * 100) / r.totalClusters).toFixed(2);
    out.push(`${r.allocatedClusters}/${r.totalClusters} = ${pct}% allocated`);
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return r.exitCode;
}
