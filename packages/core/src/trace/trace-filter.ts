import { ConfigError } from '../plugin/registry.js';

/**
 * Which register accesses a trace prints. A pattern is
 * `DEVICE[:[r|w:]REGISTER,REGISTER...]`: a device id, then register names as
 * the datasheet spells them, each a glob (`*`, `?`), optionally limited to
 * reads or writes (`nic:w:TSD*,TPPoll`, `nic:ISR`, `nic`, `*`). Excludes win
 * over includes, so `--trace nic --trace-exclude nic:r:ISR` drops the polls.
 */
export class TraceFilter {
  private readonly include: Rule[];
  private readonly exclude: Rule[];

  constructor(include: readonly string[], exclude: readonly string[] = []) {
    this.include = include.flatMap(parseRule);
    this.exclude = exclude.flatMap(parseRule);
  }

  /** Whether any include pattern names device `id` (so its trace hook is tapped at all). */
  wantsDevice(id: string): boolean {
    return this.include.some((r) => r.device.test(id));
  }

  /** The include patterns whose device part names no device in `ids`: a typo the user should hear about. */
  unmatched(ids: readonly string[]): string[] {
    return this.include.filter((r) => !ids.some((id) => r.device.test(id))).map((r) => r.source);
  }

  matches(device: string, register: string, write: boolean): boolean {
    const hit = (r: Rule) =>
      r.device.test(device) && (r.write === null || r.write === write) && r.register.test(register);
    return this.include.some(hit) && !this.exclude.some(hit);
  }
}

interface Rule {
  source: string;
  device: RegExp;
  /** null: both directions. */
  write: boolean | null;
  register: RegExp;
}

function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function parseRule(source: string): Rule[] {
  const parts = source.split(':');
  if (parts.length > 3 || parts[0] === '' || parts.some((p) => p.trim() !== p))
    throw new ConfigError(`trace pattern "${source}": expected DEVICE[:[r|w:]REGISTER,...]`);
  const device = glob(parts[0]);
  let write: boolean | null = null;
  let registers = '*';
  if (parts.length === 3) {
    if (parts[1] !== 'r' && parts[1] !== 'w')
      throw new ConfigError(`trace pattern "${source}": the direction is r or w, not "${parts[1]}"`);
    write = parts[1] === 'w';
    registers = parts[2];
  } else if (parts.length === 2) registers = parts[1];
  const names = registers.split(',');
  if (names.some((n) => n === '')) throw new ConfigError(`trace pattern "${source}": an empty register name`);
  return names.map((n) => ({ source, device, write, register: glob(n) }));
}
