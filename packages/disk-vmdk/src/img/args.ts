/** Thrown for a command line qemu-img would reject; `runImg` prints it and exits 1. */
export class UsageError extends Error {}

export interface ParsedArgs {
  /** Short options with a value (`-f raw`, `-fraw`), the last one winning; `-o` values are joined with commas. */
  values: Map<string, string>;
  /** Short options without a value (`-p`, `-q`). */
  flags: Set<string>;
  /** Long options (`--output=json`, `--force-share`). */
  long: Map<string, string>;
  positional: string[];
}

/**
 * qemu-img's getopt-style syntax: `valueOpts` lists the short options that
 * take a value, `flagOpts` those that do not, `longOpts` the `--name[=value]`
 * ones; anything else is an error.
 */
export function parseArgs(
  argv: readonly string[],
  valueOpts: string,
  flagOpts: string,
  longOpts: readonly string[] = [],
): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), flags: new Set(), long: new Map(), positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (!longOpts.includes(name)) throw new UsageError(`unrecognized option '--${name}'`);
      out.long.set(name, eq < 0 ? '' : arg.slice(eq + 1));
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const opt = arg[j]!;
      if (flagOpts.includes(opt)) {
        out.flags.add(opt);
      } else if (valueOpts.includes(opt)) {
        let value = arg.slice(j + 1);
        if (value === '') {
          if (i + 1 >= argv.length) throw new UsageError(`option requires an argument -- '${opt}'`);
          value = argv[++i]!;
        }
        const prev = out.values.get(opt);
        out.values.set(opt, opt === 'o' && prev !== undefined ? `${prev},${value}` : value);
        break;
      } else {
        throw new UsageError(`invalid option -- '${opt}'`);
      }
    }
  }
  return out;
}

/** `-o key=val,key2,key3=val` as a map; a bare key means "on". */
export function parseOptions(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? 'on' : part.slice(eq + 1));
  }
  return out;
}

export function onOff(key: string, value: string | undefined): boolean {
  if (value === undefined || value === 'off' || value === 'false') return false;
  if (value === 'on' || value === 'true') return true;
  throw new UsageError(`Parameter '${key}' expects 'on' or 'off'`);
}

const SUFFIX: Record<string, number> = {
  '': 1,
  b: 1,
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
  e: 2 ** 60,
};

/** qemu-img's size syntax: a number with an optional k, M, G, T, P or E suffix (powers of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgtpe]?)$/i.exec(text.trim());
  if (!m)
    throw new UsageError(
      `Invalid image size specified: '${text}' (use a number with an optional k, M, G, T, P or E suffix)`,
    );
  const bytes = Math.round(Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`Image size must be less than 8 EiB: '${text}'`);
  return bytes;
}

/** `64 MiB` style, as qemu-img prints sizes. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} B` : `${Number(v.toPrecision(3))} ${units[u]}`;
}

/** `--output=human|json` (human when absent). */
export function wantsJson(args: ParsedArgs): boolean {
  const output = args.long.get('output') ?? 'human';
  if (output !== 'human' && output !== 'json')
    throw new UsageError(`--output must be human or json, not '${output}'`);
  return output === 'json';
}
