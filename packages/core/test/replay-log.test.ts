import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeLog,
  EntryKind,
  encodeEntry,
  encodeHeader,
  gateService,
  type LogEntry,
  type LogHeader,
  Recorder,
  type ResolvedProfile,
  readLog,
  startRecording,
  startReplay,
  UserError,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';

const header: LogHeader = { profile: { name: 'toy', hash: 'ab'.repeat(32) }, start: { kind: 'power-on' } };
const utf8 = (s: string) => new TextEncoder().encode(s);
const entry = (
  kind: EntryKind,
  channel: number,
  instructions: number,
  time: number,
  payload = new Uint8Array(),
) => ({ kind, channel, instructions, time, payload }) as LogEntry;

function file(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function profile(memoryBytes: number): ResolvedProfile {
  const merged = { name: 'toy', memory: memoryBytes, devices: { com1: { type: 'uart16550a' } } };
  return {
    file: 'toy.json',
    name: 'toy',
    description: '',
    memoryBytes,
    clock: {},
    plugins: [],
    entries: [],
    merged,
  };
}

describe('input log format', () => {
  it('reads back header, channel names and every kind of entry, in order', () => {
    const value = new Uint8Array(8);
    new DataView(value.buffer).setFloat64(0, 1.7e9, true);
    const entries = [
      entry(EntryKind.Value, 0, 0, 0, value),
      entry(EntryKind.Input, 1, 1234, 1234.5, Uint8Array.of(0, 1, 2, 255)),
      entry(EntryKind.Refused, 1, 5000, 7000),
      entry(EntryKind.Idle, 0, 5000, 9e9),
      entry(EntryKind.End, 0, 2 ** 40, 3e12, utf8('{"reason":"r","exitCode":0}')),
    ];
    const bytes = file(
      encodeHeader(header),
      encodeEntry(entry(EntryKind.Channel, 0, 0, 0, utf8('rtc:rtc'))),
      encodeEntry(entries[0]),
      encodeEntry(entry(EntryKind.Channel, 1, 0, 0, utf8('net:net0#0'))),
      ...entries.slice(1).map(encodeEntry),
    );
    const log = decodeLog(bytes, 'x.pbr');
    expect(log.header).toEqual(header);
    expect([...log.channels]).toEqual([
      [0, 'rtc:rtc'],
      [1, 'net:net0#0'],
    ]);
    expect(log.entries).toEqual(entries);
  });

  it('the recorder writes what readLog reads: channels named before use, a host value, the end', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'plugboard-log-')), 'r.pbr');
    const recorder = new Recorder(path, header);
    expect(recorder.hostValue('rtc:rtc', () => 42)).toBe(42);
    recorder.channel('serial:com1', () => {});
    recorder.finish({ reason: 'guest', exitCode: 3 });
    recorder.close();
    const log = readLog(path);
    expect([...log.channels.values()]).toEqual(['rtc:rtc', 'serial:com1']);
    expect(log.entries.map((e) => e.kind)).toEqual([EntryKind.Value, EntryKind.End]);
    expect(JSON.parse(new TextDecoder().decode(log.entries[1].payload))).toEqual({
      reason: 'guest',
      exitCode: 3,
    });
    expect(readFileSync(path).subarray(0, 8).toString()).toBe('PBREPLAY');
  });

  it.for([
    ['not a log', () => utf8('PBREPLAX\x01\0\0\0\0\0\0\0'), 'x.pbr: offset 0: expected "PBREPLAY"'],
    [
      'a later version',
      () => {
        const b = encodeHeader(header);
        b[8] = 2;
        return b;
      },
      'x.pbr: offset 8: log version 2',
    ],
    ['a header past the end', () => encodeHeader(header).subarray(0, 40), 'offset 12: header length'],
    ['a truncated entry', () => file(encodeHeader(header), new Uint8Array(5)), 'entry header cut short'],
    [
      'input on an unnamed channel',
      () => file(encodeHeader(header), encodeEntry(entry(EntryKind.Input, 4, 1, 1, Uint8Array.of(1)))),
      'channel 4 used before a CHANNEL entry names it',
    ],
    [
      'a payload past the end',
      () =>
        file(
          encodeHeader(header),
          encodeEntry(entry(EntryKind.Idle, 0, 1, 1, new Uint8Array(9))).subarray(0, 30),
        ),
      'payload of 9 bytes runs past the end',
    ],
    [
      'counts going backwards',
      () =>
        file(
          encodeHeader(header),
          encodeEntry(entry(EntryKind.Idle, 0, 10, 1)),
          encodeEntry(entry(EntryKind.Idle, 0, 9, 2)),
        ),
      'instruction count 9: expected a whole number, not below 10',
    ],
    [
      'an unknown kind',
      () => file(encodeHeader(header), encodeEntry(entry(9 as EntryKind, 0, 1, 1))),
      'unknown entry kind 9',
    ],
  ] as const)('refuses %s with the file, the offset and what was expected', ([, make, message]) => {
    expect(() => decodeLog(make(), 'x.pbr')).toThrow(UserError);
    expect(() => decodeLog(make(), 'x.pbr')).toThrow(message);
  });

  it('a log is replayed only with the profile it was recorded with', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'plugboard-log-')), 'r.pbr');
    const recorder = startRecording(path, profile(1 << 20));
    recorder.finish({ reason: 'x', exitCode: 0 });
    recorder.close();
    expect(() => startReplay(path, profile(1 << 20))).not.toThrow();
    expect(() => startReplay(path, profile(2 << 20))).toThrow(
      /recorded with another profile \(toy, sha256 [0-9a-f]{12}/,
    );
    expect(readLog(path).header.start).toEqual({ kind: 'power-on' });
  });

  it('a gated service call waits for the sync point, is logged there, and reaches the service with its arguments', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'plugboard-log-')), 'r.pbr');
    const recorder = new Recorder(path, header);
    const calls: unknown[][] = [];
    const service = { key: (name: string, down: boolean) => calls.push([name, down]), other: () => 1 };
    expect(gateService(null, 'ps2:kbd', service, ['key'])).toBe(service);
    const gated = gateService(recorder, 'ps2:kbd', service, ['key']);
    expect(Object.keys(gated)).toEqual(['key']);
    gated.key('KeyA', true);
    expect(calls).toEqual([]);
    recorder.sync();
    expect(calls).toEqual([['KeyA', true]]);
    recorder.close();
    const log = readLog(path);
    expect(log.entries.map((e) => new TextDecoder().decode(e.payload))).toEqual(['["key","KeyA",true]']);
  });
});
