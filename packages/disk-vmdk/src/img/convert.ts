import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { writeFully } from '@plugboard/block';
import type { BlockBackend } from '@plugboard/core';
import cliProgress from 'cli-progress';
import { createVmdk, newDescriptor } from '../create.js';
import { serializeDescriptor } from '../descriptor.js';
import { STREAM_GRAIN_SECTORS, StreamOptimizedWriter } from '../stream-writer.js';
import { VmdkImage } from '../vmdk-image.js';
import { isZero } from '../zero.js';
import { parseArgs, parseOptions, UsageError } from './args.js';
import { vmdkOptions } from './create.js';
import type { ImgIo } from './io.js';
import { ensureNotInUse, imageBytes, openImage } from './open-image.js';

/** Bytes copied per step: a whole number of 64 KiB grains. */
const CHUNK = 1024 * 1024;
/** Zero runs of this size are skipped rather than written, keeping outputs sparse. */
const SKIP_UNIT = 65536;

/** `img convert [-p] [-q] [-f fmt] [-O output_fmt] [-o options] input output` */
export function convert(argv: readonly string[], io: ImgIo): number {
  const args = parseArgs(argv, 'fOo', 'pqU', ['force-share']);
  if (args.positional.length !== 2) throw new UsageError('Expecting one input and one output file name');
  const [input, output] = args.positional as [string, string];
  const outFmt = args.values.get('O') ?? 'raw';
  const opts = parseOptions(args.values.get('o'));
  if (outFmt !== 'raw' && outFmt !== 'vmdk')
    throw new UsageError(`Unknown output format '${outFmt}' (raw or vmdk)`);
  if (outFmt === 'raw' && opts.size > 0)
    throw new UsageError(`Invalid parameter '${[...opts.keys()][0]}' for format raw`);
  const { image: src } = openImage(input, args.values.get('f'), true);
  try {
    const total = imageBytes(src);
    ensureNotInUse(output);
    const sink = openSink(output, outFmt, total, opts);
    const bar =
      args.flags.has('p') && !args.flags.has('q')
        ? new cliProgress.SingleBar(
            {
              stream: io.stdout,
              noTTYOutput: true,
              format: '    ({percentage}/100%) [{bar}]',
              hideCursor: false,
            },
            cliProgress.Presets.legacy,
          )
        : null;
    bar?.start(100, 0);
    try {
      copy(src, total, sink, (done) => bar?.update(Math.floor((done * 100) / Math.max(total, 1))));
    } finally {
      sink.finish();
      bar?.update(100);
      bar?.stop();
    }
    return 0;
  } finally {
    src.close();
  }
}

/** Where converted bytes go: a chunk at a time, in ascending order, zero chunks skipped by the sink. */
interface Sink {
  write(offset: number, data: Uint8Array): void;
  finish(): void;
}

function copy(src: BlockBackend, total: number, sink: Sink, progress: (done: number) => void): void {
  const buf = new Uint8Array(CHUNK);
  for (let offset = 0; offset < total; offset += CHUNK) {
    const len = Math.min(CHUNK, total - offset);
    const chunk = len === CHUNK ? buf : buf.subarray(0, len);
    src.read(offset / src.sectorSize, chunk);
    sink.write(offset, chunk);
    progress(offset + len);
  }
}

function openSink(path: string, fmt: string, bytes: number, opts: Map<string, string>): Sink {
  if (fmt === 'raw') {
    const fd = openSync(path, 'w');
    ftruncateSync(fd, bytes);
    return {
      write(offset, data) {
        for (let at = 0; at < data.length; at += SKIP_UNIT) {
          const piece = data.subarray(at, at + SKIP_UNIT);
          if (!isZero(piece)) writeFully(fd, piece, offset + at, path);
        }
      },
      finish: () => closeSync(fd),
    };
  }
  for (const key of opts.keys()) {
    if (!['subformat', 'adapter_type', 'compat6', 'hwversion', 'zeroed_grain'].includes(key)) {
      throw new UsageError(`Invalid parameter '${key}' for convert`);
    }
  }
  const options = vmdkOptions(opts);
  if (options.subformat === 'streamOptimized') {
    const capacity = bytes / 512;
    const d = newDescriptor(
      'streamOptimized',
      capacity,
      [{ access: 'RW', sectors: capacity, type: 'SPARSE', file: path.split('/').pop()!, offset: 0 }],
      options,
      null,
    );
    const writer = new StreamOptimizedWriter(path, capacity, serializeDescriptor(d));
    const grainBytes = STREAM_GRAIN_SECTORS * 512;
    return {
      write(offset, data) {
        for (let at = 0; at < data.length; at += grainBytes)
          writer.writeGrain((offset + at) / grainBytes, data.subarray(at, at + grainBytes));
      },
      finish: () => writer.finish(),
    };
  }
  createVmdk(path, bytes, options);
  const img = VmdkImage.open(path);
  return {
    write(offset, data) {
      // A new disk reads as zeros already: leave zero grains unwritten so the result stays sparse.
      for (let at = 0; at < data.length; at += SKIP_UNIT) {
        const piece = data.subarray(at, at + SKIP_UNIT);
        if (!isZero(piece)) img.write((offset + at) / 512, piece);
      }
    },
    finish() {
      img.flush();
      img.close();
    },
  };
}
