import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { BlockBackend, OverlayState } from '../block/block-backend.js';
import type { Machine } from '../machine/machine.js';
import type { ResolvedProfile } from '../machine/profile.js';
import { canonical, profileHash } from '../machine/profile-hash.js';
import { PAGE_SIZE } from '../memory/physical-memory.js';
import { loadMachineState, type MachineState, saveMachineState } from './machine-state.js';
import { decodeState, encodeState } from './state-codec.js';
import { StateError, type StateTree } from './state-tree.js';

/**
 * The snapshot file (README: "Snapshot files"):
 *
 *   offset 0   "PLUGSNAP"                 magic, 8 bytes
 *   offset 8   u32 LE format version      SNAPSHOT_FORMAT
 *   offset 12  u32 LE header length H
 *   offset 16  header, H bytes of JSON (UTF-8): SnapshotHeader
 *   then       u32 LE length S, S bytes: the machine state, JSON, raw deflate
 *   then       u32 LE length P, P bytes: the present-page bitmap (bit i of byte i>>3 = page i), raw deflate
 *   then       u32 LE length W, W bytes: the guest's writes each `-snapshot` drive holds, JSON, raw deflate
 *   then       the present pages of RAM back to back, raw deflate, to the end of the file
 *
 * A page of zeros is not present: it is skipped, and a restore clears it.
 * Format 2 added the drives' writes and left host-side timers out of the
 * clock; format 3 saves large typed arrays (VRAM) by their nonzero pages
 * (`encodeState`); older files are refused by number (take the snapshot again).
 */
export const SNAPSHOT_FORMAT = 3;
const MAGIC = 'PLUGSNAP';
/** The most the machine state may inflate to: far above a real one (~6 MB with 4 MiB of VRAM), far below a deflate bomb. */
const MAX_STATE_BYTES = 256 << 20;
/** The most the drives' writes may inflate to (base64 in JSON): a limit on what a file can make this process hold. */
const MAX_WRITES_BYTES = 1 << 30;

function popcount8(b: number): number {
  b = b - ((b >> 1) & 0x55);
  b = (b & 0x33) + ((b >> 2) & 0x33);
  return (b + (b >> 4)) & 0x0f;
}

export interface SnapshotHeader {
  format: number;
  /** A name (`savevm NAME`), or the file's own. */
  name: string;
  /** When it was taken, ISO 8601 in UTC: for `info snapshots` only, never read back into the machine. */
  date: string;
  /** The profile the machine was built from, to build it again (`plugboard run --restore`). */
  profile: ResolvedProfile;
  /** `profileHash(profile)`: a machine built from another profile is refused. */
  profileHash: string;
  /** Virtual time (ns) and retired instructions at the snapshot: for people (`info snapshots`). */
  virtualNs: number;
  instructions: number;
  ramBytes: number;
  /** Each disk image as it was: a snapshot never resumes on a changed disk. */
  disks: DiskIdentity[];
}

/**
 * What a disk image was when the snapshot was taken: its size, modification
 * time and the SHA-256 of its first MiB. The image itself is not in the
 * snapshot, so a restore onto a changed one is refused.
 */
export interface DiskIdentity {
  id: string;
  path: string;
  bytes: number;
  mtimeMs: number;
  firstMiB: string;
}

function diskIdentities(m: Machine): DiskIdentity[] {
  const out: DiskIdentity[] = [];
  for (const d of m.devices) {
    // An empty tray holds no image to check.
    if (d.plugin.kind !== 'drive' || (d.device as BlockBackend).empty) continue;
    const path = (d.device as { path?: unknown }).path;
    if (typeof path !== 'string')
      throw new StateError(`drive ${d.id} (${d.plugin.meta.id}) cannot be saved: it names no image file`);
    if (d.config.snapshot === true && d.config.readOnly !== true && !(d.device as BlockBackend).heldWrites)
      throw new StateError(
        `drive ${d.id} (${d.plugin.meta.id}) keeps the guest's writes apart (snapshot: true) and cannot save them`,
      );
    (d.device as { flush?: () => void }).flush?.();
    const st = statSync(path);
    const fd = openSync(path, 'r');
    const head = Buffer.alloc(Math.min(st.size, 1 << 20));
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    out.push({
      id: d.id,
      path,
      bytes: st.size,
      mtimeMs: st.mtimeMs,
      firstMiB: createHash('sha256').update(head).digest('hex'),
    });
  }
  return out;
}

