import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { UserError } from '../user-error.js';

/**
 * The input log of `--record` / `--replay` (version 1), little-endian:
 *
 *   header  "PBREPLAY" (8 bytes), version u32, header length u32, header JSON (UTF-8)
 *   entry*  kind u8, channel u16, instructions f64, time f64, length u32, payload
 *
 * `instructions` is the count of instructions retired since power-on and
 * `time` the virtual time (ns) at which the guest saw the entry. Channels
 * are named by CHANNEL entries before their first use, so a log explains
 * itself (`serial:com1`, `net:net0#0`, `ps2:kbd`).
 */
export const LOG_MAGIC = 'PBREPLAY';
export const LOG_VERSION = 1;

export const EntryKind = {
  /** Names channel `channel`: the payload is its UTF-8 name. */
  Channel: 1,
  /** Host input on `channel`, delivered to the guest; the payload is the input. */
  Input: 2,
  /** A NIC's `canReceive` said no to the frame waiting on `channel`. */
  Refused: 3,
  /** A halted CPU waited on host time; `time` is the virtual time after the wait. */
  Idle: 4,
  /** A host value read once (the RTC's start from the host's calendar): the payload is an f64. */
  Value: 5,
  /** The recording stopped here; the payload is `{"reason", "exitCode"}` as JSON. */
  End: 6,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

const ENTRY_HEADER = 1 + 2 + 8 + 8 + 4;
const MAX_KIND = EntryKind.End;

export interface LogHeader {
  /** The profile the run was recorded with (`profileIdentity`). */
  profile: { name: string; hash: string };
  /** Where the recorded run starts: power-on, or later a snapshot. */
  start: { kind: 'power-on' } | { kind: 'snapshot'; file: string; hash: string };
}

export interface LogEntry {
  kind: EntryKind;
  channel: number;
  instructions: number;
  time: number;
  payload: Uint8Array;
}

const utf8 = new TextEncoder();

/** Encodes one entry (the writer's and the tests' one encoder). */
export function encodeEntry(e: LogEntry): Uint8Array {
  const bytes = new Uint8Array(ENTRY_HEADER + e.payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, e.kind);
  view.setUint16(1, e.channel, true);
  view.setFloat64(3, e.instructions, true);
  view.setFloat64(11, e.time, true);
  view.setUint32(19, e.payload.length, true);
  bytes.set(e.payload, ENTRY_HEADER);
  return bytes;
}

export function encodeHeader(header: LogHeader): Uint8Array {
  const json = utf8.encode(JSON.stringify(header));
  const bytes = new Uint8Array(16 + json.length);
  bytes.set(utf8.encode(LOG_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, LOG_VERSION, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  return bytes;
}

/** A log as read back: the header and the entries in order, channels resolved. */
export interface InputLog {
  header: LogHeader;
  /** Channel names by number. */
  channels: Map<number, string>;
  /** Every entry but the CHANNEL declarations, in recorded order. */
  entries: LogEntry[];
}

/** Decodes a log; a malformed one is a `UserError` naming `file`, the offset and what was expected. */
export function decodeLog(bytes: Uint8Array, file: string): InputLog {
  const fail = (offset: number, what: string): never => {
    throw new UserError(`${file}: offset ${offset}: ${what}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== LOG_MAGIC)
    fail(0, `expected "${LOG_MAGIC}" (not a Plugboard input log)`);
  const version = view.getUint32(8, true);
  if (version !== LOG_VERSION) fail(8, `log version ${version}; this Plugboard reads version ${LOG_VERSION}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length)
    fail(12, `header length ${headerLength} runs past the end of the file`);
  let header: LogHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)),
    );
  } catch (err) {
    return fail(16, `header is not JSON: ${(err as Error).message}`);
  }
  if (typeof header?.profile?.hash !== 'string' || typeof header.profile.name !== 'string')
    fail(16, 'header: expected "profile": {"name", "hash"}');
  if (header.start?.kind !== 'power-on' && header.start?.kind !== 'snapshot')
    fail(16, 'header: expected "start": {"kind": "power-on" | "snapshot"}');
  const channels = new Map<number, string>();
  const entries: LogEntry[] = [];
  let offset = 16 + headerLength;
  let last = 0;
  while (offset < bytes.length) {
    if (offset + ENTRY_HEADER > bytes.length) fail(offset, 'entry header cut short (a truncated log)');
    const kind = view.getUint8(offset);
    if (kind < EntryKind.Channel || kind > MAX_KIND) fail(offset, `unknown entry kind ${kind}`);
    const channel = view.getUint16(offset + 1, true);
    const instructions = view.getFloat64(offset + 3, true);
    const time = view.getFloat64(offset + 11, true);
    const length = view.getUint32(offset + 19, true);
    if (!Number.isSafeInteger(instructions) || instructions < last)
      fail(offset + 3, `instruction count ${instructions}: expected a whole number, not below ${last}`);
    if (!Number.isFinite(time) || time < 0) fail(offset + 11, `time ${time}: expected a finite number of ns`);
    if (offset + ENTRY_HEADER + length > bytes.length)
      fail(offset + 19, `payload of ${length} bytes runs past the end`);
    const payload = bytes.slice(offset + ENTRY_HEADER, offset + ENTRY_HEADER + length);
    if (kind === EntryKind.Channel) {
      if (channels.has(channel)) fail(offset + 1, `channel ${channel} named twice`);
      channels.set(channel, new TextDecoder().decode(payload));
    } else {
      if (kind !== EntryKind.Idle && kind !== EntryKind.End && !channels.has(channel))
        fail(offset + 1, `channel ${channel} used before a CHANNEL entry names it`);
      if (kind === EntryKind.Value && length !== 8)
        fail(offset + 19, `a VALUE entry holds 8 bytes, not ${length}`);
      entries.push({ kind: kind as EntryKind, channel, instructions, time, payload });
    }
    last = instructions;
    offset += ENTRY_HEADER + length;
  }
  return { header, channels, entries };
}

export function readLog(file: string): InputLog {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UserError(`--replay ${file}: ${(err as Error).message}`);
  }
  return decodeLog(bytes, file);
}

/** Appends entries to a log file, buffered; `flush` writes what is held. */
export class LogWriter {
  private readonly fd: number;
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  constructor(
    readonly file: string,
    header: LogHeader,
  ) {
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      throw new UserError(`--record ${file}: ${(err as Error).message}`);
    }
    writeSync(this.fd, encodeHeader(header));
  }

  append(entry: LogEntry): void {
    const bytes = encodeEntry(entry);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (this.heldBytes >= 1 << 16) this.flush();
  }

  flush(): void {
    for (const b of this.held) writeSync(this.fd, b);
    this.held = [];
    this.heldBytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
