import { statSync } from 'node:fs';
import { SparseExtent } from '../sparse-extent.js';
import { VmdkImage } from '../vmdk-image.js';
import { humanSize as human, parseArgs, UsageError, wantsJson } from './args.js';
import type { ImgIo } from './io.js';
import { imageBytes, openImage } from './open-image.js';

function allocatedBytes(path: string): number {
  const st = statSync(path);
  return st.blocks * 512;
}

/** `img info [-f fmt] [--output=human|json] [-U] file` */
export function info(argv: readonly string[], io: ImgIo): number {
  const args = parseArgs(argv, 'f', 'U', ['output', 'force-share']);
  const file = args.positional[0];
  if (args.positional.length !== 1 || !file) throw new UsageError('Expecting one image file name');
  const json = wantsJson(args);
  const { image, format } = openImage(file, args.values.get('f'), true);
  try {
    const files = image instanceof VmdkImage ? vmdkFiles(image) : [file];
    const actual = files.reduce((sum, f) => sum + allocatedBytes(f), 0);
    const size = imageBytes(image);
    if (json) {
      const out: Record<string, unknown> = {
        'virtual-size': size,
        filename: file,
        format: format.name,
        'actual-size': actual,
        'dirty-flag': false,
      };
      if (image instanceof VmdkImage) Object.assign(out, vmdkJson(image));
      io.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
      return 0;
    }
    const lines = [
      `image: ${file}`,
      `file format: ${format.name}`,
      `virtual size: ${human(size)} (${size} bytes)`,
      `disk size: ${human(actual)}`,
    ];
    if (image instanceof VmdkImage) lines.push(...vmdkLines(image));
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    image.close();
  }
}

function vmdkFiles(image: VmdkImage): string[] {
  const set = new Set<string>([image.path]);
  for (const e of image.extents) if (e.path) set.add(e.path);
  return [...set];
}

function clusterSize(image: VmdkImage): number | null {
  const sparse = image.extents.find((e) => e instanceof SparseExtent);
  return sparse ? (sparse as SparseExtent).grainSectors * 512 : null;
}

function vmdkJson(image: VmdkImage): Record<string, unknown> {
  const d = image.descriptor;
  const out: Record<string, unknown> = {
    'format-specific': {
      type: 'vmdk',
      data: {
        cid: d.cid,
        'parent-cid': d.parentCid,
        'create-type': d.createType,
        extents: image.extents.map((e) => ({
          filename: e.path,
          'virtual-size': e.sectors * 512,
          format: extentFormat(e),
        })),
      },
    },
  };
  const cluster = clusterSize(image);
  if (cluster) out['cluster-size'] = cluster;
  if (d.parentFileNameHint) out['backing-filename'] = d.parentFileNameHint;
  return out;
}

function extentFormat(e: VmdkImage['extents'][number]): string {
  if (e instanceof SparseExtent) return e.compressed ? 'streamOptimized' : 'monolithicSparse';
  return e.kind === 'flat' ? 'FLAT' : 'ZERO';
}

function vmdkLines(image: VmdkImage): string[] {
  const d = image.descriptor;
  const out: string[] = [];
  const cluster = clusterSize(image);
  if (cluster) out.push(`cluster_size: ${cluster}`);
  if (d.parentFileNameHint) out.push(`backing file: ${d.parentFileNameHint}`);
  out.push(
    'Format specific information:',
    `    cid: ${d.cid}`,
    `    parent cid: ${d.parentCid}`,
    `    create type: ${d.createType}`,
    '    extents:',
  );
  image.extents.forEach((e, i) => {
    out.push(`        [${i}]:`, `            virtual size: ${e.sectors * 512}`);
    if (e.path) out.push(`            filename: ${e.path}`);
    if (e instanceof SparseExtent) out.push(`            cluster size: ${e.grainSectors * 512}`);
    out.push(`            format: ${extentFormat(e)}`);
  });
  return out;
}