/** What each `-snapshot` drive holds of the guest's writes (the image under it is checked as any other). */
export interface DriveWrites extends OverlayState {
  id: string;
}

function heldWrites(m: Machine): Map<string, NonNullable<BlockBackend['heldWrites']>> {
  const out = new Map<string, NonNullable<BlockBackend['heldWrites']>>();
  for (const d of m.devices) {
    const held = d.plugin.kind === 'drive' ? (d.device as BlockBackend).heldWrites : undefined;
    if (held) out.set(d.id, held);
  }
  return out;
}

/** Takes a snapshot of `m` (between run slices) as the bytes of a snapshot file. */
export function writeSnapshot(m: Machine, profile: ResolvedProfile, name: string): Buffer {
  const state = saveMachineState(m);
  const header: SnapshotHeader = {
    format: SNAPSHOT_FORMAT,
    name,
    date: new Date().toISOString(),
    profile,
    profileHash: profileHash(profile),
    virtualNs: m.clock.now,
    instructions: m.retired,
    ramBytes: m.memory.ramSize,
    disks: diskIdentities(m),
  };
  const ram = m.memory.ram;
  const pages = ram.length / PAGE_SIZE;
  const bitmap = new Uint8Array(Math.ceil(pages / 8));
  const words = new Uint32Array(ram.buffer, ram.byteOffset, ram.length / 4);
  const present: Uint8Array[] = [];
  for (let p = 0; p < pages; p++) {
    const from = (p * PAGE_SIZE) / 4;
    let zero = true;
    for (let i = from; i < from + PAGE_SIZE / 4; i++)
      if (words[i] !== 0) {
        zero = false;
        break;
      }
    if (zero) continue;
    bitmap[p >> 3] |= 1 << (p & 7);
    present.push(ram.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const stateBytes = deflateRawSync(Buffer.from(encodeState(state as unknown as StateTree), 'utf8'), {
    level: 1,
  });
  const bitmapBytes = deflateRawSync(bitmap);
  const writes: DriveWrites[] = [...heldWrites(m)].map(([id, held]) => ({ id, ...held.save() }));
  const writesBytes = deflateRawSync(Buffer.from(encodeState(writes as unknown as StateTree), 'utf8'), {
    level: 1,
  });
  const ramBytes = deflateRawSync(Buffer.concat(present), { level: 1 });
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  return Buffer.concat([
    Buffer.from(MAGIC, 'latin1'),
    u32(SNAPSHOT_FORMAT),
    u32(headerBytes.length),
    headerBytes,
    u32(stateBytes.length),
    stateBytes,
    u32(bitmapBytes.length),
    bitmapBytes,
    u32(writesBytes.length),
    writesBytes,
    ramBytes,
  ]);
}

/** A snapshot file's parts, read and checked for shape, not yet loaded. */
export interface SnapshotFile {
  header: SnapshotHeader;
  /** The SHA-256 of the whole file: which snapshot a recorded run starts from (`--restore` with `--record`). */
  digest(): string;
  /** Inflates and decodes the machine state and RAM (done when loading, not for listing). */
  body(): { state: MachineState; bitmap: Uint8Array; pages: Buffer; writes: DriveWrites[] };
}

/** Reads a snapshot file's bytes; `file` names it in errors. */
export function readSnapshot(bytes: Uint8Array, file: string): SnapshotFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): never => {
    throw new StateError(`${file}: ${what}`);
  };
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC)
    bad('not a Plugboard snapshot (no PLUGSNAP magic at offset 0)');
  const format = buf.readUInt32LE(8);
  if (format !== SNAPSHOT_FORMAT)
    bad(`snapshot format ${format} at offset 8; this build reads format ${SNAPSHOT_FORMAT}`);
  let at = 12;
  const section = (what: string): Buffer => {
    if (at + 4 > buf.length) bad(`truncated at offset ${at}: expected the length of the ${what}`);
    const n = buf.readUInt32LE(at);
    if (at + 4 + n > buf.length) bad(`truncated: the ${what} at offset ${at + 4} needs ${n} bytes`);
    const s = buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return s;
  };
  let header: SnapshotHeader;
  try {
    header = JSON.parse(section('header').toString('utf8'));
  } catch (e) {
    if (e instanceof StateError) throw e;
    return bad('the header at offset 16 is not JSON');
  }
  if (typeof header.profileHash !== 'string' || typeof header.ramBytes !== 'number' || !header.profile)
    bad('the header at offset 16 lacks profile, profileHash or ramBytes');
  const stateAt = at;
  const stateBytes = section('machine state');
  const bitmapAt = at + 4;
  const bitmapBytes = section('page bitmap');
  const writesAt = at + 4;
  const writesBytes = section("drives' writes");
  const ramAt = at;
  return {
    header,
    digest: () => createHash('sha256').update(buf).digest('hex'),
    body: () => {
      let state: MachineState;
      let bitmap: Uint8Array;
      let pages: Buffer;
      let writes: DriveWrites[];
      try {
        state = decodeState(
          inflateRawSync(stateBytes, { maxOutputLength: MAX_STATE_BYTES }).toString('utf8'),
        ) as unknown as MachineState;
      } catch {
        return bad(
          `the machine state at offset ${stateAt} does not inflate to JSON of at most ${MAX_STATE_BYTES} bytes`,
        );
      }
      try {
        writes = decodeState(
          inflateRawSync(writesBytes, { maxOutputLength: MAX_WRITES_BYTES }).toString('utf8'),
        ) as unknown as DriveWrites[];
        if (!Array.isArray(writes)) throw new TypeError();
      } catch {
        return bad(
          `the drives' writes at offset ${writesAt} do not inflate to a JSON list of at most ${MAX_WRITES_BYTES} bytes`,
        );
      }
      const pageCount = Math.ceil(header.ramBytes / PAGE_SIZE);
      try {
        bitmap = inflateRawSync(bitmapBytes, { maxOutputLength: Math.ceil(pageCount / 8) + 1 });
      } catch {
        return bad(
          `the page bitmap at offset ${bitmapAt} does not inflate to ${Math.ceil(pageCount / 8)} bytes`,
        );
      }
      let present = 0;
      for (let i = 0; i < bitmap.length; i++) present += popcount8(bitmap[i]);
      // The size is known from the bitmap: one output chunk (no thousands of 16 KiB chunks joined
      // after), and a file that inflates to more is refused rather than filling memory.
      const size = present * PAGE_SIZE;
      try {
        pages =
          size === 0
            ? Buffer.alloc(0)
            : inflateRawSync(buf.subarray(ramAt), { chunkSize: size, maxOutputLength: size });
      } catch {
        return bad(`RAM at offset ${ramAt} does not inflate to the ${present} pages its bitmap lists`);
      }
      return { state, bitmap, pages, writes };
    },
  };
}

