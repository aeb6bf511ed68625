import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  loadSnapshot,
  type Machine,
  profileHash,
  type ResolvedProfile,
  readSnapshot,
  type SnapshotEntry,
  type SnapshotService,
  UserError,
  writeSnapshot,
} from '@plugboard/core';

/** A snapshot file's extension. */
export const SNAPSHOT_EXT = '.pbsnap';

/** Snapshot names are file names: letters, digits and `._-`, as QEMU's tags usually are. */
function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new UserError(`snapshot name "${name}": expected letters, digits, ".", "_" or "-" (at most 64)`);
}

/**
 * Where a machine's named snapshots live. QEMU keeps them inside the qcow2
 * image; VMDK and raw images have no room for them, so they go in a folder
 * beside the machine's first writable disk image (`disk.vmdk.snapshots/`),
 * where they travel with the image they belong to. A machine without one
 * (a kernel booted by linux-direct) keeps them under
 * `~/.cache/plugboard/snapshots/`, in a folder named by its profile's hash.
 */
export function snapshotFolder(profile: ResolvedProfile): string {
  for (const e of profile.entries) {
    if (e.section !== 'drives' || typeof e.config.file !== 'string') continue;
    if (e.config.readOnly === true || e.config.snapshot === true) continue;
    return `${resolve(e.baseDir, e.config.file)}.snapshots`;
  }
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'plugboard', 'snapshots', profileHash(profile).slice(0, 16));
}

/** Writes a snapshot of `m` to `file`, through a temporary file so a crash leaves the old one whole. */
export function saveSnapshotFile(m: Machine, profile: ResolvedProfile, file: string, name: string): void {
  const bytes = writeSnapshot(m, profile, name);
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

/** Reads a snapshot file; a missing or unreadable one is a `UserError` naming it. */
export function openSnapshotFile(file: string) {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read the snapshot (${(e as NodeJS.ErrnoException).code})`);
  }
  return readSnapshot(bytes, file);
}

/** The monitor's `savevm`/`loadvm`/`delvm`/`info snapshots` over the files of `snapshotFolder`. */
export class SnapshotFolder implements SnapshotService {
  readonly location: string;

  constructor(
    private readonly machine: () => Machine | null,
    private readonly profile: ResolvedProfile,
    /** Called after a load: host-side state the snapshot does not hold starts afresh. */
    private readonly afterLoad: () => void = () => {},
  ) {
    this.location = snapshotFolder(profile);
  }

  fileOf(name: string): string {
    checkName(name);
    return join(this.location, `${name}${SNAPSHOT_EXT}`);
  }

  save(name: string): string {
    const file = this.fileOf(name);
    saveSnapshotFile(this.running(), this.profile, file, name);
    return file;
  }

  load(name: string): void {
    const file = this.fileOf(name);
    const m = this.running();
    // The input log holds host input, not a jump in time: a replay could not follow one.
    if (m.inputs !== null)
      throw new UserError(`loadvm ${name}: not while the run is recorded or replayed (--record, --replay)`);
    loadSnapshot(m, this.profile, openSnapshotFile(file), file);
    this.afterLoad();
  }

  list(): SnapshotEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.location).filter((f) => f.endsWith(SNAPSHOT_EXT));
    } catch {
      return [];
    }
    return names.sort().map((f) => {
      const file = join(this.location, f);
      const { header } = openSnapshotFile(file);
      return {
        name: f.slice(0, -SNAPSHOT_EXT.length),
        date: header.date,
        virtualNs: header.virtualNs,
        instructions: header.instructions,
        bytes: statSync(file).size,
      };
    });
  }

  remove(name: string): boolean {
    const file = this.fileOf(name);
    try {
      statSync(file);
    } catch {
      return false;
    }
    rmSync(file);
    return true;
  }

  private running(): Machine {
    const m = this.machine();
    if (!m) throw new UserError('no machine is running');
    return m;
  }
}

/** `--snapshot-at`: when to take the snapshot `--save` writes. */
export type SnapshotPoint = { serial: string } | { instructions: number };

export function parseSnapshotPoint(text: string): SnapshotPoint {
  if (text.startsWith('serial:') && text.length > 'serial:'.length) return { serial: text.slice(7) };
  const m = /^instructions:(\d+)$/.exec(text);
  if (m) return { instructions: Number(m[1]) };
  throw new UserError(`--snapshot-at ${text}: expected serial:TEXT or instructions:N`);
}

/**
 * Watches the console's output for TEXT: `seen` turns true at the first
 * write that completes it. The run stops after the slice that printed it,
 * so the snapshot is taken at the first slice boundary after TEXT.
 */
export class SerialWatch {
  private tail = '';
  seen = false;

  constructor(
    private readonly text: string,
    private readonly onSeen: () => void,
  ) {}

  feed(data: Uint8Array): void {
    if (this.seen) return;
    this.tail = (this.tail + Buffer.from(data).toString('latin1')).slice(-(this.text.length + 4096));
    if (this.tail.includes(this.text)) {
      this.seen = true;
      this.onSeen();
    }
  }
}
