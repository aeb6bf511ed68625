import { BlockError } from '@plugboard/core';
import { UsageError } from './args.js';
import { check } from './check.js';
import { compare } from './compare.js';
import { convert } from './convert.js';
import { create } from './create.js';
import { info } from './info.js';
import type { ImgIo } from './io.js';

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: ImgIo) => number; usage: string; errorCode: number }
> = {
  info: { run: info, usage: 'info [-f fmt] [--output=human|json] filename', errorCode: 1 },
  create: {
    run: create,
    usage: 'create [-f fmt] [-o options] [-b backing_file [-F backing_fmt]] [-q] filename [size]',
    errorCode: 1,
  },
  convert: {
    run: convert,
    usage: 'convert [-p] [-q] [-f fmt] [-O output_fmt] [-o options] filename output_filename',
    errorCode: 1,
  },
  check: {
    run: check,
    usage: 'check [-f fmt] [-r leaks|all] [--output=human|json] [-q] filename',
    errorCode: 1,
  },
  compare: { run: compare, usage: 'compare [-f fmt] [-F fmt] [-s] [-q] filename1 filename2', errorCode: 2 },
};

function usage(): string {
  return `usage: plugboard img <command> [options]\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join(
      '\n',
    )}\n\nformats: vmdk (subformat=monolithicSparse|monolithicFlat|twoGbMaxExtentSparse|twoGbMaxExtentFlat|streamOptimized,\n  adapter_type=ide|buslogic|lsilogic|legacyESX, compat6, hwversion=N, zeroed_grain), raw, iso (read only)\nsizes: a number with an optional k, M, G, T, P or E suffix\n`;
}

/**
 * `plugboard img ...`, with qemu-img's syntax and exit codes: the CLI hands
 * over the arguments after `img` and exits with the returned code.
 */
export async function runImg(argv: string[], io: ImgIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`plugboard img: unknown command '${name}'\n${usage()}`);
    return 1;
  }
  try {
    return command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`plugboard img: ${err.message}\nusage: plugboard img ${command.usage}\n`);
      return 1;
    }
    if (err instanceof BlockError) {
      io.stderr.write(`plugboard img: ${err.message}\n`);
      return command.errorCode;
    }
    throw err;
  }
}