/**
 * Loads a snapshot into `m`, built from `profile` (fastest built with
 * `powerOn: false`, RAM untouched): refused unless `profile` hashes as the
 * one the snapshot was taken with; then RAM (zero pages cleared) and every
 * device, the CPU, the clock and its timers.
 */
export function loadSnapshot(
  m: Machine,
  profile: ResolvedProfile,
  snapshot: SnapshotFile,
  file: string,
): void {
  const { header } = snapshot;
  if (profileHash(profile) !== header.profileHash)
    throw new StateError(
      `${file}: taken on another machine (profile ${header.profile.file}, hash ${header.profileHash.slice(0, 12)}; ${profile.file} hashes ${profileHash(profile).slice(0, 12)}): ${describeDifference(header.profile, profile)}`,
    );
  if (header.ramBytes !== m.memory.ramSize)
    throw new StateError(
      `${file}: ${header.ramBytes} bytes of RAM in the snapshot, ${m.memory.ramSize} in this machine`,
    );
  const disks = new Map(diskIdentities(m).map((d) => [d.id, d]));
  for (const then of header.disks ?? []) {
    const now = disks.get(then.id);
    if (!now) throw new StateError(`${file}: drive ${then.id} (${then.path}) is not in this machine`);
    const changed =
      now.bytes !== then.bytes
        ? `${then.bytes} bytes then, ${now.bytes} now`
        : now.firstMiB !== then.firstMiB
          ? 'its first MiB differs'
          : now.mtimeMs !== then.mtimeMs
            ? `modified since (${new Date(now.mtimeMs).toISOString()})`
            : null;
    if (changed)
      throw new StateError(
        `${file}: drive ${then.id}: ${now.path} is not the image the snapshot was taken with: ${changed}`,
      );
  }
  const { state, bitmap, pages, writes } = snapshot.body();
  const held = heldWrites(m);
  for (const w of writes) {
    if (typeof w?.id !== 'string' || !held.has(w.id))
      throw new StateError(`${file}: writes of drive ${w?.id}, which keeps none in this machine`);
    if (
      typeof w.chunkBytes !== 'number' ||
      !(w.chunks instanceof Float64Array) ||
      !(w.data instanceof Uint8Array)
    )
      throw new StateError(`${file}: drive ${w.id}: expected chunkBytes, chunks and data in its writes`);
  }
  for (const [id, h] of held) {
    const w = writes.find((x) => x.id === id);
    if (!w)
      throw new StateError(
        `${file}: drive ${id} keeps the guest's writes apart, and the snapshot has none for it`,
      );
    try {
      h.load(w);
    } catch (e) {
      throw new StateError(`${file}: drive ${id}: its writes do not fit: ${(e as Error).message}`);
    }
  }
  const ram = m.memory.ram;
  const count = ram.length / PAGE_SIZE;
  if (bitmap.length !== Math.ceil(count / 8))
    throw new StateError(`${file}: the page bitmap covers another RAM size`);
  // A machine never powered on has RAM all zeros (no reset loaded firmware into it): only the
  // present pages are written. Otherwise a page absent from the snapshot is cleared, if it holds
  // anything: writing one the host never touched would make it resident for nothing.
  const clear = !m.awaitingPowerOn;
  const words = new Int32Array(ram.buffer, ram.byteOffset, ram.length / 4);
  let next = 0;
  for (let p = 0; p < count; p++) {
    if (bitmap[p >> 3] & (1 << (p & 7))) {
      if (next + PAGE_SIZE > pages.length)
        throw new StateError(`${file}: RAM holds fewer pages than its bitmap lists`);
      ram.set(pages.subarray(next, next + PAGE_SIZE), p * PAGE_SIZE);
      next += PAGE_SIZE;
      continue;
    }
    if (!clear) continue;
    const from = (p * PAGE_SIZE) / 4;
    for (let w = from; w < from + PAGE_SIZE / 4; w++)
      if (words[w] !== 0) {
        ram.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
        break;
      }
  }
  try {
    loadMachineState(m, state);
  } catch (e) {
    if (e instanceof StateError) throw new StateError(`${file}: ${e.message}`);
    throw e;
  }
  m.stateLoaded();
}

/** The first entry that differs, in words: why a snapshot does not fit (a NIC model swapped, RAM resized). */
function describeDifference(a: ResolvedProfile, b: ResolvedProfile): string {
  if (a.memoryBytes !== b.memoryBytes)
    return `memory ${a.memoryBytes} bytes in the snapshot, ${b.memoryBytes} here`;
  const key = (e: ResolvedProfile['entries'][number]) => `${e.section}.${e.id}`;
  const theirs = new Map(a.entries.map((e) => [key(e), e]));
  for (const e of b.entries) {
    const t = theirs.get(key(e));
    if (!t) return `${key(e)} (${e.type}) is not in the snapshot`;
    if (t.type !== e.type) return `${key(e)} is a ${t.type} in the snapshot and a ${e.type} here`;
    if (canonical(t.config) !== canonical(e.config)) return `${key(e)} (${e.type}) has another config`;
    if (t.pci !== e.pci || canonical(t.irq) !== canonical(e.irq)) return `${key(e)} sits at another address`;
    theirs.delete(key(e));
  }
  const left = [...theirs.keys()];
  if (left.length) return `${left.join(', ')} only in the snapshot`;
  return 'the clock settings differ';
}
